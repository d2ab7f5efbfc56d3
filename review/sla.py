"""SLA housekeeping on the queue: business-time due dates, expired leases, QA sampling, and
breaches announced once.

Items routed before their client's working calendar was applied (``sla_scheduled`` false) get
their due time from :func:`review.due.business_due`, once per item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from review.due import business_due
from review.queue import expire_leases
from schemas.config import ClientConfig
from store.db import transaction
from store.models import ReviewItem, ReviewStatus


def schedule_due_times(
    session: Session, *, clients: Mapping[str, ClientConfig], limit: int = 10_000
) -> int:
    """Give active items not yet scheduled a business-time ``due_at``; returns how many."""
    items = session.scalars(
        select(ReviewItem)
        .where(ReviewItem.status.in_(ReviewStatus.ACTIVE), ReviewItem.sla_scheduled.is_(False))
        .limit(limit)
    ).all()
    n = 0
    for item in items:
        client = clients.get(item.client_id)
        if client is None:
            continue
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == item.id, ReviewItem.sla_scheduled.is_(False))
            .values(due_at=business_due(item.created_at, client), sla_scheduled=True)
            .execution_options(synchronize_session=False)
        )
        n += 1
    return n


def breached_items(session: Session, *, now: dt.datetime) -> list[ReviewItem]:
    """Active items past due whose breach has not been announced yet."""
    return list(
        session.scalars(
            select(ReviewItem)
            .where(
                ReviewItem.status.in_(ReviewStatus.ACTIVE),
                ReviewItem.due_at < now,
                ReviewItem.sla_breach_notified.is_(False),
            )
            .order_by(ReviewItem.due_at, ReviewItem.id)
        )
    )


def mark_breach_notified(session: Session, *, item_id: int) -> bool:
    """Claim the right to announce one item's breach: True for exactly one caller."""
    res = session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item_id, ReviewItem.sla_breach_notified.is_(False))
        .values(sla_breach_notified=True)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True)
class SlaReport:
    scheduled: int
    leases_expired: int
    breached: list[int]
    qa_sampled: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "scheduled": self.scheduled,
            "leases_expired": self.leases_expired,
            "breached": self.breached,
            "qa_sampled": self.qa_sampled,
        }


Emit = Callable[[ReviewItem], None]


def check_slas(
    engine: Engine,
    *,
    clients: Mapping[str, ClientConfig],
    emit: Emit,
    now: dt.datetime | None = None,
) -> SlaReport:
    """Housekeeping run on a schedule: business-time due dates, expired leases, QA sampling,
    and one ``emit`` per item past due (the item is marked first; a failed emit rolls back so
    the next run retries)."""
    # QA sampling brings Polars and the bulk writer: loaded here, so that listing the queue
    # (which schedules due times only) starts without them.
    from review.qa import sample_completed

    now = now or dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        scheduled = schedule_due_times(session, clients=clients)
        expired = expire_leases(session, now=now)
        sampled = sample_completed(session, clients=clients, now=now)
        overdue = breached_items(session, now=now)
    announced: list[int] = []
    for item in overdue:
        with transaction(engine) as session:
            if mark_breach_notified(session, item_id=item.id):
                emit(item)
                announced.append(item.id)
    return SlaReport(scheduled, len(expired), announced, sampled)
