"""Valid records made by code, and ways to break exactly one field."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import polars as pl

from samples.payroll import payroll_frame
from schemas.config import ClientConfig
from schemas.invoice_options import InvoiceOptions
from schemas.payroll import PAYROLL_COLUMNS
from tasks.doctype import ClientContext


def payroll_rows(n: int = 3, **overrides: str | None) -> list[dict[str, str | None]]:
    """``n`` valid canonical payroll rows as strings; ``overrides`` apply to the first row."""
    rows = payroll_frame(n).rows(named=True)
    rows[0] = {**rows[0], **overrides}
    return rows


def payroll_csv(
    rows: list[dict[str, str | None]], *, sep: str = ",", encoding: str = "utf-8"
) -> bytes:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(PAYROLL_COLUMNS, pl.String))
    buf = io.BytesIO()
    frame.write_csv(buf, separator=sep)
    return buf.getvalue().decode("utf-8").encode(encoding)


def make_ctx(base: Path, **options: Any) -> ClientContext:
    """Acme's context with these invoice options, reference files under ``base``."""
    return ClientContext(
        ClientConfig(id="acme", name="Acme", invoices=InvoiceOptions(**options)),
        base_dir=base,
    )
