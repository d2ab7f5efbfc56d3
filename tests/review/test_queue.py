"""The queue's state machine: leases, ordering, refusals, and conservation through each path."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from app.root import App
from review.corrections import Correction
from review.decision import ReviewAction, resolve_item
from review.queue import (
    ReviewRefusedError,
    claim_item,
    claim_next,
    escalate,
    expire_leases,
    release,
)
from store.db import transaction
from store.models import Record, ReviewItem, ReviewStatus, UsageEntry
from store.reconcile import reconcile
from tests.review_factory import GOOD_ROUTING, process_payroll

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
FIX = [Correction("routing_number", GOOD_ROUTING)]


def _balanced(rt: App) -> None:
    with transaction(rt.engine) as session:
        problems = [p for b in reconcile(session) for p in b.problems]
    assert problems == []


def _ids(rt: App) -> list[int]:
    with transaction(rt.engine) as session:
        return list(session.scalars(select(ReviewItem.id).order_by(ReviewItem.id)))


def _primary_usage(rt: App) -> Counter[str]:
    with transaction(rt.engine) as session:
        rows = session.scalars(select(UsageEntry).where(UsageEntry.unit == "payroll_payment"))
        return Counter(u.transaction_id for u in rows)


def test_claim_next_follows_priority_then_due_time(runtime: App) -> None:
    process_payroll(runtime, rows=20, every=5)
    ids = _ids(runtime)
    with transaction(runtime.engine) as session:
        session.execute(update(ReviewItem).where(ReviewItem.id == ids[2]).values(priority=5))
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == ids[1])
            .values(due_at=NOW - dt.timedelta(days=3))
        )
    order = []
    with transaction(runtime.engine) as session:
        while (item := claim_next(session, reviewer="ann", now=NOW)) is not None:
            order.append(item.id)
    assert order[:2] == [ids[2], ids[1]]
    assert sorted(order) == ids


def test_two_reviewers_never_hold_the_same_item(runtime: App) -> None:
    process_payroll(runtime, rows=10, every=5)
    first = _ids(runtime)[0]
    with transaction(runtime.engine) as session:
        claim_item(session, item_id=first, reviewer="ann", now=NOW)
    with transaction(runtime.engine) as session, pytest.raises(ReviewRefusedError, match="ann"):
        claim_item(session, item_id=first, reviewer="bob", now=NOW)
    with transaction(runtime.engine) as session:
        nxt = claim_next(session, reviewer="bob", now=NOW)
        assert nxt is not None
        assert nxt.id != first
        renewed = claim_item(session, item_id=first, reviewer="ann", now=NOW)
        assert renewed.claimed_by == "ann"


def test_release_only_by_holder_and_escalated_items_come_first(runtime: App) -> None:
    process_payroll(runtime, rows=20, every=5)
    ids = _ids(runtime)
    with transaction(runtime.engine) as session:
        claim_item(session, item_id=ids[3], reviewer="ann", now=NOW)
        with pytest.raises(ReviewRefusedError):
            release(session, item_id=ids[3], reviewer="bob", now=NOW)
        escalate(session, item_id=ids[3], actor="ann", reason="needs payroll lead", now=NOW)
    with transaction(runtime.engine) as session:
        item = claim_next(session, reviewer="lead", now=NOW)
        assert item is not None
        assert item.id == ids[3]
        assert item.escalated
        back = release(session, item_id=ids[3], reviewer="lead", now=NOW)
        assert back.status == ReviewStatus.ESCALATED


def test_items_are_tenant_scoped(runtime: App) -> None:
    process_payroll(runtime, rows=10, every=5)
    first = _ids(runtime)[0]
    with (
        transaction(runtime.engine) as session,
        pytest.raises(ReviewRefusedError, match="no review"),
    ):
        claim_item(session, item_id=first, reviewer="ann", now=NOW, client_id="globex")
    with transaction(runtime.engine) as session:
        assert claim_next(session, reviewer="ann", now=NOW, client_id="globex") is None


def test_lease_expiry_returns_the_item_and_the_old_holder_cannot_finish(runtime: App) -> None:
    process_payroll(runtime, rows=10, every=5)
    first = _ids(runtime)[0]
    now = dt.datetime.now(dt.UTC)
    with transaction(runtime.engine) as session:
        claim_item(session, item_id=first, reviewer="ann", now=now - dt.timedelta(hours=2))
    with transaction(runtime.engine) as session:
        assert expire_leases(session, now=now) == [first]
        assert session.get(ReviewItem, first).status == ReviewStatus.OPEN  # type: ignore[union-attr]
    _balanced(runtime)
    out = resolve_item(runtime, item_id=first, reviewer="bob", action="correct", corrections=FIX)
    assert out.billed == 1
    with pytest.raises(ReviewRefusedError, match="already resolved"):
        resolve_item(runtime, item_id=first, reviewer="ann", action="correct", corrections=FIX)
    _balanced(runtime)
    assert max(_primary_usage(runtime).values()) == 1


def test_resolve_bills_once_and_reject_bills_nothing(runtime: App) -> None:
    process_payroll(runtime, rows=10, every=5)
    a, b = _ids(runtime)[:2]
    before = sum(_primary_usage(runtime).values())
    resolve_item(runtime, item_id=a, reviewer="ann", action="correct", corrections=FIX)
    resolve_item(runtime, item_id=b, reviewer="ann", action=ReviewAction.REJECT, reason="bogus")
    with pytest.raises(ReviewRefusedError):
        resolve_item(runtime, item_id=a, reviewer="ann", action="correct", corrections=FIX)
    usage = _primary_usage(runtime)
    assert sum(usage.values()) == before + 1
    with transaction(runtime.engine) as session:
        states = dict(
            session.execute(
                select(ReviewItem.id, Record.state).join(
                    Record,
                    (Record.file_id == ReviewItem.file_id)
                    & (Record.record_index == ReviewItem.record_index),
                )
            ).all()
        )
        rejected = session.get(ReviewItem, b)
        assert rejected is not None
        live = session.scalar(
            select(func.count())
            .select_from(UsageEntry)
            .where(
                UsageEntry.file_id == rejected.file_id,
                UsageEntry.record_index == rejected.record_index,
            )
        )
    assert states[a] == "completed"
    assert states[b] == "rejected"
    assert live == 0
    _balanced(runtime)


@pytest.mark.slow
def test_eight_reviewers_work_a_thousand_items(runtime: App) -> None:
    """Concurrent claim -> correct (1 in 10) or reject; nothing claimed twice or lost."""
    process_payroll(runtime, rows=1000, all_bad_routing=True)
    claims: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def reviewer(name: str) -> None:
        try:
            while True:
                with transaction(runtime.engine) as session:
                    item = claim_next(session, reviewer=name, now=dt.datetime.now(dt.UTC))
                if item is None:
                    return
                with lock:
                    claims.append((name, item.id))
                if item.id % 10 == 0:
                    resolve_item(
                        runtime, item_id=item.id, reviewer=name, action="correct", corrections=FIX
                    )
                else:
                    resolve_item(
                        runtime, item_id=item.id, reviewer=name, action="reject", reason="test"
                    )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=reviewer, args=(f"r{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    claimed = Counter(item_id for _, item_id in claims)
    assert len(claimed) == 1000
    assert max(claimed.values()) == 1
    assert len({name for name, _ in claims}) > 1
    with transaction(runtime.engine) as session:
        open_left = session.scalar(
            select(func.count())
            .select_from(ReviewItem)
            .where(ReviewItem.status.in_(ReviewStatus.ACTIVE))
        )
        completed = session.scalar(
            select(func.count()).select_from(Record).where(Record.state == "completed")
        )
    assert open_left == 0
    assert completed == 100
    usage = _primary_usage(runtime)
    assert len(usage) == 100
    assert max(usage.values()) == 1
    _balanced(runtime)
