"""The review queue's state machine: claim with a lease, release, expire, escalate, close.

Two reviewers never hold the same item. Every transition is one conditional ``UPDATE`` that
names the state it expects (and, for closing, the ``version`` the caller saw); exactly one
writer's update matches, the other gets ``rowcount == 0`` and a refusal. On PostgreSQL
``claim_next`` also picks its candidate with ``FOR UPDATE SKIP LOCKED`` so concurrent reviewers
take different rows instead of queueing on the same one; SQLite serialises writers, and the
conditional update decides.

Lifecycle::

    open ──claim──> claimed ──close──> resolved | rejected
      ^  <─release/lease expiry─┘
    escalated (claimable, first in line; a released escalated item stays escalated)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from review.lease import DEFAULT_LEASE
from schemas.doc_type import RecordState
from store.audit import append
from store.models import Record, ReviewItem, ReviewStatus

ESCALATED_PRIORITY = 10
CLAIMABLE = (ReviewStatus.OPEN, ReviewStatus.ESCALATED)
_SQLITE_CANDIDATES = 16


class ReviewRefusedError(Exception):
    """The action is not allowed in the item's current state; the message says why."""


def _queue_order() -> tuple[Any, ...]:
    return (
        ReviewItem.priority,
        case((ReviewItem.due_at.is_(None), 1), else_=0),
        ReviewItem.due_at,
        ReviewItem.id,
    )


def _released_status() -> Any:
    return case((ReviewItem.escalated, ReviewStatus.ESCALATED), else_=ReviewStatus.OPEN)


def get_for_client(session: Session, *, item_id: int, client_id: str | None) -> ReviewItem:
    """The item, refreshed from the database; another client's item is 'not found'."""
    item = session.get(ReviewItem, item_id, populate_existing=True)
    if item is None or (client_id is not None and item.client_id != client_id):
        raise ReviewRefusedError(f"no review item {item_id}")
    return item


_UNCLAIMED: dict[str, Any] = {"claimed_by": None, "lease_until": None, "claimed_at": None}


