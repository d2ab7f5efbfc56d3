"""The Prefect form flow and the SLA check, against the session's test harness."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.root import App, install_app
from flows.reviews import FieldCorrection, resolve_review_item, review_sla_check
from review.decision import CorrectionRefusedError, ReviewAction
from review.sla import check_slas
from schemas.config import ClientConfig
from store.db import transaction
from store.models import Record, ReviewItem, UsageEntry
from store.reconcile import reconcile
from tests.review_factory import GOOD_ROUTING, add_person, process_payroll


def _items(rt: App) -> list[ReviewItem]:
    with transaction(rt.engine) as session:
        return list(session.scalars(select(ReviewItem).order_by(ReviewItem.id)))


def _usage(rt: App, item: ReviewItem) -> list[UsageEntry]:
    with transaction(rt.engine) as session:
        return list(
            session.scalars(
                select(UsageEntry).where(
                    UsageEntry.file_id == item.file_id, UsageEntry.record_index == item.record_index
                )
            )
        )


def test_corrected_payroll_row_completes_with_a_supplemental_ach(runtime: App) -> None:
    add_person(runtime)
    file = process_payroll(runtime, rows=10, every=5)
    item = _items(runtime)[0]
    result = resolve_review_item(
        item_id=item.id,
        reviewer="ann",
        action=ReviewAction.CORRECT,
        corrections=[FieldCorrection(field="routing_number", value=GOOD_ROUTING)],
    )
    assert result.status == "resolved"
    assert result.record_state == "completed"
    ach = [o for o in result.outputs if o.endswith(f".review-{item.id}.ach")]
    assert ach
    assert GOOD_ROUTING in Path(ach[0].removeprefix("file://")).read_text()
    (entry,) = _usage(runtime, item)
    assert entry.transaction_id == f"payroll:{file.sha256[:16]}:{item.record_index}"
    assert entry.flow_run_id  # the form run is traceable from the ledger
    with transaction(runtime.engine) as session:
        assert all(b.ok for b in reconcile(session))
        state = session.scalar(
            select(Record.state).where(
                Record.file_id == item.file_id, Record.record_index == item.record_index
            )
        )
    assert state == "completed"


def test_a_refused_correction_fails_the_run_and_changes_nothing(runtime: App) -> None:
    add_person(runtime)
    process_payroll(runtime, rows=10, every=5)
    item = _items(runtime)[0]
    with pytest.raises(CorrectionRefusedError, match="still fails"):
        resolve_review_item(
            item_id=item.id,
            reviewer="ann",
            action=ReviewAction.CORRECT,
            corrections=[FieldCorrection(field="routing_number", value="123456789")],
        )
    assert _usage(runtime, item) == []
    assert _items(runtime)[0].status == "open"  # a refused decision takes no lease


def test_the_form_acts_only_for_an_enabled_user_of_the_client(runtime: App) -> None:
    from review.queue import ReviewRefusedError

    add_person(runtime, "gus", clients=("globex",))
    process_payroll(runtime, rows=10, every=5)
    item = _items(runtime)[0]
    for who, why in (("nobody", "no enabled user"), ("gus", f"no review item {item.id}")):
        with pytest.raises(ReviewRefusedError, match=why):
            resolve_review_item(
                item_id=item.id, reviewer=who, action=ReviewAction.REJECT, reason="x"
            )
    assert _items(runtime)[0].status == "open"


def test_manual_review_is_metered_when_priced(runtime: App) -> None:
    acme = runtime.config.clients["acme"]
    priced = ClientConfig.model_validate(
        {**acme.model_dump(), "rates": {**acme.rates, "manual_review": Decimal("2.50")}}
    )
    config = runtime.config.model_copy(
        update={"clients": {**runtime.config.clients, "acme": priced}}
    )
    rt = App(settings=runtime.settings, config=config, engine=runtime.engine)
    install_app(rt)
    add_person(rt)
    process_payroll(rt, rows=10, every=5)
    item = _items(rt)[0]
    resolve_review_item(
        item_id=item.id,
        reviewer="ann",
        action=ReviewAction.CORRECT,
        corrections=[FieldCorrection(field="routing_number", value=GOOD_ROUTING)],
    )
    units = sorted((u.unit, u.amount) for u in _usage(rt, item))
    assert units == [("manual_review", Decimal("2.50")), ("payroll_payment", Decimal("0.45"))]


def test_sla_breach_is_announced_once_per_item(runtime: App) -> None:
    process_payroll(runtime, rows=10, every=5)
    first, second = _items(runtime)[:2]
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    with transaction(runtime.engine) as session:
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == first.id)
            .values(created_at=past, due_at=past + dt.timedelta(hours=8))
        )
    report = review_sla_check()
    assert report["breached"] == [first.id]
    assert report["scheduled"] == 0  # due times are set in business hours when items are created
    assert review_sla_check()["breached"] == []
    seen: list[int] = []
    assert (
        check_slas(
            runtime.engine, clients=runtime.config.clients, emit=lambda i: seen.append(i.id)
        ).breached
        == []
    )
    assert seen == []
    assert _items(runtime)[1].id == second.id
    assert not _items(runtime)[1].sla_breach_notified
