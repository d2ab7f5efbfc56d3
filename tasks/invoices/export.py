"""AP export for ERP import: one row per invoice line, the invoice's header fields repeated.

``invoices/<stem>.ap.csv`` (text; any cell starting with ``= + - @``, tab or CR gets a leading
apostrophe unless it is a plain number, so a spreadsheet never runs it as a formula) and
``invoices/<stem>.ap.parquet`` (typed: Decimal money, Date dates).
"""

from __future__ import annotations

import io

import polars as pl

from schemas.formula import formula_safe
from tasks.doctype import OutputContext

HEADER_COLUMNS = (
    "invoice_number",
    "document_type",
    "invoice_date",
    "due_date",
    "vendor_name",
    "vendor_tax_id",
    "vendor_iban",
    "buyer_name",
    "po_number",
    "currency",
    "subtotal",
    "tax_total",
    "total",
)
LINE_COLUMNS = ("description", "quantity", "unit_price", "amount", "tax_category", "tax_rate")


def ap_lines(completed: pl.DataFrame) -> pl.DataFrame:
    """One typed row per line (an invoice without lines gives one row with empty line cells)."""
    header = completed.select("record_index", *HEADER_COLUMNS, "lines").with_columns(
        pl.when(pl.col("lines").list.len() > 0)
        .then(pl.col("lines"))
        .otherwise(pl.lit([None], dtype=completed.schema["lines"]))
        .alias("lines")
    )
    exploded = header.with_columns(
        pl.int_ranges(pl.col("lines").list.len()).alias("line_no")
    ).explode("lines", "line_no")
    return exploded.select(
        *HEADER_COLUMNS,
        (pl.col("line_no") + 1).cast(pl.Int64).alias("line_no"),
        *(pl.col("lines").struct.field(c).alias(f"line_{c}") for c in LINE_COLUMNS),
    ).with_columns(
        pl.when(pl.col("line_amount").is_null())
        .then(None)
        .otherwise(pl.col("line_no"))
        .alias("line_no")
    )


def ap_csv(lines: pl.DataFrame) -> bytes:
    text = formula_safe(lines.select(pl.all().cast(pl.String)))
    buffer = io.BytesIO()
    text.write_csv(buffer)
    return buffer.getvalue()


def write_ap_export(completed: pl.DataFrame, out: OutputContext) -> list[str]:
    if completed.height == 0:
        return []
    lines = ap_lines(completed)
    parquet = io.BytesIO()
    lines.write_parquet(parquet)
    return [
        out.outbox.write(f"invoices/{out.stem}.ap.csv", ap_csv(lines)),
        out.outbox.write(f"invoices/{out.stem}.ap.parquet", parquet.getvalue()),
    ]
