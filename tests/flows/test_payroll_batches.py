"""Payroll as real batches look, through the flow: salaried staff, re-sent batches, exception
storms and NACHA limits (DESIGN.md "Payroll")."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from app.root import App
from flows.process import process_payroll
from review.corrections import Correction
from review.decision import CorrectionRefusedError, resolve_item
from samples.payroll import BAD_ROUTING, csv_bytes, export_frame
from schemas.outcome import FileResult
from store.db import transaction
from store.models import File, Record, ReviewItem, UsageEntry
from store.reconcile import reconcile
from tasks.payroll.nacha import MAX_ENTRY_CENTS
from tasks.payroll.nacha_check import check_nacha

NEXT_PERIOD = {"pay_date": "2026-01-30"}


def run(workdir: Path, name: str, data: bytes, **kw: object) -> FileResult:
    path = workdir / name
    path.write_bytes(data)
    return process_payroll(path=str(path), client_id="acme", name=name, **kw)


def count(rt: App, table: type) -> int:
    with transaction(rt.engine) as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def items(rt: App) -> list[ReviewItem]:
    with transaction(rt.engine) as s:
        return list(s.scalars(select(ReviewItem).order_by(ReviewItem.id)))


def balanced(rt: App) -> bool:
    with transaction(rt.engine) as s:
        return all(b.ok for b in reconcile(s))


def ach_files(workdir: Path) -> list[Path]:
    return sorted((workdir / "outbox" / "acme" / "payroll").glob("*.ach"))


def test_salaried_staff_with_blank_hours_are_paid(runtime: App, workdir: Path) -> None:
    frame = export_frame(210)
    res = run(workdir, "jan.csv", csv_bytes(frame, crlf=True))
    assert (res.status, res.records, res.completed, res.in_review) == ("processed", 210, 210, 0)
    (ach,) = ach_files(workdir)
    entries = [line for line in ach.read_text().splitlines() if line.startswith("6")]
    assert len(entries) == 210


def test_a_resent_batch_with_other_bytes_pays_no_one_twice(runtime: App, workdir: Path) -> None:
    frame = export_frame(60)
    first = run(workdir, "jan.csv", csv_bytes(frame))
    assert first.completed == 60
    billed = count(runtime, UsageEntry)
    again = run(workdir, "jan-resent.csv", csv_bytes(frame, crlf=True, shuffle_seed=3))
    assert again.status == "processed"  # other bytes: not the same file
    assert again.file_id != first.file_id
    assert (again.completed, again.in_review) == (0, 60)
    assert count(runtime, UsageEntry) == billed  # the bill is unchanged
    assert len(ach_files(workdir)) == 1  # no second NACHA file
    duplicates = [i for i in items(runtime) if i.file_id == again.file_id]
    assert len(duplicates) == 60
    reasons = [r for i in duplicates for r in i.reasons]
    assert {r["code"] for r in reasons} == {"PAY-DUPLICATE-PAYMENT"}
    assert all("by file jan.csv, received " in r["message"] for r in reasons)
    assert balanced(runtime)


def test_the_next_pay_period_for_the_same_people_is_paid(runtime: App, workdir: Path) -> None:
    run(workdir, "jan-1.csv", csv_bytes(export_frame(40, pay_date="2026-01-16")))
    feb = run(workdir, "jan-2.csv", csv_bytes(export_frame(40, pay_date="2026-01-30")))
    assert (feb.completed, feb.in_review) == (40, 0)
    assert count(runtime, UsageEntry) == 80


def test_a_row_in_review_is_not_a_payment_and_cannot_pay_twice_later(
    runtime: App, workdir: Path
) -> None:
    frame = export_frame(30)
    broken = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 4)
        .then(pl.lit(BAD_ROUTING))
        .otherwise(pl.col("routing_number"))
        .alias("routing_number")
    )
    first = run(workdir, "jan.csv", csv_bytes(broken))
    assert first.in_review == 1
    # The client sends the batch again, fixed: the row in review was never paid, so it is
    # paid now; the others were.
    second = run(workdir, "jan-fixed.csv", csv_bytes(frame, crlf=True))
    assert (second.completed, second.in_review) == (1, 29)
    (item,) = [i for i in items(runtime) if i.file_id == first.file_id]
    good = frame.row(4, named=True)["routing_number"]
    with pytest.raises(CorrectionRefusedError, match="PAY-DUPLICATE-PAYMENT"):
        resolve_item(
            runtime,
            item_id=item.id,
            reviewer="ana",
            action="correct",
            corrections=[Correction("routing_number", good)],
        )
    (item,) = [i for i in items(runtime) if i.file_id == first.file_id]
    assert {r["code"] for r in item.reasons} >= {"PAY-DUPLICATE-PAYMENT"}
    assert count(runtime, UsageEntry) == 30  # 29 + 1: nobody paid twice
    resolve_item(
        runtime, item_id=item.id, reviewer="ana", action="reject", reason="paid in jan-fixed"
    )
    assert balanced(runtime)


def broken_batch(rows: int, every: int, first_employee: int) -> bytes:
    """Every ``every``-th row has a routing number that fails its check digit."""
    frame = export_frame(rows, first_employee=first_employee)
    bad = pl.int_range(pl.len()) % every == 0
    return csv_bytes(
        frame.with_columns(
            pl.when(bad)
            .then(pl.lit(BAD_ROUTING))
            .otherwise("routing_number")
            .alias("routing_number")
        )
    )


def test_a_systematically_broken_batch_is_held_beside_a_slightly_broken_one(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.operators

    events: list[dict[str, object]] = []
    monkeypatch.setattr(flows.operators, "emit_event", lambda **kw: events.append(kw))
    held_bytes = broken_batch(210, 5, first_employee=0)  # 42 of 210 rows: 20%
    held = run(workdir, "swapped.csv", held_bytes)
    fine = run(workdir, "fine.csv", broken_batch(200, 100, first_employee=5000))  # 1%

    assert (held.status, held.records, held.completed, held.in_review) == ("quarantined", 0, 0, 0)
    assert held.reason.startswith("FILE-SYSTEMATIC-ERROR: PAY-ROUTING-CHECKSUM fails on 42")
    assert "(20.0%), e.g. rows 1, 6, 11, 16, 21." in held.reason
    assert "--accept-systematic" in held.reason
    assert (fine.status, fine.completed, fine.in_review) == ("processed", 198, 2)
    with transaction(runtime.engine) as s:
        assert s.scalar(select(func.count()).where(Record.file_id == held.file_id)) == 0
        assert s.scalar(select(func.count()).where(ReviewItem.file_id == held.file_id)) == 0
        assert s.scalar(select(func.count()).where(UsageEntry.file_id == held.file_id)) == 0
    assert len(ach_files(workdir)) == 1  # the fine batch's only
    receipt = json.loads(
        next((workdir / "outbox/acme/receipts").glob("swapped.csv.*.json")).read_text()
    )
    assert (receipt["status"], receipt["reason"]) == ("quarantined", held.reason)
    assert [e["event"] for e in events] == ["bpo.file.quarantined", "bpo.file.processed"]
    assert balanced(runtime)

    # The same bytes again: held again, not a duplicate of the hold.
    again = run(workdir, "swapped-again.csv", held_bytes)
    assert (again.status, again.file_id) == ("quarantined", held.file_id)
    # The operator accepts it: processed once, its broken rows to review, billed once.
    accepted = run(workdir, "swapped.csv", held_bytes, accept_systematic=True)
    assert (accepted.status, accepted.completed, accepted.in_review) == ("processed", 168, 42)
    assert "accept-systematic" in accepted.reason
    billed = count(runtime, UsageEntry)
    assert billed == 198 + 168
    assert run(workdir, "swapped.csv", held_bytes).status == "duplicate"
    assert count(runtime, UsageEntry) == billed
    assert balanced(runtime)


def test_hold_settings_are_the_clients(runtime: App, workdir: Path) -> None:
    text = (workdir / "bpo.toml").read_text()
    (workdir / "bpo.toml").write_text(
        text.replace(
            "[clients.acme.rates]",
            '[clients.acme.review]\nhold_share = "0.5"\n[clients.acme.rates]',
        )
    )
    from schemas.config import load_config

    config = load_config(workdir / "bpo.toml")
    from app.root import install_app

    rt = App(settings=runtime.settings, config=config, engine=runtime.engine, environ={})
    install_app(rt)
    res = run(workdir, "swapped.csv", broken_batch(210, 5, first_employee=0))
    assert (res.status, res.in_review) == ("processed", 42)  # 20% is below this client's 50%


def large_rows(nets: list[str]) -> bytes:
    """Salaried rows paying ``nets`` (no deductions), other employees each."""
    frame = export_frame(len(nets)).with_columns(
        pl.Series("gross_pay", nets),
        pl.Series("net_pay", nets),
        pl.lit(None, pl.String).alias("hourly_rate"),
        pl.lit(None, pl.String).alias("regular_hours"),
        pl.lit(None, pl.String).alias("overtime_hours"),
        *(
            pl.lit("0.00").alias(c)
            for c in ["federal_tax", "state_tax", "social_security", "medicare", "other_deductions"]
        ),
    )
    return csv_bytes(frame)


def test_a_net_pay_too_large_for_a_bank_entry_goes_to_review(runtime: App, workdir: Path) -> None:
    res = run(workdir, "big.csv", large_rows(["100000000.00", "99999999.99", "1500.00"]))
    assert (res.completed, res.in_review) == (2, 1)
    (item,) = items(runtime)
    assert [r["code"] for r in item.reasons] == ["PAY-AMOUNT-TOO-LARGE"]
    (ach,) = ach_files(workdir)
    assert check_nacha(ach.read_bytes()) == []


def test_payments_past_a_file_control_total_go_out_as_several_checked_files(
    runtime: App, workdir: Path
) -> None:
    top = str(Decimal(MAX_ENTRY_CENTS).scaleb(-2))
    res = run(workdir, "bonus.csv", large_rows([top] * 101))  # just over 10 billion
    assert res.completed == 101
    files = ach_files(workdir)
    assert [f.name.rsplit(".", 2)[-2] for f in files] == ["1-of-2", "2-of-2"]
    assert all(check_nacha(f.read_bytes()) == [] for f in files)
    assert sum(f.read_text().count("\n6") for f in files) == 101
    assert count(runtime, UsageEntry) == 101


def test_a_nacha_file_failing_its_check_is_not_published_nor_billed(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.operators
    import tasks.payroll.handler
    from tasks.doctype import OutputCheckError
    from tasks.payroll.nacha_check import AchProblem

    events: list[dict[str, object]] = []
    monkeypatch.setattr(flows.operators, "emit_event", lambda **kw: events.append(kw))
    monkeypatch.setattr(
        tasks.payroll.handler,
        "check_nacha",
        lambda data: [AchProblem("ACH-RECORD-LENGTH", 3, "Record is 95 characters.")],
    )
    with pytest.raises(OutputCheckError, match="fails the NACHA check and was not published"):
        run(workdir, "jan.csv", csv_bytes(export_frame(20)))
    assert ach_files(workdir) == []
    assert count(runtime, UsageEntry) == 0
    assert [e["event"] for e in events] == ["bpo.file.failed"]
    with transaction(runtime.engine) as s:
        (balance,) = reconcile(s)
        file = s.scalars(select(File)).one()
    assert not balance.ok
    assert "ACH-RECORD-LENGTH" in balance.problems[0]
    assert file.status == "processing"


def test_a_control_row_that_disagrees_holds_the_whole_batch(runtime: App, workdir: Path) -> None:
    frame = export_frame(30)
    control = dict.fromkeys(frame.columns) | {
        "employee_id": "TOTAL",
        "employee_name": "30",
        "net_pay": "1.00",
    }
    data = csv_bytes(pl.concat([frame, pl.DataFrame([control], schema=frame.schema)]))
    res = run(workdir, "jan.csv", data)
    assert (res.status, res.completed, res.in_review) == ("quarantined", 0, 0)
    assert res.reason.startswith("FILE-SYSTEMATIC-ERROR: PAY-CONTROL-TOTAL fails on 30 of 30")
    assert "PAY-CONTROL-TOTAL: Batch control totals disagree" in res.reason
    assert count(runtime, UsageEntry) == 0
