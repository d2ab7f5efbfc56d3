"""What finance reads: the detail's business keys and offsets, and a workbook a spreadsheet
sums, filters and scrolls (checked in the XLSX parts themselves, as a spreadsheet reads them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import polars as pl

from app.root import App
from billing.close import statement_for
from billing.export import DETAIL_COLUMNS, detail_frame, statement_bytes, xlsx_bytes
from store.db import transaction
from tests.billing.ledger_factory import add_file, add_records, client, meter_units

MARCH = dt.datetime(2026, 3, 10, 15, tzinfo=dt.UTC)
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _statement(rt: App):  # type: ignore[no-untyped-def]
    cfg = client(rates={"invoice": "1.20", "payroll_payment": "0.45"})
    invoices = add_file(rt.engine, name="march-invoices.pdf")
    add_records(rt.engine, invoices, ["INV-100", "=cmd,2", "INV-102"])
    meter_units(rt.engine, cfg, invoices, 3, MARCH)
    payroll = add_file(rt.engine, doc_type="payroll", name="payroll.csv")
    add_records(rt.engine, payroll, [f"E{i:03d}" for i in range(5)])
    meter_units(rt.engine, cfg, payroll, 5, MARCH, unit="payroll_payment")
    with transaction(rt.engine) as session:
        return statement_for(session, cfg, "2026-03")


def test_detail_names_each_records_business_key(runtime: App) -> None:
    st = _statement(runtime)
    detail = detail_frame(st)
    assert detail.columns == DETAIL_COLUMNS
    assert DETAIL_COLUMNS.index("record_key") == DETAIL_COLUMNS.index("transaction_id") + 1
    keys = dict(zip(detail["transaction_id"], detail["record_key"], strict=True))
    assert sorted(keys.values()) == sorted(
        ["INV-100", "=cmd,2", "INV-102", *(f"E{i:03d}" for i in range(5))]
    )
    rows = list(csv.DictReader(io.StringIO(statement_bytes(st, "detail", "csv").decode())))
    assert "'=cmd,2" in {r["record_key"] for r in rows}  # the one formula guard
    parquet = pl.read_parquet(io.BytesIO(statement_bytes(st, "detail", "parquet")))
    assert set(parquet["record_key"]) == set(keys.values())


def test_csv_completed_at_carries_its_offset(runtime: App) -> None:
    st = _statement(runtime)
    rows = list(csv.DictReader(io.StringIO(statement_bytes(st, "detail", "csv").decode())))
    for r in rows:
        at = dt.datetime.fromisoformat(r["completed_at"])
        assert at.utcoffset() == dt.timedelta(0)
        assert at == MARCH
        assert r["completed_at"].endswith("+00:00")


def _sheets(data: bytes) -> dict[str, tuple[str, list[str]]]:
    """Sheet name -> (worksheet XML, table XMLs of that sheet)."""
    import xml.etree.ElementTree as ET

    z = zipfile.ZipFile(io.BytesIO(data))
    book = ET.fromstring(z.read("xl/workbook.xml"))
    names = [s.get("name") for s in book.findall("m:sheets/m:sheet", _NS)]
    out = {}
    for i, name in enumerate(names, start=1):
        sheet = z.read(f"xl/worksheets/sheet{i}.xml").decode()
        rels = z.read(f"xl/worksheets/_rels/sheet{i}.xml.rels").decode()
        tables = [
            z.read("xl/tables/" + t).decode() for t in re.findall(r"tables/(table\d+\.xml)", rels)
        ]
        out[str(name)] = (sheet, tables)
    return out


def test_workbook_sums_filters_and_freezes(runtime: App) -> None:
    st = _statement(runtime)
    data = statement_bytes(st, "detail", "xlsx")
    sheets = _sheets(data)
    assert list(sheets) == ["detail", "summary", "files"]
    for name, (xml, tables) in sheets.items():
        assert 'state="frozen"' in xml, name
        assert 'ySplit="1"' in xml, name
        assert any("<autoFilter" in t for t in tables), name
        assert re.search(r'<col min="1" max="1" width="[\d.]+" customWidth="1"/>', xml), name
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    assert 'formatCode="#,##0.00##"' in styles
    assert "+00:00" in styles  # completed_at shows its offset
    # Money is numeric: the amount cells are numbers a SUM adds up.
    detail = pl.read_excel(io.BytesIO(data), sheet_name="detail")
    assert detail["amount"].dtype == pl.Float64
    assert detail["unit_price"].dtype == pl.Float64
    assert Decimal(str(round(detail["amount"].sum(), 2))) == Decimal("3.60") + Decimal("2.25")
    assert detail["completed_at"].dtype == pl.Datetime("ms") or detail[
        "completed_at"
    ].dtype == pl.Datetime("us")
    assert detail["completed_at"].to_list() == [MARCH.replace(tzinfo=None)] * 8


def test_files_sheet_breaks_the_bill_down_per_file(runtime: App) -> None:
    st = _statement(runtime)
    files = pl.read_excel(io.BytesIO(statement_bytes(st, "summary", "xlsx")), sheet_name="files")
    got = {
        r["source_file"]: (r["unit"], r["entries"], r["quantity"], r["amount"])
        for r in files.iter_rows(named=True)
    }
    assert got == {
        "march-invoices.pdf": ("invoice", 3, 3, 3.6),
        "payroll.csv": ("payroll_payment", 5, 5, 2.25),
    }


def test_an_empty_frame_still_makes_a_workbook() -> None:
    empty = pl.DataFrame(schema={"amount": pl.Decimal(18, 4), "name": pl.String})
    sheets = _sheets(xlsx_bytes({"detail": empty}))
    assert list(sheets) == ["detail"]
