"""Valid records made by code, and ways to break exactly one field."""

from __future__ import annotations

import io

import polars as pl

from schemas.payroll import PAYROLL_COLUMNS
from tasks.samples.payroll import payroll_frame


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
