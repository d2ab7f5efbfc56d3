"""What a signed-in person may do to the queue, checked before anything changes.

The CLI, the web page and the Prefect form turn who is acting into an
:class:`access.roles.Actor` and call these functions, never the state machine directly, so
every path applies the same rules:

- a person sees only the clients assigned: another client's item is "no review item N", as if
  it did not exist (the web page answers 404);
- roles gate actions (:mod:`access.roles`): reviewers and leads claim and decide, only leads
  take escalated items or reassign someone else's claim, only QA records QA outcomes;
- every refusal of an item that exists is appended to the audit trail (who, what, why) in a
  transaction of its own, and changes nothing else: a refused claim or decision neither takes
  nor renews a lease.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from access.roles import Actor, Permission
from access.users import UnknownUserError, actor_for
from review import qa, queue
from review.corrections import Correction
from review.decision import (
    CorrectionRefusedError,
    ReviewAction,
    ReviewOutcome,
    Workspace,
    resolve_item,
)
from review.lease import DEFAULT_LEASE
from review.queue import ReviewRefusedError
from schemas.config import ClientConfig
from store.audit import append
from store.db import transaction
from store.models import ReviewItem, ReviewStatus
from store.qa_models import QaSample

T = TypeVar("T")

#: What each verb needs, besides seeing the item's client.
NEEDS = {
    "view": Permission.VIEW_QUEUE,
    "claim": Permission.WORK_ITEMS,
    "decide": Permission.WORK_ITEMS,
    "release": Permission.WORK_ITEMS,
    "escalate": Permission.WORK_ITEMS,
    "reassign": Permission.REASSIGN,
}


class NotAllowedError(ReviewRefusedError):
    """The person sees the item but their role does not allow the action (web: 403)."""


class HiddenError(ReviewRefusedError):
    """The item does not exist for this person (web: 404)."""


def _hidden(item_id: int, what: str = "review item") -> HiddenError:
    return HiddenError(f"no {what} {item_id}")


def named_actor(engine: Engine, name: str, *, via: str = "cli") -> Actor:
    """The enabled user ``name`` as an actor; :class:`ReviewRefusedError` when there is none."""
    with transaction(engine) as session:
        try:
            return actor_for(session, name, via=via)
        except UnknownUserError as exc:
            raise ReviewRefusedError(str(exc)) from None


def _audit_refusal(
    engine: Engine, actor: Actor, item_id: int, verb: str, why: str, now: dt.datetime
) -> None:
    """One ``<verb>_refused`` row for an item that exists (read again: the refused
    transaction rolled back)."""
    with transaction(engine) as session:
        item = session.get(ReviewItem, item_id)
        if item is None:
            return
        append(
            session,
            actor=actor.name,
            action=f"{verb}_refused",
            client_id=item.client_id,
            at=now,
            item=item,
            reason=why,
        )


def check(actor: Actor, item: ReviewItem, verb: str) -> None:
    """Refuse when ``actor`` may not ``verb`` the item (not audited: see :func:`_guarded`)."""
    if not actor.sees(item.client_id) or not actor.may(Permission.VIEW_QUEUE):
        raise _hidden(item.id)
    if not actor.may(NEEDS[verb]):
        raise NotAllowedError(f"{actor.name} ({actor.role}) may not {verb} review items")
    escalated = item.status == ReviewStatus.ESCALATED or (
        item.escalated and item.status == ReviewStatus.CLAIMED
    )
    if (
        verb in ("claim", "decide")
        and escalated
        and not actor.may(Permission.HANDLE_ESCALATED)
        and item.claimed_by != actor.name
    ):
        raise NotAllowedError(
            f"item {item.id} is escalated: a lead takes it ({actor.name} is a {actor.role})"
        )


def _item(session: Session, item_id: int, client_id: str | None) -> ReviewItem | None:
    item = session.get(ReviewItem, item_id, populate_existing=True)
    if item is None or (client_id is not None and item.client_id != client_id):
        return None
    return item


def _guarded(
    engine: Engine,
    actor: Actor,
    item_id: int,
    verb: str,
    client_id: str | None,
    act: Callable[[Session, ReviewItem], T],
    now: dt.datetime,
) -> T:
    """Check, then ``act`` in one transaction; a refusal is audited (when the item exists)
    after that transaction rolled back."""
    try:
        with transaction(engine) as session:
            seen = _item(session, item_id, client_id)
            if seen is None:
                raise _hidden(item_id)
            check(actor, seen, verb)
            return act(session, seen)
    except ReviewRefusedError as exc:
        _audit_refusal(engine, actor, item_id, verb, str(exc), now)
        raise


def visible_item(session: Session, actor: Actor, item_id: int, client_id: str | None) -> ReviewItem:
    """The item, when ``actor`` may look at it; :class:`HiddenError` otherwise."""
    item = _item(session, item_id, client_id)
    if item is None:
        raise _hidden(item_id)
    check(actor, item, "view")
    return item


def visible_clients(actor: Actor, clients: Mapping[str, ClientConfig]) -> list[str]:
    """The configured clients whose queues ``actor`` may open."""
    return actor.queues(clients)


def claim(
    engine: Engine,
    actor: Actor,
    *,
    item_id: int,
    now: dt.datetime,
    client_id: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> ReviewItem:
    """Claim one item for ``actor`` (or renew their lease)."""

    def act(session: Session, item: ReviewItem) -> ReviewItem:
        return queue.claim_item(session, item_id=item.id, reviewer=actor.name, now=now, lease=lease)

    return _guarded(engine, actor, item_id, "claim", client_id, act, now)


def claim_next(
    engine: Engine,
    actor: Actor,
    *,
    now: dt.datetime,
    clients: Mapping[str, ClientConfig],
    client_id: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> ReviewItem | None:
    """The next item of ``actor``'s clients by priority and due time, claimed; escalated items
    only for leads. None when nothing is waiting for them."""
    if not actor.may(Permission.WORK_ITEMS):
        raise NotAllowedError(f"{actor.name} ({actor.role}) may not claim review items")
    scope = visible_clients(actor, clients)
    if client_id is not None:
        if client_id not in scope:
            raise HiddenError(f"no client {client_id!r}")
        scope = [client_id]
    if not scope:
        return None
    with transaction(engine) as session:
        return queue.claim_next(
            session,
            reviewer=actor.name,
            now=now,
            lease=lease,
            client_ids=scope,
            escalated=actor.may(Permission.HANDLE_ESCALATED),
        )


def release(
    engine: Engine, actor: Actor, *, item_id: int, now: dt.datetime, client_id: str | None = None
) -> ReviewItem:
    """Give ``actor``'s claim back to the queue; a lead may release anyone's claim."""

    def act(session: Session, item: ReviewItem) -> ReviewItem:
        mine = item.claimed_by == actor.name
        if item.status == ReviewStatus.CLAIMED and not mine:
            if not actor.may(Permission.REASSIGN):
                raise NotAllowedError(f"item {item.id} is claimed by {item.claimed_by}")
            return queue.reassign(session, item_id=item.id, actor=actor.name, to=None, now=now)
        return queue.release(session, item_id=item.id, reviewer=actor.name, now=now)

    return _guarded(engine, actor, item_id, "release", client_id, act, now)


def reassign(
    engine: Engine,
    actor: Actor,
    *,
    item_id: int,
    to: str,
    now: dt.datetime,
    client_id: str | None = None,
    reason: str | None = None,
) -> ReviewItem:
    """A lead gives an active item to another person, who must be enabled, assigned to the
    item's client and allowed to work it."""

    def act(session: Session, item: ReviewItem) -> ReviewItem:
        try:
            target = actor_for(session, to)
        except UnknownUserError as exc:
            raise ReviewRefusedError(str(exc)) from None
        try:
            check(target, item, "claim")
        except ReviewRefusedError:
            raise NotAllowedError(
                f"{to} ({target.role}) cannot work item {item.id} of {item.client_id}"
            ) from None
        return queue.reassign(
            session, item_id=item.id, actor=actor.name, to=target.name, now=now, reason=reason
        )

    return _guarded(engine, actor, item_id, "reassign", client_id, act, now)


