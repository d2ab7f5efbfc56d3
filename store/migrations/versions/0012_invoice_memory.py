"""The client's supplier memory: where reviewers' corrected invoice values stood on the page.

Revision ID: 0012
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "0012"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoice_memory",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("supplier_kind", sa.String(length=8), nullable=False),
        sa.Column("supplier_key", sa.String(length=200), nullable=False),
        sa.Column("layout_key", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.Text(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("label_box", sa.JSON(), nullable=True),
        sa.Column("value_box", sa.JSON(), nullable=False),
        sa.Column("same_cell", sa.Boolean(), nullable=False),
        sa.Column("example", sa.String(length=200), nullable=False),
        sa.Column("source_item", sa.Integer(), nullable=True),
        sa.Column("learned_by", sa.String(length=100), nullable=False),
        sa.Column("learned_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "client_id",
            "supplier_kind",
            "supplier_key",
            "layout_key",
            "field",
            name="uq_invoice_memory_field",
        ),
    )
    op.create_index("ix_invoice_memory_client", "invoice_memory", ["client_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_invoice_memory_client", table_name="invoice_memory")
    op.drop_table("invoice_memory")
