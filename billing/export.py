"""Billing exports for finance: detail (DESIGN.md columns) and summary, as CSV, Parquet, XLSX.

The detail has one row per ledger entry with the price rating gave it and the record's business
key (``record_key``: employee id, invoice number, claim id), so for each unit the detail amounts
sum to the summary's exact amounts; the summary rounds each line once. Text cells a spreadsheet
would run as formulas get a leading apostrophe.

CSV writes ``completed_at`` as ISO 8601 in UTC with its offset
(``2026-03-10T15:00:00.000000+00:00``); CSV and Parquet keep money's exact decimal digits.

XLSX is for people: the asked table first, then the other one and ``files`` (per source file
and unit: entries, quantity, amount, first and last completion). Money is numeric with a number
format, so SUM and pivot tables work (a spreadsheet number holds 15 significant digits: exact
for amounts below 10^11 at four places); ``completed_at`` is a date-time shown with its
``+00:00`` offset; each sheet has a frozen header row, an autofilter and column widths fitted
to its content, and prints landscape, one page wide, its header on every page. Fixed document
properties make equal data give equal bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter
from sqlalchemy.orm import Session

from billing.ledger import ENTRY_SCHEMA, period_frame, with_record_keys
from billing.statement import Statement
from schemas.formula import formula_safe

DETAIL_COLUMNS = [
    "client_id",
    "period",
    "transaction_id",
    "record_key",
    "doc_type",
    "unit",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "completed_at",
    "source_file",
    "source_sha256",
    "flow_run_id",
]
SUMMARY_COLUMNS = [
    "client_id",
    "period",
    "kind",
    "card_version",
    "unit",
    "tier",
    "quantity",
    "billed_quantity",
    "unit_price",
    "amount_exact",
    "amount",
    "currency",
]
FORMATS = ("csv", "parquet", "xlsx")
KINDS = ("detail", "summary", "evidence")
_PRICE = pl.Decimal(18, 4)
_EXACT = pl.Decimal(38, 10)
_CENTS = pl.Decimal(18, 2)
#: Document properties of every workbook we write (xlsxwriter would stamp the current time).
_XLSX_CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def detail_frame(st: Statement) -> pl.DataFrame:
    """One row per ledger entry of the statement, priced as rating priced it."""
    return st.entries.select(
        pl.col(c).alias(c)
        if c not in ("unit_price", "amount")
        else pl.col(f"rated_{c.removeprefix('unit_')}").fill_null(pl.col(c)).alias(c)
        for c in DETAIL_COLUMNS
    ).cast(DETAIL_SCHEMA)  # type: ignore[arg-type]


def summary_frame(st: Statement) -> pl.DataFrame:
    """Invoice lines (per unit and tier, minimum, seat fee, credits) and a ``total`` row."""
    inv = st.invoice
    rows: list[tuple[object, ...]] = [
        (
            inv.client_id,
            inv.period,
            ln.kind,
            ln.card_version,
            ln.unit,
            ln.tier,
            ln.quantity,
            ln.billed_quantity,
            ln.unit_price,
            ln.amount_exact,
            ln.amount,
            inv.currency,
        )
        for ln in inv.lines
    ]
    rows.append(
        (
            inv.client_id,
            inv.period,
            "total",
            "",
            "",
            "",
            None,
            None,
            None,
            sum((ln.amount_exact for ln in inv.lines), start=Decimal(0)),
            inv.total,
            inv.currency,
        )
    )
    schema: dict[str, pl.DataType] = {
        "client_id": pl.String(),
        "period": pl.String(),
        "kind": pl.String(),
        "card_version": pl.String(),
        "unit": pl.String(),
        "tier": pl.String(),
        "quantity": pl.Int64(),
        "billed_quantity": pl.Int64(),
        "unit_price": _PRICE,
        "amount_exact": _EXACT,
        "amount": _CENTS,
        "currency": pl.String(),
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


_KEYED: dict[str, pl.DataType] = {**ENTRY_SCHEMA, "record_key": pl.String()}
DETAIL_SCHEMA: dict[str, pl.DataType] = {c: _KEYED[c] for c in DETAIL_COLUMNS}
FILES_COLUMNS = [
    "source_file",
    "source_sha256",
    "doc_type",
    "unit",
    "entries",
    "quantity",
    "amount",
    "currency",
    "first_completed_at",
    "last_completed_at",
]


def usage_detail(session: Session, client_id: str, period: str) -> pl.DataFrame:
    """Ledger entries of ``client_id`` in ``period`` (reversals carry negative quantities)."""
    entries = with_record_keys(session, period_frame(session, client_id, period))
    return entries.select(DETAIL_COLUMNS).cast(DETAIL_SCHEMA)  # type: ignore[arg-type]


def files_frame(detail: pl.DataFrame) -> pl.DataFrame:
    """The detail per source file and unit: what each file the client sent was billed."""
    keys = ["source_file", "source_sha256", "doc_type", "unit", "currency"]
    return (
        detail.group_by(keys, maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("entries"),
            pl.col("quantity").sum(),
            pl.col("amount").sum(),
            pl.col("completed_at").min().alias("first_completed_at"),
            pl.col("completed_at").max().alias("last_completed_at"),
        )
        .select(FILES_COLUMNS)
    )


#: Number formats of money and time cells in XLSX, by column name.
_MONEY_FORMATS = {
    "unit_price": "#,##0.00##",
    "amount": "#,##0.00##",
    "amount_exact": "#,##0.00########",
}
_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss"+00:00"'
_TIME_WIDTH, _MONEY_WIDTH = 27, 14
#: Column widths in characters: fitted to the header and the first rows, within these bounds.
_MIN_WIDTH, _MAX_WIDTH, _WIDTH_SAMPLE = 6, 60, 2_000


def _sheet(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` as a spreadsheet holds it: text defused, money as numbers, times naive UTC."""
    return (
        formula_safe(frame)
        .with_columns(
            pl.col(c).cast(pl.Float64) for c, t in frame.schema.items() if isinstance(t, pl.Decimal)
        )
        .with_columns(
            pl.col(c).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            if t.time_zone is not None
            else pl.col(c)
            for c, t in frame.schema.items()
            if isinstance(t, pl.Datetime)
        )
    )


