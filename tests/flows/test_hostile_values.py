"""Hostile values through the processing flow, on SQLite and on PostgreSQL alike.

A NUL byte anywhere in a file (after the first 4 KiB included) gets the same answer on both
stores, and nothing is in the outbox that the store does not back; a ragged row goes to review
while the rest of the file completes and is billed.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from app.root import App
from flows.process import process_claims, process_invoices, process_payroll
from samples.claims import ClaimSpec, simple_file
from samples.payroll import payroll_frame
from store.db import transaction
from store.models import Record, ReviewItem, UsageEntry
from store.reconcile import reconcile


def _counts(rt: App) -> tuple[int, int]:
    with transaction(rt.engine) as s:
        records = s.scalar(select(func.count()).select_from(Record)) or 0
        usage = s.scalar(select(func.count()).select_from(UsageEntry)) or 0
    return records, usage


def _balanced(rt: App) -> bool:
    with transaction(rt.engine) as s:
        return all(b.ok for b in reconcile(s))


def _published(workdir: Path, suffix: str) -> list[Path]:
    return sorted((workdir / "outbox").rglob(f"*{suffix}"))


def test_a_nul_byte_after_4_kib_quarantines_a_payroll_file_and_publishes_nothing(
    runtime: App, workdir: Path
) -> None:
    data = payroll_frame(60).write_csv().encode()
    cut = data.index(b"\n", 5000) + 3
    path = workdir / "nul.csv"
    path.write_bytes(data[:cut] + b"\x00" + data[cut:])
    res = process_payroll(path=str(path), client_id="acme", name=path.name)
    assert res.status == "quarantined"
    assert _counts(runtime) == (0, 0)
    assert _published(workdir, ".ach") == []
    assert _balanced(runtime)


def test_a_nul_inside_a_json_invoice_value_is_stored_alike_on_both_stores(
    runtime: App, workdir: Path
) -> None:
    invoice = {
        "invoice_number": "N-1",
        "invoice_date": "2026-03-01",
        "vendor_name": "Acme\u0000 Supplies",
        "buyer_name": "Globex",
        "currency": "USD",
        "total": "30.00",
        "lines": [{"description": "Widgets", "amount": "30.00"}],
    }
    path = workdir / "nul.json"
    path.write_text(json.dumps({"invoices": [invoice]}), encoding="utf-8")
    res = process_invoices(path=str(path), client_id="acme", name=path.name)
    assert (res.status, res.completed) == ("processed", 1)
    assert _counts(runtime)[0] == 1
    assert _balanced(runtime)


def test_a_nul_in_an_837_quarantines_it(runtime: App, workdir: Path) -> None:
    data = simple_file([ClaimSpec(member_id="M\x0012345")])
    path = workdir / "nul.837"
    path.write_bytes(data)
    res = process_claims(path=str(path), client_id="acme", name=path.name)
    assert res.status == "quarantined"
    assert _counts(runtime) == (0, 0)
    assert _balanced(runtime)


def test_a_ragged_payroll_row_goes_to_review_and_the_rest_is_paid(
    runtime: App, workdir: Path
) -> None:
    lines = payroll_frame(10).write_csv().splitlines()
    first, rest = lines[4].split(",", 1)
    lines[4] = f'{first},=HYPERLINK("http://x","y"),{rest}'  # an unquoted comma: one too many
    path = workdir / "ragged.csv"
    path.write_text("Payroll register\n" + "\n".join(lines) + "\n", encoding="utf-8")
    res = process_payroll(path=str(path), client_id="acme", name=path.name)
    assert res.status == "processed"
    assert (res.records, res.completed, res.in_review) == (10, 9, 1)
    assert _counts(runtime) == (10, 9)
    assert len(_published(workdir, ".ach")) == 1
    assert _balanced(runtime)
    with transaction(runtime.engine) as s:
        [item] = s.scalars(select(ReviewItem))
        assert "ROW-SHAPE" in [r["code"] for r in item.reasons]
        assert item.record_index == 3
