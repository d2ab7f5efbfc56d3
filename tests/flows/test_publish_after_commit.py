"""Invariant 8 (publish after commit): a run or a decision killed between any two steps leaves
nothing in the client's outbox that the store does not back, and the next run publishes what
was committed. ``bpo reconcile`` checks the outbox against the store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import landing.answers
import review.decision
from app.root import App
from cli.main import app as bpo_app
from flows.ingest import ingest
from flows.process import process_payroll
from landing.outbox import FsOutbox
from landing.outbox_check import check_outbox
from review.corrections import Correction
from review.decision import ReviewAction, resolve_item
from samples.payroll import payroll_frame, plant_errors
from store.db import transaction
from store.models import ReviewItem
from store.reconcile import reconcile
from tasks.steps import (
    extract_task,
    finish_task,
    history_task,
    meter_task,
    outputs_task,
    route_task,
)
from tests.review_factory import GOOD_ROUTING

OUTBOX = Path("outbox") / "acme"


def drop(workdir: Path, name: str = "jan.csv") -> Path:
    path = workdir / name
    plant_errors(payroll_frame(20, seed=3), every=5).write_csv(path)
    return path


def visible(workdir: Path) -> list[str]:
    """What the client can read: its outbox folder."""
    base = workdir / OUTBOX
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())


def unbacked(rt: App) -> list[str]:
    """Outbox problems other than "committed but not published yet"."""
    return [
        f"{p.name}: {p.problem}"
        for p in check_outbox(rt.engine, rt.outbox("acme"))
        if "not published yet" not in p.problem
    ]


def balanced(rt: App) -> bool:
    with transaction(rt.engine) as s:
        files_ok = all(b.ok for b in reconcile(s))
    return files_ok and check_outbox(rt.engine, rt.outbox("acme")) == []


def _raise(*_args: object, **_kwargs: object) -> Any:
    raise RuntimeError("worker killed")


def _kill_task(task: Any) -> Callable[[pytest.MonkeyPatch], None]:
    def kill(mp: pytest.MonkeyPatch) -> None:
        mp.setattr(task, "fn", _raise)
        mp.setattr(task, "retries", 0)

    return kill


def _kill_commit(mp: pytest.MonkeyPatch) -> None:
    # The answer's transaction fails after the receipt was staged: nothing is committed.
    mp.setattr(landing.answers, "record", _raise)
    mp.setattr(finish_task, "retries", 0)


def _kill_publication(mp: pytest.MonkeyPatch) -> None:
    # Committed; the first output is moved into the outbox, then the worker dies.
    real = FsOutbox.publish
    calls: list[str] = []

    def publish(self: FsOutbox, token: str, name: str) -> str:
        calls.append(name)
        if len(calls) > 1:
            raise RuntimeError("worker killed")
        return real(self, token, name)

    mp.setattr(FsOutbox, "publish", publish)
    mp.setattr(finish_task, "retries", 0)


STEPS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "extract": _kill_task(extract_task),
    "history": _kill_task(history_task),
    "outputs": _kill_task(outputs_task),
    "route": _kill_task(route_task),
    "meter": _kill_task(meter_task),
    "commit": _kill_commit,
    "publish": _kill_publication,
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_run_killed_at_any_step_publishes_nothing_unbacked_and_the_next_run_finishes(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = drop(workdir)
    with monkeypatch.context() as mp:
        STEPS[step](mp)
        with pytest.raises(RuntimeError, match="worker killed"):
            process_payroll(path=str(path), client_id="acme", name=path.name)
    assert unbacked(runtime) == []
    if step != "publish":
        assert visible(workdir) == []  # nothing committed, nothing shown
    else:
        assert len(visible(workdir)) == 1  # the one output moved before the kill: backed

    again = process_payroll(path=str(path), client_id="acme", name=path.name)
    committed_before = step == "publish"
    assert again.status == ("duplicate" if committed_before else "processed")
    shown = visible(workdir)
    assert any(n.startswith("payroll/") and n.endswith(".ach") for n in shown)
    assert any(n.startswith("receipts/jan.csv.") and n.endswith(".json") for n in shown)
    assert balanced(runtime)
    assert not (workdir / "outbox" / ".staging" / "acme").exists() or not any(
        (workdir / "outbox" / ".staging" / "acme").rglob("*.ach")
    )


def test_a_committed_answer_left_staged_is_published_by_the_next_ingest_poll(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = drop(workdir)
    with monkeypatch.context() as mp:
        mp.setattr(FsOutbox, "publish", _raise)
        mp.setattr(finish_task, "retries", 0)
        with pytest.raises(RuntimeError):
            process_payroll(path=str(path), client_id="acme", name=path.name)
    assert visible(workdir) == []
    pending = check_outbox(runtime.engine, runtime.outbox("acme"))
    assert pending
    assert all("not published yet" in p.problem for p in pending)
    code = CliRunner().invoke(bpo_app, ["reconcile", "--json"])
    assert code.exit_code == 1
    assert json.loads(code.output)["outbox"]

    ingest()
    assert any(n.endswith(".ach") for n in visible(workdir))
    assert balanced(runtime)


def _item(rt: App) -> ReviewItem:
    with transaction(rt.engine) as s:
        return s.scalars(select(ReviewItem).order_by(ReviewItem.id)).first()  # type: ignore[return-value]


def test_a_decision_killed_before_its_commit_never_shows_its_nacha_entry(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = drop(workdir)
    process_payroll(path=str(path), client_id="acme", name=path.name)
    item = _item(runtime)
    fix = [Correction("routing_number", GOOD_ROUTING)]
    with monkeypatch.context() as mp:
        mp.setattr(review.decision, "close_item", _raise)
        with pytest.raises(RuntimeError, match="worker killed"):
            resolve_item(
                runtime,
                item_id=item.id,
                reviewer="ann",
                action=ReviewAction.CORRECT,
                corrections=fix,
            )
    supplemental = f".review-{item.id}.ach"
    staged = workdir / "outbox" / ".staging" / "acme" / f"review-{item.id}"
    assert any(p.name.endswith(supplemental) for p in staged.rglob("*"))  # written, not shown
    assert not [n for n in visible(workdir) if n.endswith(supplemental)]
    assert unbacked(runtime) == []

    out = resolve_item(
        runtime,
        item_id=item.id,
        reviewer="ann",
        action=ReviewAction.REJECT,
        reason="employee left before the pay date",
    )
    assert out.record_state == "rejected"
    assert not [n for n in visible(workdir) if n.endswith(supplemental)]
    assert not staged.exists() or not any(staged.rglob("*.ach"))
    follow_up = [n for n in visible(workdir) if n.endswith(f".review-{item.id}.json")]
    (name,) = follow_up
    receipt = json.loads((workdir / OUTBOX / name).read_text())
    assert (receipt["record_key"], receipt["decision"]) == (item.record_key, "rejected")
    assert receipt["outputs"] == []
    assert balanced(runtime)


def test_a_resolved_record_gets_its_output_and_a_follow_up_receipt(
    runtime: App, workdir: Path
) -> None:
    path = drop(workdir)
    process_payroll(path=str(path), client_id="acme", name=path.name)
    item = _item(runtime)
    out = resolve_item(
        runtime,
        item_id=item.id,
        reviewer="ann",
        action=ReviewAction.CORRECT,
        corrections=[Correction("routing_number", GOOD_ROUTING)],
    )
    shown = visible(workdir)
    ach = [n for n in shown if n.endswith(f".review-{item.id}.ach")]
    assert len(ach) == 1
    assert any(u.endswith(ach[0]) for u in out.outputs)
    (name,) = [n for n in shown if n.endswith(f".review-{item.id}.json")]
    receipt = json.loads((workdir / OUTBOX / name).read_text())
    assert receipt["decision"] == "resolved"
    assert receipt["record_key"] == item.record_key
    assert ach[0] in receipt["outputs"]
    assert receipt["codes"]
    assert balanced(runtime)


def test_reconcile_reports_an_unbacked_and_a_lost_output(runtime: App, workdir: Path) -> None:
    path = drop(workdir)
    process_payroll(path=str(path), client_id="acme", name=path.name)
    assert balanced(runtime)
    (ach,) = [n for n in visible(workdir) if n.endswith(".ach")]
    (workdir / OUTBOX / ach).unlink()
    stray = workdir / OUTBOX / "payroll" / "made-up.ach"
    stray.write_bytes(b"101 not ours")
    problems = {p.name: p.problem for p in check_outbox(runtime.engine, runtime.outbox("acme"))}
    assert problems == {
        ach: "published, but missing from the outbox",
        "payroll/made-up.ach": "in the outbox, but no committed file or decision backs it",
    }
    result = CliRunner().invoke(bpo_app, ["reconcile", "--client", "acme"])
    assert result.exit_code == 1
    assert "made-up.ach" in result.output
    assert "NOT balanced" in result.output


@pytest.mark.parametrize("name", ["pay\nroll.csv", "ü" * 123 + ".csv", "x" * 246 + ".csv"])
def test_names_the_landing_zone_would_refuse_still_get_outputs_and_a_receipt(
    runtime: App, workdir: Path, name: str
) -> None:
    data_path = drop(workdir, "source.csv")
    res = process_payroll(path=str(data_path), client_id="acme", name=name)
    assert res.status == "processed"
    shown = visible(workdir)
    assert any(n.endswith(".ach") for n in shown)
    (receipt,) = [n for n in shown if n.startswith("receipts/") and n.endswith(".json")]
    assert json.loads((workdir / OUTBOX / receipt).read_text())["name"] == name
    assert all(len(n.rsplit("/", 1)[-1].encode()) <= 255 for n in shown)
    assert balanced(runtime)
