"""Exports reconcile: detail sums = summary = bill ledger, per client and period."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from app.root import App
from billing import export
from billing.close import close_period, statement_for
from billing.evidence import evidence_bytes
from billing.export import (
    DETAIL_COLUMNS,
    detail_frame,
    export_bytes,
    statement_bytes,
    summary_frame,
    write_statement,
)
from billing.ledger import posted_lines
from schemas.money import to_cents
from store.db import transaction
from tests.billing.ledger_factory import add_file, add_records, client, meter_units

MARCH = dt.datetime(2026, 3, 10, 15, tzinfo=dt.UTC)
CARDS = [
    {
        "version": "2026-03",
        "effective_from": "2026-03-01",
        "monthly_minimum": "40",
        "seats": 1,
        "seat_fee": "12.5",
        "units": {
            "invoice": {"model": "volume", "tiers": [{"up_to": 15, "price": "10"}, {"price": "5"}]},
            "invoice_line": {
                "model": "graduated",
                "tiers": [{"up_to": 10, "price": "0.0725"}, {"price": "0.0333"}],
            },
            "claim": {"model": "package", "package_size": 3, "package_price": "2.50"},
        },
    }
]


def _meter_mix(rt: App) -> None:
    cfg = client(rates={"payroll_payment": "0.45"}, cards=CARDS)
    f = add_file(rt.engine)
    add_records(rt.engine, f, ["INV-1", "INV-2", "=INV,3"])
    meter_units(rt.engine, cfg, f, 3, MARCH)
    meter_units(rt.engine, cfg, f, 25, MARCH, unit="invoice_line")
    meter_units(rt.engine, cfg, add_file(rt.engine, doc_type="claims"), 7, MARCH, unit="claim")
    payroll = add_file(rt.engine, doc_type="payroll", name="=HYPERLINK(evil)")
    meter_units(rt.engine, cfg, payroll, 4, MARCH, unit="payroll_payment")


def test_detail_sums_equal_summary_equals_ledger(runtime: App) -> None:
    _meter_mix(runtime)
    cfg = client(rates={"payroll_payment": "0.45"}, cards=CARDS)
    result = close_period(runtime.engine, cfg, "2026-03")
    with transaction(runtime.engine) as session:
        st = statement_for(session, cfg, "2026-03")
        ledger = sum(p.amount for p in posted_lines(session, "acme", "2026-03"))
    detail, summary = detail_frame(st), summary_frame(st)
    assert detail.columns == DETAIL_COLUMNS
    usage = summary.filter(pl.col("kind") == "usage")
    for unit in detail.get_column("unit").unique().to_list():
        d = detail.filter(pl.col("unit") == unit)
        s = usage.filter(pl.col("unit") == unit)
        assert d.get_column("quantity").sum() == s.get_column("quantity").sum()
        assert sum(d.get_column("amount").to_list()) == sum(s.get_column("amount_exact").to_list())
    lines = summary.filter(pl.col("kind") != "total")
    total = summary.filter(pl.col("kind") == "total").get_column("amount").item()
    assert total == sum(to_cents(x) for x in lines.get_column("amount_exact").to_list())
    assert total == ledger == result.total == st.invoice.total
    # invoice 3 x 10 = 30; lines 10 x 0.0725 + 15 x 0.0333 = 1.2245; claims 3 packages = 7.50;
    # payroll 4 x 0.45 = 1.80 (flat rates still apply to units the card leaves out)
    got = sorted((k, u, str(x)) for k, u, x in lines.select("kind", "unit", "amount").iter_rows())
    assert got == [
        ("seat_fee", "", "12.50"),
        ("usage", "claim", "7.50"),
        ("usage", "invoice", "30.00"),
        ("usage", "invoice_line", "0.50"),
        ("usage", "invoice_line", "0.73"),
        ("usage", "payroll_payment", "1.80"),
    ]
    assert total == Decimal("53.03")


def test_exports_are_formula_safe_and_xlsx_has_three_sheets(runtime: App) -> None:
    _meter_mix(runtime)
    cfg = client(rates={"payroll_payment": "0.45"}, cards=CARDS)
    with transaction(runtime.engine) as session:
        st = statement_for(session, cfg, "2026-03")
        zipped = evidence_bytes(session, st)
    rows = list(csv.DictReader(io.StringIO(statement_bytes(st, "detail", "csv").decode())))
    names = {r["source_file"] for r in rows}
    assert "'=HYPERLINK(evil)" in names
    assert not any(n.startswith("=") for n in names)
    sheets = pl.read_excel(io.BytesIO(statement_bytes(st, "summary", "xlsx")), sheet_id=0)
    assert list(sheets) == ["summary", "detail", "files"]
    assert sheets["detail"].height == len(rows)
    parquet = pl.read_parquet(io.BytesIO(statement_bytes(st, "detail", "parquet")))
    assert parquet.get_column("amount").dtype == pl.Decimal(18, 4)
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        assert sorted(zf.namelist()) == sorted(
            [
                "README.md",
                "detail.csv",
                "summary.csv",
                "postings.csv",
                "rate_cards.json",
                "sla.json",
                "source_files.csv",
            ]
        )
        readme = zf.read("README.md").decode()
        sums = pl.read_csv(zf.read("summary.csv"), infer_schema=False)
    assert f"Total: {st.invoice.total}." in readme
    assert sums.filter(pl.col("kind") == "total").get_column("amount").item() == str(
        st.invoice.total
    )


def test_a_statement_written_to_a_file_is_the_same_as_its_bytes(
    runtime: App, tmp_path: Path
) -> None:
    _meter_mix(runtime)
    cfg = client(rates={"payroll_payment": "0.45"}, cards=CARDS)
    with transaction(runtime.engine) as session:
        st = statement_for(session, cfg, "2026-03")
    for kind in ("detail", "summary"):
        for fmt in ("csv", "parquet", "xlsx"):
            out = write_statement(st, kind, fmt, tmp_path / "exports" / f"{kind}.{fmt}")
            assert out.read_bytes() == statement_bytes(st, kind, fmt), (kind, fmt)
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == sorted(
        f"{k}.{f}" for k in ("detail", "summary") for f in ("csv", "parquet", "xlsx")
    )


def test_an_export_that_fails_half_way_leaves_the_old_file_and_no_temporary(
    runtime: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _meter_mix(runtime)
    cfg = client(rates={"payroll_payment": "0.45"}, cards=CARDS)
    with transaction(runtime.engine) as session:
        st = statement_for(session, cfg, "2026-03")
    out = write_statement(st, "detail", "csv", tmp_path / "exports" / "detail.csv")
    before = out.read_bytes()

    def disk_full(frame: object, fmt: str, target: Path, *args: object) -> None:
        target.write_bytes(before[:10])
        raise OSError("No space left on device")

    monkeypatch.setattr(export, "_write_table", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_statement(st, "detail", "csv", out)
    assert out.read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["detail.csv"]


@pytest.mark.parametrize("distinct", [1, 3, 40])
def test_csv_timestamps_and_formula_cells_whatever_their_repetition(distinct: int) -> None:
    """Instants written once per distinct value or one by one read the same; only the text
    cells a spreadsheet would run get an apostrophe, in the columns that have them."""
    at = [
        None
        if i % 7 == 3
        else dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        + dt.timedelta(seconds=i % distinct, microseconds=5)
        for i in range(40)
    ]
    frame = pl.DataFrame(
        {
            "at": pl.Series(at, dtype=pl.Datetime("us", "UTC")),
            "name": ["=cmd" if i == 5 else f"n{i}" for i in range(40)],
            "plain": ["x"] * 40,
        }
    )
    rows = list(csv.DictReader(io.StringIO(export_bytes(frame, "csv").decode())))
    assert [r["at"] for r in rows] == [
        "" if a is None else a.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00") for a in at
    ]
    assert [r["name"] for r in rows] == ["'=cmd" if i == 5 else f"n{i}" for i in range(40)]
    assert {r["plain"] for r in rows} == {"x"}
