"""Bulk-written rows check their parent once per write, not once per row.

A foreign key is checked row by row: on PostgreSQL every one of a million record states (or
usage entries, or review items) ran a lookup of its file (or meter batch), which made a
``COPY`` of a million narrow rows four to five times slower than the copy itself. The three
tables written in bulk (``records``, ``review_items``, ``usage_ledger``) lose that key; the one
writer of their rows (``store.bulk.insert_ignore``, and the ORM for a reversal, whose batch it
inserts in the same flush) checks that each parent exists and holds it (``FOR KEY SHARE``, the
lock a foreign key takes) once per write. Files and meter batches are never deleted once they
have rows.

Revision ID: 0014
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: child table -> (column, parent table); the parent's key is ``id``.
_KEYS = {
    "records": ("file_id", "files"),
    "review_items": ("file_id", "files"),
    "usage_ledger": ("batch_id", "usage_batches"),
}
#: SQLite's foreign keys have no name: batch mode names them by this convention.
_CONVENTION = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _name(table: str, column: str, parent: str) -> str:
    if op.get_bind().dialect.name == "postgresql":
        return f"{table}_{column}_fkey"
    return f"fk_{table}_{column}_{parent}"


def upgrade() -> None:
    for table, (column, parent) in _KEYS.items():
        with op.batch_alter_table(table, naming_convention=_CONVENTION) as batch:
            batch.drop_constraint(_name(table, column, parent), type_="foreignkey")


def downgrade() -> None:
    for table, (column, parent) in _KEYS.items():
        with op.batch_alter_table(table, naming_convention=_CONVENTION) as batch:
            batch.create_foreign_key(_name(table, column, parent), parent, [column], ["id"])
