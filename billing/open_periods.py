"""Which billing period usage goes to, and the period rows the meter and the close share.

The meter holds a share lock on the period row while it writes (``open_period_for``), so no
usage slips into a period as it closes; usage completed in a closed month lands in the next
open one and is billed there as an adjustment.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from billing.periods import next_period, period_at, period_bounds
from schemas.config import ClientConfig
from store.billing_models import BillingPeriod, PeriodStatus

#: How far ahead the meter looks for an open period before giving up.
MAX_PERIODS_AHEAD = 24


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
