"""Narrow usage ledger: the facts of a meter call once in ``usage_batches``, per entry only its key.

A payroll batch of a million payments wrote a million ledger rows of about 290 bytes, each
repeating the client, period, price, timestamps, file name and sha256 of the batch; writing
and reading them back was most of the cost of metering and of every billing export. Entries
now hold ``(file_id, record_index, unit, entry_type)`` (the natural key, unique), the reversed
entry and their batch. Existing rows are carried over: one batch per distinct set of shared
facts, every entry keeping its id.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Columns an entry shares with its batch (besides ``unit`` and ``entry_type``, kept on both).
SHARED = (
    "client_id",
    "doc_type",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "period",
    "completed_at",
    "file_id",
    "source_file",
    "source_sha256",
    "flow_run_id",
)
PREFIX = "substr(o.transaction_id, 1, length(o.transaction_id) - length(CAST(o.record_index AS TEXT)))"


def _create_batches() -> None:
    op.create_table(
        "usage_batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("entry_type", sa.String(length=16), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", store.types.MoneyType(precision=18, scale=4), nullable=False),
        sa.Column("amount", store.types.MoneyType(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("completed_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("transaction_prefix", sa.String(length=96), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_usage_batch_period", "usage_batches", ["client_id", "period"])


def _create_entries() -> None:
    op.create_table(
        "usage_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("record_index", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("entry_type", sa.String(length=16), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["usage_batches.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "file_id", "record_index", "unit", "entry_type", name="uq_usage_entry_natural_key"
        ),
    )
    op.create_index("ix_usage_entry_batch", "usage_ledger", ["batch_id"])


def _same(column: str) -> str:
    """Null-safe equality of an old row and its batch (both dialects)."""
    if op.get_bind().dialect.name == "postgresql":
        return f"b.{column} IS NOT DISTINCT FROM o.{column}"
    return f"b.{column} IS o.{column}"


def upgrade() -> None:
    op.drop_index("ix_usage_period", table_name="usage_ledger")
    op.rename_table("usage_ledger", "usage_ledger_wide")
    _create_batches()
    shared = ", ".join(f"o.{c}" for c in SHARED)
    op.execute(
        "INSERT INTO usage_batches (entry_type, unit, transaction_prefix, created_at, "
        f"{', '.join(SHARED)}) SELECT o.entry_type, o.unit, {PREFIX}, MIN(o.created_at), "
        f"{shared} FROM usage_ledger_wide o GROUP BY o.entry_type, o.unit, {PREFIX}, {shared}"
    )
    _create_entries()
    match = " AND ".join(_same(c) for c in ("entry_type", "unit", *SHARED))
    op.execute(
        "INSERT INTO usage_ledger (id, batch_id, file_id, record_index, unit, entry_type,"
        " reverses_id) SELECT o.id, b.id, o.file_id, o.record_index, o.unit, o.entry_type,"
        f" o.reverses_id FROM usage_ledger_wide o JOIN usage_batches b ON {match}"
        f" AND b.transaction_prefix = {PREFIX}"
    )
    op.drop_table("usage_ledger_wide")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('usage_ledger', 'id'),"
            " COALESCE((SELECT MAX(id) FROM usage_ledger), 0) + 1, false)"
        )


def downgrade() -> None:
    op.rename_table("usage_ledger", "usage_ledger_narrow")
    op.drop_index("ix_usage_entry_batch", table_name="usage_ledger_narrow")
    op.create_table(
        "usage_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("entry_key", sa.String(length=255), nullable=False),
        sa.Column("entry_type", sa.String(length=16), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("transaction_id", sa.String(length=128), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", store.types.MoneyType(precision=18, scale=4), nullable=False),
        sa.Column("amount", store.types.MoneyType(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("completed_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("record_index", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id", "entry_key", name="uq_usage_natural_key"),
    )
    op.create_index("ix_usage_period", "usage_ledger", ["client_id", "period"])
    tx = "b.transaction_prefix || CAST(n.record_index AS TEXT)"
    key = (
        f"CASE WHEN n.entry_type = 'usage' THEN n.unit || ':' || {tx}"
        " ELSE 'reversal:' || CAST(n.reverses_id AS TEXT) END"
    )
    shared = [c for c in SHARED if c != "file_id"]
    op.execute(
        "INSERT INTO usage_ledger (id, entry_key, entry_type, reverses_id, transaction_id, unit,"
        f" file_id, record_index, created_at, {', '.join(shared)}) SELECT n.id, {key},"
        f" n.entry_type, n.reverses_id, {tx}, n.unit, n.file_id, n.record_index, b.created_at,"
        f" {', '.join(f'b.{c}' for c in shared)}"
        " FROM usage_ledger_narrow n JOIN usage_batches b ON b.id = n.batch_id"
    )
    op.drop_table("usage_ledger_narrow")
    op.drop_table("usage_batches")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('usage_ledger', 'id'),"
            " COALESCE((SELECT MAX(id) FROM usage_ledger), 0) + 1, false)"
        )
