"""Payroll payments: the history of completed payments a new batch is checked against.

One row per file, pay date, pay period and source (the run, or a review decision), with the
employees paid as JSON arrays; indexed by client and dates (``store.models.PayrollPayments``).
Payments completed before this revision are not in it (the store kept no pay dates for
them): the check covers the batches completed from here on.

Revision ID: 0007
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "0007"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payroll_payments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("pay_date", sa.Date(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("received_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.Column("employee_ids", sa.Text(), nullable=False),
        sa.Column("record_indexes", sa.Text(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "file_id",
            "source",
            "pay_date",
            "period_start",
            "period_end",
            name="uq_payroll_payments_set",
        ),
    )
    op.create_index(
        "ix_payroll_payments_period", "payroll_payments", ["client_id", "period_end"]
    )
    op.create_index(
        "ix_payroll_payments_pay_date", "payroll_payments", ["client_id", "pay_date"]
    )
    if op.get_bind().dialect.name == "postgresql":
        # Megabytes of JSON per batch: stored out of line without compression, which writes
        # them about four times faster (measured: 0.26 s against 1.1 s for a million ids).
        for column in ("employee_ids", "record_indexes"):
            op.execute(f"ALTER TABLE payroll_payments ALTER COLUMN {column} SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_index("ix_payroll_payments_pay_date", table_name="payroll_payments")
    op.drop_index("ix_payroll_payments_period", table_name="payroll_payments")
    op.drop_table("payroll_payments")