def _widths(frame: pl.DataFrame) -> dict[str, int]:
    """Characters per column: the longest of the header and the first rows' text."""
    head = frame.head(_WIDTH_SAMPLE)
    longest = head.select(
        pl.col(c).cast(pl.String).str.len_chars().max().fill_null(0).alias(c) for c in head.columns
    ).row(0)
    return {
        c: max(_MIN_WIDTH, min(_MAX_WIDTH, max(len(c), n) + 2))
        for c, n in zip(head.columns, longest, strict=True)
    }


def _write_sheet(wb: xlsxwriter.Workbook, name: str, frame: pl.DataFrame) -> None:
    """One sheet: header row frozen, autofilter over the table, widths, number formats."""
    sheet = _sheet(frame)
    formats: dict[str, str] = {
        c: _MONEY_FORMATS.get(c, "#,##0.00##")
        for c, t in frame.schema.items()
        if isinstance(t, pl.Decimal)
    }
    formats.update({c: _TIME_FORMAT for c, t in frame.schema.items() if isinstance(t, pl.Datetime)})
    widths = _widths(frame)
    for c, t in frame.schema.items():  # as the formats show them, not as their text reads
        if isinstance(t, pl.Datetime):
            widths[c] = max(len(c) + 2, _TIME_WIDTH)
        elif isinstance(t, pl.Decimal):
            widths[c] = max(widths[c], _MONEY_WIDTH)
    sheet.write_excel(
        wb,
        worksheet=name,
        column_formats=formats,  # type: ignore[arg-type]
        autofilter=True,
        freeze_panes=(1, 0),
        include_header=True,
        table_style="TableStyleLight9",
    )
    ws = wb.get_worksheet_by_name(name)
    assert ws is not None
    for i, c in enumerate(frame.columns):
        ws.set_column(i, i, widths[c])
    # Printed (or saved as PDF): landscape, every column on the page, the header on each page.
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def xlsx_bytes(sheets: dict[str, pl.DataFrame]) -> bytes:
    """A workbook with one sheet per frame, in order (see the module docstring)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": _XLSX_CREATED.replace(tzinfo=None)})
    for name, frame in sheets.items():
        _write_sheet(wb, name, frame)
    wb.close()
    return buf.getvalue()


def _write_table(
    frame: pl.DataFrame,
    fmt: str,
    target: io.BytesIO | Path,
    extra: dict[str, pl.DataFrame] | None = None,
    sheet: str = "detail",
) -> None:
    """``frame`` as ``fmt`` into a buffer or straight into a file (Polars streams CSV and
    Parquet to a path, so a million-row detail is never held as bytes as well)."""
    if fmt == "csv":
        formula_safe(frame).with_columns(
            _utc_text(frame.get_column(c))
            for c, t in frame.schema.items()
            if isinstance(t, pl.Datetime)
        ).write_csv(target)
    elif fmt == "parquet":
        frame.write_parquet(target, statistics=False)
    elif fmt == "xlsx":
        data = xlsx_bytes({sheet: frame, **(extra or {})})
        if isinstance(target, Path):
            target.write_bytes(data)
        else:
            target.write(data)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _utc_text(column: pl.Series) -> pl.Series:
    """``2026-03-10T15:00:00.000000+00:00``, formatted once per distinct instant when they are few
    (entries share their meter call's completion time): formatting is costly per value."""
    fmt = "%Y-%m-%dT%H:%M:%S%.6f+00:00"
    distinct = column.unique()
    if column.len() == 0 or distinct.len() * 8 > column.len():
        return column.dt.strftime(fmt)
    return column.replace_strict(distinct, distinct.dt.strftime(fmt), return_dtype=pl.String)


def export_bytes(
    frame: pl.DataFrame,
    fmt: str,
    extra: dict[str, pl.DataFrame] | None = None,
    sheet: str = "detail",
) -> bytes:
    """``frame`` as CSV, Parquet or XLSX bytes; money keeps its exact decimal digits.

    For XLSX, ``extra`` frames become further sheets after ``sheet``.
    """
    buf = io.BytesIO()
    _write_table(frame, fmt, buf, extra, sheet)
    return buf.getvalue()


def _statement_table(
    st: Statement, kind: str, fmt: str
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], str]:
    """The asked table, the further sheets an XLSX holds (none for CSV and Parquet: they
    hold one table), and the asked table's sheet name."""
    detail, summary = detail_frame(st), summary_frame(st)
    files = {"files": files_frame(detail)} if fmt == "xlsx" else {}
    if kind == "detail":
        return detail, {"summary": summary, **files}, "detail"
    if kind == "summary":
        return summary, {"detail": detail, **files}, "summary"
    raise ValueError(f"unknown export kind {kind!r}; use detail or summary")


def statement_bytes(st: Statement, kind: str, fmt: str) -> bytes:
    """The ``detail`` or ``summary`` export of a statement (XLSX: every sheet)."""
    frame, extra, sheet = _statement_table(st, kind, fmt)
    return export_bytes(frame, fmt, extra, sheet)


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out`` that replaces it when the block succeeds (and is
    removed when it fails), so a reader never sees half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    try:
        yield tmp
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)


def write_statement(st: Statement, kind: str, fmt: str, out: Path) -> Path:
    """Write the ``kind`` export of ``st`` as ``fmt`` to ``out`` atomically."""
    frame, extra, sheet = _statement_table(st, kind, fmt)
    with _replacing(out) as tmp:
        _write_table(frame, fmt, tmp, extra, sheet)
    return out


def write_bytes(data: bytes, out: Path) -> Path:
    """Write ``data`` to ``out`` atomically (temp file, then rename)."""
    with _replacing(out) as tmp:
        tmp.write_bytes(data)
    return out


def write_export(frame: pl.DataFrame, fmt: str, out: Path) -> Path:
    """Write ``frame`` as ``fmt`` to ``out`` atomically."""
    with _replacing(out) as tmp:
        _write_table(frame, fmt, tmp)
    return out
