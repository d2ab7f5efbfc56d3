"""Review SLAs in business time: due times in the client's working hours, and breaches.

Routing stamps ``due_at`` as wall-clock ``created_at + sla_hours``; ``schedule_due_times``
replaces it, once per item, with ``sla_hours`` *working* hours in the client's time zone
(``[review] timezone``, else the client's ``timezone``) and ``business_hours``. A Friday 16:00
item with an 8-hour SLA in New York is due Monday 15:00 local, not Saturday 00:00.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from schemas.config import ClientConfig
from store.models import ReviewItem, ReviewStatus
from worktime import add_business_hours, business_hours_between


def client_zone(client: ClientConfig) -> str:
    return client.review.timezone or client.timezone


def business_due(created_at: dt.datetime, client: ClientConfig) -> dt.datetime:
    review = client.review
    return add_business_hours(
        created_at, review.sla_hours, client_zone(client), review.business_hours
    )


def business_age_hours(item: ReviewItem, client: ClientConfig, now: dt.datetime) -> Decimal:
    """Working hours the item has waited so far (its aging in the client's business time)."""
    hours = business_hours_between(
        item.created_at, now, client_zone(client), client.review.business_hours
    )
    return hours.quantize(Decimal("0.1"))


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
