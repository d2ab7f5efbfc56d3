"""Record key sets: each file's record keys as one Parquet blob, for billing exports.

A billing detail names each entry's business key (employee id, invoice number, claim id). A
period of a million entries would read a million ``records`` rows for them; one blob per file
(``record_index``, ``record_key``) reads in milliseconds. Files registered before this revision
have no blob: their keys are read from ``records``.

Revision ID: 0013
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_key_sets",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("keys", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"]),
        sa.PrimaryKeyConstraint("file_id"),
    )


def downgrade() -> None:
    op.drop_table("record_key_sets")
