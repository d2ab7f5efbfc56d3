"""billing periods and bill lines

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 07:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.types


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('billing_periods',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('starts_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('close_token', sa.String(length=64), nullable=True),
    sa.Column('closed_at', store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('total', store.types.MoneyType(precision=18, scale=4), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id', 'period', name='uq_billing_period')
    )
    op.create_table('bill_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('line_key', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('card_version', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('tier', sa.String(length=32), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('billed_quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', store.types.MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('amount_exact', sa.String(length=48), nullable=False),
    sa.Column('amount', store.types.MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('posted_at', store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bill_lines', schema=None) as batch_op:
        batch_op.create_index('ix_bill_lines_period', ['client_id', 'period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bill_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_bill_lines_period')

    op.drop_table('bill_lines')
    op.drop_table('billing_periods')
