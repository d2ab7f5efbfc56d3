"""What operators see in Prefect (issue 18): a per-file run ends in a COMPLETED state named
for its answer, the caller still gets the FileResult, and decisions and closes are events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prefect.states import StateType

import flows.operators
from app.root import App
from flows.billing_close import billing_close
from flows.process import process_payroll
from flows.reviews import FieldCorrection, resolve_review_item
from review.decision import ReviewAction
from samples.payroll import payroll_frame, plant_errors
from schemas.outcome import FileResult
from store.db import transaction
from store.models import ReviewItem
from tests.review_factory import GOOD_ROUTING, add_person


def run(path: Path, name: str | None = None) -> Any:
    return process_payroll(
        path=str(path), client_id="acme", name=name or path.name, return_state=True
    )


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(flows.operators, "emit_event", lambda **kw: seen.append(kw))
    return seen


def test_each_answer_has_its_own_completed_state(runtime: App, workdir: Path) -> None:
    clean = workdir / "clean.csv"
    payroll_frame(8, seed=11).write_csv(clean)
    flagged = workdir / "flagged.csv"
    plant_errors(payroll_frame(10, seed=12, first_employee=100), every=5).write_csv(flagged)
    empty = workdir / "empty.csv"
    empty.write_bytes(b"")

    states = {
        "clean": run(clean),
        "flagged": run(flagged),
        "empty": run(empty),
        "again": run(flagged, "flagged-again.csv"),
    }
    assert {k: (s.type, s.name) for k, s in states.items()} == {
        "clean": (StateType.COMPLETED, "Completed"),
        "flagged": (StateType.COMPLETED, "In review"),
        "empty": (StateType.COMPLETED, "Quarantined"),
        "again": (StateType.COMPLETED, "Duplicate"),
    }
    results = {k: s.result() for k, s in states.items()}
    assert all(isinstance(r, FileResult) for r in results.values())
    assert [results[k].status for k in states] == [
        "processed",
        "processed",
        "quarantined",
        "duplicate",
    ]
    assert results["flagged"].in_review == 2


def test_a_failure_of_the_system_fails_the_run_and_is_announced(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch, announced: list[dict[str, Any]]
) -> None:
    from tasks.steps import route_task

    path = workdir / "down.csv"
    payroll_frame(5, seed=13).write_csv(path)

    def down(*_a: object, **_k: object) -> None:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(route_task, "fn", down)
    monkeypatch.setattr(route_task, "retries", 0)
    state = run(path)
    assert state.type == StateType.FAILED
    (failed,) = [e for e in announced if e["event"] == "bpo.file.failed"]
    assert failed["resource"]["bpo.client"] == "acme"
    assert failed["payload"]["file"] == "down.csv"
    assert "database unreachable" in failed["payload"]["error"]


def test_duplicates_are_announced_with_the_counts_of_the_first_answer(
    runtime: App, workdir: Path, announced: list[dict[str, Any]]
) -> None:
    path = workdir / "dup.csv"
    plant_errors(payroll_frame(10, seed=14), every=5).write_csv(path)
    run(path)
    run(path, "dup-again.csv")
    events = [e for e in announced if e["event"].startswith("bpo.file.")]
    assert [e["event"] for e in events] == ["bpo.file.processed", "bpo.file.duplicate"]
    dup = events[1]
    assert dup["resource"]["bpo.client"] == "acme"
    assert (dup["payload"]["records"], dup["payload"]["in_review"]) == (10, 2)


def test_review_decisions_and_closes_are_announced(
    runtime: App, workdir: Path, announced: list[dict[str, Any]]
) -> None:
    path = workdir / "rev.csv"
    plant_errors(payroll_frame(10, seed=15), every=5).write_csv(path)
    run(path)
    add_person(runtime, "ann", role="reviewer", clients=("acme",))
    with transaction(runtime.engine) as s:
        items = list(s.scalars(select_open()))
    fixed, dropped = items[0], items[1]
    resolve_review_item(
        item_id=fixed.id,
        reviewer="ann",
        action=ReviewAction.CORRECT,
        corrections=[FieldCorrection(field="routing_number", value=GOOD_ROUTING)],  # type: ignore[arg-type]
    )
    resolve_review_item(
        item_id=dropped.id, reviewer="ann", action=ReviewAction.REJECT, reason="left the firm"
    )
    reviews = [e for e in announced if e["event"].startswith("bpo.review.")]
    assert [e["event"] for e in reviews] == ["bpo.review.resolved", "bpo.review.rejected"]
    assert [e["payload"]["record_key"] for e in reviews] == [fixed.record_key, dropped.record_key]
    assert {e["payload"]["file"] for e in reviews} == {"rev.csv"}
    assert {e["resource"]["bpo.client"] for e in reviews} == {"acme"}

    billing_close(period="2026-01", clients=["acme"], formats=["csv"])
    (closed,) = [e for e in announced if e["event"] == "bpo.billing.closed"]
    assert closed["payload"]["client_id"] == "acme"
    assert closed["payload"]["period"] == "2026-01"


def select_open() -> Any:
    from sqlalchemy import select

    return select(ReviewItem).where(ReviewItem.status == "open").order_by(ReviewItem.id)
