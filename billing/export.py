"""Billing exports for finance: detail (DESIGN.md columns) and summary, as CSV, Parquet, XLSX.

The detail has one row per ledger entry with the price rating gave it, so for each unit the
detail amounts sum to the summary's exact amounts; the summary rounds each line once. Text cells
a spreadsheet would run as formulas get a leading apostrophe. XLSX holds two sheets (the asked
table first) and fixed document properties, so equal data gives equal bytes.
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

from billing.ledger import ENTRY_SCHEMA, period_frame
from billing.statement import Statement
from schemas.formula import formula_safe

DETAIL_COLUMNS = [
    "client_id",
    "period",
    "transaction_id",
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


DETAIL_SCHEMA: dict[str, pl.DataType] = {c: ENTRY_SCHEMA[c] for c in DETAIL_COLUMNS}


def usage_detail(session: Session, client_id: str, period: str) -> pl.DataFrame:
    """Ledger entries of ``client_id`` in ``period`` (reversals carry negative quantities)."""
    return period_frame(session, client_id, period).select(DETAIL_COLUMNS)


def _sheet(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        formula_safe(frame)
        .with_columns(
            pl.col(c).cast(pl.String) for c, t in frame.schema.items() if isinstance(t, pl.Decimal)
        )
        .with_columns(
            pl.col(c).dt.replace_time_zone(None)
            for c, t in frame.schema.items()
            if isinstance(t, pl.Datetime)
        )
    )


def xlsx_bytes(sheets: dict[str, pl.DataFrame]) -> bytes:
    """A workbook with one sheet per frame, in order; money as exact text."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"created": _XLSX_CREATED.replace(tzinfo=None)})
    for name, frame in sheets.items():
        _sheet(frame).write_excel(wb, worksheet=name)
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
    """``2026-03-10T15:00:00.000000Z``, formatted once per distinct instant when they are few
    (entries share their meter call's completion time): formatting is costly per value."""
    fmt = "%Y-%m-%dT%H:%M:%S%.6fZ"
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


def _statement_table(st: Statement, kind: str) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], str]:
    detail, summary = detail_frame(st), summary_frame(st)
    if kind == "detail":
        return detail, {"summary": summary}, "detail"
    if kind == "summary":
        return summary, {"detail": detail}, "summary"
    raise ValueError(f"unknown export kind {kind!r}; use detail or summary")


def statement_bytes(st: Statement, kind: str, fmt: str) -> bytes:
    """The ``detail`` or ``summary`` export of a statement (XLSX: both sheets)."""
    frame, extra, sheet = _statement_table(st, kind)
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
    frame, extra, sheet = _statement_table(st, kind)
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
