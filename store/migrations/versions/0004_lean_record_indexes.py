"""Lean record indexes: the dedupe index only where a key exists; no (client, state) index.

Payroll batches write a million records at a time without a dedupe key; indexing those rows
(and a low-selectivity client/state pair nothing queries) doubled the cost of the write.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = sa.text("dedupe_key IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_records_client_state", table_name="records")
    op.drop_index("ix_records_dedupe", table_name="records")
    op.create_index(
        "ix_records_dedupe",
        "records",
        ["client_id", "doc_type", "dedupe_key"],
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_records_dedupe", table_name="records")
    op.create_index("ix_records_dedupe", "records", ["client_id", "doc_type", "dedupe_key"])
    op.create_index("ix_records_client_state", "records", ["client_id", "state"])
