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
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.orm import Session

from billing.ledger import with_record_keys
from billing.open_periods import ensure_period
from billing.sla import qa_accuracy
from billing.statement import Statement, build_statement
from schemas.config import ClientConfig
from schemas.money import to_cents
from store.billing_models import BillingPeriod, PeriodStatus
from store.db import transaction
from store.qa_models import QaStatus, outcome_counts


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
        accuracy: QA review accuracy (0..1) for the accuracy credit; by default the accuracy
            the client's decided QA samples measure (:func:`measured_accuracy`).
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
            if accuracy is None:
                accuracy = measured_accuracy(session, client.id)
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
    """The statement of a period as finance exports it: frozen when closed, a preview from
    config when open (with the measured QA accuracy unless ``accuracy`` is given, as the close
    would use); each entry carries its record's ``record_key``."""
    if accuracy is None:
        accuracy = measured_accuracy(session, client.id)
    st = build_statement(session, client, period, accuracy=accuracy, post=False)
    return replace(st, entries=with_record_keys(session, st.entries))


def measured_accuracy(session: Session, client_id: str) -> Decimal | None:
    """The client's QA accuracy over every doc type (None before any decided sample): what
    ``bpo billing close`` and the monthly close flow both bill."""
    counts = outcome_counts(session, client_id=client_id).values()
    passed = sum(c.get(QaStatus.PASSED, 0) for c in counts)
    failed = sum(c.get(QaStatus.FAILED, 0) for c in counts)
    return qa_accuracy(passed, failed)


__all__ = ["CloseResult", "close_period", "measured_accuracy", "statement_for"]