def _transition(session: Session, item_id: int, where: Collection[Any], **values: Any) -> bool:
    """One conditional ``UPDATE`` of an item that bumps its version; True when it matched."""
    res = session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item_id, *where)
        .values(**values, version=ReviewItem.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(res.rowcount == 1)  # type: ignore[attr-defined]


def _audited(
    session: Session,
    *,
    item_id: int,
    client_id: str | None,
    actor: str,
    action: str,
    now: dt.datetime,
    **entry: Any,
) -> ReviewItem:
    """The item as it is after a transition, with the transition appended to the audit trail."""
    item = get_for_client(session, item_id=item_id, client_id=client_id)
    append(
        session, actor=actor, action=action, client_id=item.client_id, at=now, item=item, **entry
    )
    return item


def expire_leases(session: Session, *, now: dt.datetime) -> list[int]:
    """Return items whose lease ran out to the queue; audited as ``lease_expired``."""
    stale = session.scalars(
        select(ReviewItem.id).where(
            ReviewItem.status == ReviewStatus.CLAIMED, ReviewItem.lease_until < now
        )
    ).all()
    returned: list[int] = []
    for item_id in stale:
        where = (ReviewItem.status == ReviewStatus.CLAIMED, ReviewItem.lease_until < now)
        if _transition(session, item_id, where, status=_released_status(), **_UNCLAIMED):
            _audited(
                session,
                item_id=item_id,
                client_id=None,
                actor="system",
                action="lease_expired",
                now=now,
            )
            returned.append(item_id)
    return returned


def _take(
    session: Session, *, item_id: int, reviewer: str, now: dt.datetime, lease: dt.timedelta
) -> ReviewItem | None:
    taken = _transition(
        session,
        item_id,
        (ReviewItem.status.in_(CLAIMABLE),),
        status=ReviewStatus.CLAIMED,
        claimed_by=reviewer,
        claimed_at=now,
        lease_until=now + lease,
    )
    if not taken:
        return None
    return _audited(
        session, item_id=item_id, client_id=None, actor=reviewer, action="claim", now=now
    )


def claim_next(
    session: Session,
    *,
    reviewer: str,
    now: dt.datetime,
    client_id: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
    client_ids: Collection[str] | None = None,
    escalated: bool = True,
) -> ReviewItem | None:
    """Claim the first claimable item by priority, then due time; None when the queue is empty.

    ``client_ids`` limits the queue to those clients (the caller's assignment); with
    ``escalated=False`` escalated items are left for someone allowed to take them.
    """
    expire_leases(session, now=now)
    statuses = CLAIMABLE if escalated else (ReviewStatus.OPEN,)
    stmt = select(ReviewItem.id).where(ReviewItem.status.in_(statuses))
    if client_id is not None:
        stmt = stmt.where(ReviewItem.client_id == client_id)
    if client_ids is not None:
        stmt = stmt.where(ReviewItem.client_id.in_(sorted(client_ids)))
    stmt = stmt.order_by(*_queue_order())
    if session.get_bind().dialect.name == "postgresql":
        while True:
            item_id = session.scalars(stmt.limit(1).with_for_update(skip_locked=True)).first()
            if item_id is None:
                return None
            item = _take(session, item_id=item_id, reviewer=reviewer, now=now, lease=lease)
            if item is not None:
                return item
    while True:
        candidates = session.scalars(stmt.limit(_SQLITE_CANDIDATES)).all()
        if not candidates:
            return None
        for item_id in candidates:
            item = _take(session, item_id=item_id, reviewer=reviewer, now=now, lease=lease)
            if item is not None:
                return item


def check_can_take(item: ReviewItem, *, reviewer: str, now: dt.datetime) -> None:
    """Refuse when ``reviewer`` could not claim the item now: someone else holds a live lease
    on it, or it is closed. Changes nothing."""
    held = item.status == ReviewStatus.CLAIMED and item.lease_until and item.lease_until >= now
    if held and item.claimed_by != reviewer:
        assert item.lease_until is not None
        raise ReviewRefusedError(
            f"item {item.id} is claimed by {item.claimed_by} until {item.lease_until:%H:%M} UTC"
        )
    if item.status not in ReviewStatus.ACTIVE:
        raise ReviewRefusedError(f"item {item.id} is already {item.status}")


def claim_item(
    session: Session,
    *,
    item_id: int,
    reviewer: str,
    now: dt.datetime,
    client_id: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> ReviewItem:
    """Claim one item (or renew the caller's own lease on it)."""
    item = get_for_client(session, item_id=item_id, client_id=client_id)
    if item.status == ReviewStatus.CLAIMED and item.lease_until and item.lease_until < now:
        expire_leases(session, now=now)
        item = get_for_client(session, item_id=item_id, client_id=client_id)
    if item.status == ReviewStatus.CLAIMED:
        if item.claimed_by != reviewer:
            raise ReviewRefusedError(
                f"item {item_id} is claimed by {item.claimed_by} until {item.lease_until:%H:%M} UTC"
            )
        held = (ReviewItem.status == ReviewStatus.CLAIMED, ReviewItem.claimed_by == reviewer)
        if not _transition(session, item_id, held, lease_until=now + lease):
            raise ReviewRefusedError(f"item {item_id} changed while renewing the lease; try again")
        return get_for_client(session, item_id=item_id, client_id=client_id)
    if item.status not in CLAIMABLE:
        raise ReviewRefusedError(f"item {item_id} is already {item.status}")
    taken = _take(session, item_id=item_id, reviewer=reviewer, now=now, lease=lease)
    if taken is None:
        raise ReviewRefusedError(f"item {item_id} was claimed by someone else first")
    return taken


def release(
    session: Session,
    *,
    item_id: int,
    reviewer: str,
    now: dt.datetime,
    client_id: str | None = None,
    reason: str | None = None,
) -> ReviewItem:
    """Give a claimed item back to the queue (only its holder can)."""
    get_for_client(session, item_id=item_id, client_id=client_id)
    held = (ReviewItem.status == ReviewStatus.CLAIMED, ReviewItem.claimed_by == reviewer)
    if not _transition(session, item_id, held, status=_released_status(), **_UNCLAIMED):
        raise ReviewRefusedError(f"item {item_id} is not claimed by {reviewer}")
    return _audited(
        session,
        item_id=item_id,
        client_id=client_id,
        actor=reviewer,
        action="release",
        now=now,
        reason=reason,
    )


def reassign(
    session: Session,
    *,
    item_id: int,
    actor: str,
    to: str | None,
    now: dt.datetime,
    client_id: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
    reason: str | None = None,
) -> ReviewItem:
    """Take an active item from whoever holds it and give it to ``to`` under a new lease, or
    back to the queue (``to=None``); audited as ``reassign`` (before: the holder, after: ``to``).

    Who may do this is the caller's business (``review.acting`` lets leads).
    """
    item = get_for_client(session, item_id=item_id, client_id=client_id)
    holder = item.claimed_by if item.status == ReviewStatus.CLAIMED else None
    values: dict[str, Any] = {"status": _released_status(), **_UNCLAIMED}
    if to is not None:
        values.update(
            status=ReviewStatus.CLAIMED, claimed_by=to, claimed_at=now, lease_until=now + lease
        )
    current = (ReviewItem.version == item.version, ReviewItem.status.in_(ReviewStatus.ACTIVE))
    if not _transition(session, item_id, current, **values):
        raise ReviewRefusedError(f"item {item_id} is {item.status}; it cannot be reassigned")
    return _audited(
        session,
        item_id=item_id,
        client_id=client_id,
        actor=actor,
        action="reassign",
        now=now,
        field="claimed_by",
        before=holder,
        after=to,
        reason=reason,
    )


def escalate(
    session: Session,
    *,
    item_id: int,
    actor: str,
    reason: str,
    now: dt.datetime,
    client_id: str | None = None,
) -> ReviewItem:
    """Move an active item to the front of the queue for a senior reviewer.

    An item someone else holds cannot be escalated from under them; the holder's claim ends.
    """
    item = get_for_client(session, item_id=item_id, client_id=client_id)
    if item.status == ReviewStatus.CLAIMED and item.claimed_by != actor:
        raise ReviewRefusedError(f"item {item_id} is claimed by {item.claimed_by}")
    current = (ReviewItem.version == item.version, ReviewItem.status.in_(ReviewStatus.ACTIVE))
    escalated = _transition(
        session,
        item_id,
        current,
        status=ReviewStatus.ESCALATED,
        escalated=True,
        escalation_reason=reason,
        priority=min(item.priority, ESCALATED_PRIORITY),
        **_UNCLAIMED,
    )
    if not escalated:
        raise ReviewRefusedError(f"item {item_id} is {item.status}; it cannot be escalated")
    return _audited(
        session,
        item_id=item_id,
        client_id=client_id,
        actor=actor,
        action="escalate",
        now=now,
        reason=reason,
    )


def close_item(
    session: Session,
    *,
    item: ReviewItem,
    reviewer: str,
    outcome: str,
    resolution: str,
    now: dt.datetime,
    fields: dict[str, Any] | None = None,
    outputs: list[str] | None = None,
) -> ReviewItem:
    """Finish a claimed item as ``resolved`` or ``rejected`` and move its record to the matching
    final state, in the caller's transaction.

    Only the reviewer holding a live lease, on the version they read, wins; anything else is
    refused and nothing changes (the caller rolls back).
    """
    if outcome not in (ReviewStatus.RESOLVED, ReviewStatus.REJECTED):
        raise ValueError(f"outcome must be resolved or rejected, not {outcome!r}")
    values: dict[str, Any] = {
        "status": outcome,
        "resolved_by": reviewer,
        "resolved_at": now,
        "resolution": resolution,
        "claimed_by": None,
        "lease_until": None,
        "outputs": outputs,
    }
    if fields is not None:
        values["fields"] = fields
    live = (
        ReviewItem.version == item.version,
        ReviewItem.status == ReviewStatus.CLAIMED,
        ReviewItem.claimed_by == reviewer,
        ReviewItem.lease_until >= now,
    )
    if not _transition(session, item.id, live, **values):
        raise ReviewRefusedError(
            f"item {item.id} is no longer claimed by {reviewer} (lease expired or changed)"
        )
    state = RecordState.COMPLETED if outcome == ReviewStatus.RESOLVED else RecordState.REJECTED
    moved = session.execute(
        update(Record)
        .where(
            Record.file_id == item.file_id,
            Record.record_index == item.record_index,
            Record.state == RecordState.IN_REVIEW.value,
        )
        .values(state=state.value, completed_at=now if state is RecordState.COMPLETED else None)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ReviewRefusedError(f"record of item {item.id} is not in review")
    return get_for_client(session, item_id=item.id, client_id=None)
