"""Period close: lock a client's month once, post its final lines, snapshot what priced it.

Closing is one transaction that starts by flipping the period row from ``open`` to ``closed``
(``UPDATE ... WHERE status = 'open'``). Concurrent closers serialise on that row (PostgreSQL row
lock, SQLite write lock): exactly one sees a row updated and posts the lines; the others find
the period closed and return the same result. The meter holds a share lock on the period row
while it writes, so no usage slips into a period as it closes; usage completed in a closed month
lands in the next open one (``open_period_for``) and is billed there as an adjustment.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from billing.periods import next_period, period_at, period_bounds
from billing.statement import Statement, build_statement
from schemas.config import ClientConfig
from schemas.money import to_cents
from store.billing_models import BillingPeriod, PeriodStatus
from store.db import transaction

#: How far ahead the meter looks for an open period before giving up.
MAX_PERIODS_AHEAD = 24


@dataclass(frozen=True)
class CloseResult:
    """The answer of ``close_period``; racing closers get equal results."""

    client_id: str
    period: str
    closed_now: bool
    total: Decimal
    currency: str
    closed_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "period": self.period,
            "status": "closed" if self.closed_now else "already_closed",
            "total": str(self.total),
            "currency": self.currency,
            "closed_at": self.closed_at.isoformat(),
        }


def ensure_period(session: Session, client: ClientConfig, period: str) -> None:
    """Create the period row (status open) unless it exists."""
    start, end = period_bounds(period, client.timezone)
    values = {
        "client_id": client.id,
        "period": period,
        "status": PeriodStatus.OPEN,
        "starts_at": start,
        "ends_at": end,
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(BillingPeriod).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(BillingPeriod).values(values).on_conflict_do_nothing())


def period_status(session: Session, client_id: str, period: str, *, lock: bool = False) -> str:
    """``open`` or ``closed`` (a period without a row is open); ``lock`` takes a share lock."""
    query = select(BillingPeriod.status).where(
        BillingPeriod.client_id == client_id, BillingPeriod.period == period
    )
    if lock:
        query = query.with_for_update(read=True)
    return session.scalar(query) or PeriodStatus.OPEN


def open_period_for(session: Session, client: ClientConfig, at: dt.datetime) -> str:
    """The period usage completed at ``at`` belongs to: its month unless closed, then the next.

    Holds a share lock on the chosen period row until the caller's transaction ends.

    Raises:
        RuntimeError: when no open period exists within ``MAX_PERIODS_AHEAD`` months.
    """
    period = period_at(at, client.timezone)
    for _ in range(MAX_PERIODS_AHEAD):
        ensure_period(session, client, period)
        if period_status(session, client.id, period, lock=True) == PeriodStatus.OPEN:
            return period
        period = next_period(period)
    raise RuntimeError(f"no open billing period for {client.id} after {period}")


def close_period(
    engine: Engine,
    client: ClientConfig,
    period: str,
    *,
    accuracy: Decimal | None = None,
    now: dt.datetime | None = None,
) -> CloseResult:
    """Close ``period`` of ``client`` once; later or concurrent calls return the same result.

    Args:
        engine: the store.
        client: the client's config (its rate cards price the period).
        period: ``YYYY-MM``.
        accuracy: QA review accuracy for the period (0..1), for the accuracy credit.
        now: the close instant (defaults to the current time).
    """
    token = secrets.token_hex(16)
    closed_at = now or dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        ensure_period(session, client, period)
    with transaction(engine) as session:
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(BillingPeriod)
            .where(
                BillingPeriod.client_id == client.id,
                BillingPeriod.period == period,
                BillingPeriod.status == PeriodStatus.OPEN,
            )
            .values(status=PeriodStatus.CLOSED, close_token=token, closed_at=closed_at)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            st = build_statement(session, client, period, accuracy=accuracy, post=True)
            session.execute(
                update(BillingPeriod)
                .where(BillingPeriod.client_id == client.id, BillingPeriod.period == period)
                .values(
                    total=st.invoice.total, currency=st.invoice.currency, evidence=st.snapshot()
                )
                .execution_options(synchronize_session=False)
            )
    with transaction(engine) as session:
        row = session.scalars(
            select(BillingPeriod).where(
                BillingPeriod.client_id == client.id, BillingPeriod.period == period
            )
        ).one()
        assert row.total is not None
        assert row.currency is not None
        assert row.closed_at is not None
        return CloseResult(
            client_id=client.id,
            period=period,
            closed_now=row.close_token == token,
            total=to_cents(row.total),
            currency=row.currency,
            closed_at=row.closed_at,
        )


def statement_for(
    session: Session, client: ClientConfig, period: str, *, accuracy: Decimal | None = None
) -> Statement:
    """The statement of a period: frozen when closed, a preview from config when open."""
    return build_statement(session, client, period, accuracy=accuracy, post=False)


__all__ = [
    "CloseResult",
    "close_period",
    "ensure_period",
    "open_period_for",
    "period_status",
    "statement_for",
]
