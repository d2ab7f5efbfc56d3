"""Billing tables: periods (open/closed, with the close lock) and the posted bill lines.

``bill_lines`` is append-only like the usage ledger: a re-rating posts a reversal line pointing
at the line it reverses (``reverses_id``) and a new line; the net of a period is their sum.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, utcnow
from store.types import MoneyType, UTCDateTime


class PeriodStatus:
    OPEN = "open"
    CLOSED = "closed"


class BillingPeriod(Base):
    """One client-local month of one client; closed once, then frozen."""

    __tablename__ = "billing_periods"
    __table_args__ = (UniqueConstraint("client_id", "period", name="uq_billing_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16), default=PeriodStatus.OPEN)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: Who won the close (a random token per close attempt), so racing closers can tell.
    close_token: Mapped[str | None] = mapped_column(String(64), default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    total: Mapped[Decimal | None] = mapped_column(MoneyType, default=None)
    #: Snapshot at close: rate cards (JSON), SLA computation and accuracy input.
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class BillLine(Base):
    """A posted invoice line (or a correction of one) of a client and period."""

    __tablename__ = "bill_lines"
    __table_args__ = (Index("ix_bill_lines_period", "client_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    line_key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    card_version: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    billed_quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MoneyType)
    #: Unrounded amount as exact decimal text (may carry more than the 4 places of MoneyType).
    amount_exact: Mapped[str] = mapped_column(String(48))
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    currency: Mapped[str] = mapped_column(String(3))
    reverses_id: Mapped[int | None] = mapped_column(Integer, default=None)
    posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