def escalate(
    engine: Engine,
    actor: Actor,
    *,
    item_id: int,
    reason: str,
    now: dt.datetime,
    client_id: str | None = None,
) -> ReviewItem:
    """Send an item to the front of the queue for a lead."""

    def act(session: Session, item: ReviewItem) -> ReviewItem:
        return queue.escalate(session, item_id=item.id, actor=actor.name, reason=reason, now=now)

    return _guarded(engine, actor, item_id, "escalate", client_id, act, now)


def decide(
    ws: Workspace,
    actor: Actor,
    *,
    item_id: int,
    action: ReviewAction | str,
    corrections: Sequence[Correction] = (),
    reason: str | None = None,
    client_id: str | None = None,
    flow_run_id: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> ReviewOutcome:
    """Approve, correct or reject an item as ``actor`` (see ``review.decision``)."""
    now = dt.datetime.now(dt.UTC)
    with transaction(ws.engine) as session:
        item = _item(session, item_id, client_id)
    if item is None:
        raise _hidden(item_id)
    try:
        check(actor, item, "decide")
        return resolve_item(
            ws,
            item_id=item_id,
            reviewer=actor.name,
            action=action,
            corrections=corrections,
            reason=reason,
            client_id=item.client_id,
            flow_run_id=flow_run_id,
            lease=lease,
        )
    except CorrectionRefusedError:
        raise  # audited by the decision itself, with the rules that still fail
    except ReviewRefusedError as exc:
        _audit_refusal(ws.engine, actor, item_id, "decide", str(exc), now)
        raise


def record_qa(
    engine: Engine,
    actor: Actor,
    *,
    sample_id: int,
    outcome: str,
    now: dt.datetime,
    note: str | None = None,
    client_id: str | None = None,
) -> QaSample:
    """Record a QA outcome as ``actor`` (QA role, assigned to the sample's client)."""
    with transaction(engine) as session:
        sample = session.get(QaSample, sample_id)
        if sample is None or (client_id is not None and sample.client_id != client_id):
            raise _hidden(sample_id, "QA sample")
        if not actor.sees(sample.client_id):
            raise _hidden(sample_id, "QA sample")
        if not actor.may(Permission.QA):
            raise NotAllowedError(f"{actor.name} ({actor.role}) may not record QA outcomes")
        return qa.record_outcome(
            session,
            sample_id=sample_id,
            reviewer=actor.name,
            outcome=outcome,
            now=now,
            note=note,
            client_id=sample.client_id,
        )
