"""From a table of strings to the canonical payroll columns.

Headers are matched after normalisation (``"Employee ID"`` == ``employee_id``) and through the
client's column mapping. A trailer row whose employee id reads ``TOTAL``/``CONTROL`` declares
the batch's control totals and is not a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from readers.row_shape import ROW_SHAPE
from readers.tabular import RawTable, normalise_header
from schemas.issue import Issue
from schemas.payroll import PAYROLL_COLUMNS, PAYROLL_REQUIRED
from tasks.tabular.parse import NUM_SUFFIX, with_number_text

CONTROL_ROW = r"(?i)^\s*(batch[\s_-]*)?(control|totals?)(\s+row)?\s*$"


@dataclass(frozen=True)
class Layout:
    """The string frame with canonical column names (and the ``ROW_SHAPE`` note of rows that
    did not fit the header), plus what the file declared."""

    frame: pl.DataFrame
    ignored_columns: list[str]
    control: dict[str, Decimal] = field(default_factory=dict)


class LayoutError(ValueError):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def canonical_names(header: list[str], mapping: dict[str, str]) -> list[str | None]:
    """Canonical field name for each header cell (None for columns we do not use)."""
    by_norm = {normalise_header(k): v for k, v in mapping.items()}
    out: list[str | None] = []
    for cell in header:
        target = mapping.get(cell) or by_norm.get(normalise_header(cell)) or normalise_header(cell)
        out.append(target if target in PAYROLL_COLUMNS else None)
    return out


def header_score(header: list[str], mapping: dict[str, str]) -> int:
    """How many required payroll fields a header row provides (to pick sheets)."""
    return len(set(PAYROLL_REQUIRED) & {c for c in canonical_names(header, mapping) if c})


def apply_layout(table: RawTable, mapping: dict[str, str]) -> Layout:
    names = canonical_names(table.header, mapping)
    seen: dict[str, int] = {}
    for n in names:
        if n:
            seen[n] = seen.get(n, 0) + 1
    dupes = sorted(n for n, k in seen.items() if k > 1)
    if dupes:
        raise LayoutError(
            Issue(
                code="PAY-DUPLICATE-HEADER",
                message=(
                    f"Columns appear more than once in the header: {', '.join(dupes)}. "
                    "Remove the extra column(s) so each value has one meaning, then resend."
                ),
            )
        )
    missing = [c for c in PAYROLL_REQUIRED if c not in seen]
    if missing:
        raise LayoutError(
            Issue(
                code="PAY-MISSING-COLUMN",
                message=(
                    f"Required column(s) missing: {', '.join(missing)}. Header found: "
                    f"{', '.join(h for h in table.header if h) or '(none)'}. Add the columns or "
                    "map your headers in the client's [payroll.columns] config."
                ),
            )
        )
    select = [pl.col(f"c{i}").alias(n) for i, n in enumerate(names) if n]
    shape = pl.col(ROW_SHAPE) if ROW_SHAPE in table.frame.columns else pl.lit(None, pl.String)
    frame = table.frame.select(*select, shape.alias(ROW_SHAPE))
    frame = frame.with_columns(
        pl.lit(None, pl.String).alias(c) for c in PAYROLL_COLUMNS if c not in frame.columns
    ).select(*PAYROLL_COLUMNS, ROW_SHAPE)
    ignored = [h for h, n in zip(table.header, names, strict=True) if not n and h]

    is_control = pl.col("employee_id").str.contains(CONTROL_ROW).fill_null(False)
    control_rows = frame.filter(is_control)
    frame = frame.filter(~is_control)
    return Layout(frame=frame, ignored_columns=ignored, control=_declared_totals(control_rows))


def _declared_totals(rows: pl.DataFrame) -> dict[str, Decimal]:
    if rows.height == 0:
        return {}
    row = rows.row(0, named=True)
    totals: dict[str, Decimal] = {}
    for col in ("gross_pay", "net_pay"):
        one = pl.DataFrame({"v": [row.get(col)]}, schema={"v": pl.String})
        text = with_number_text(one, ["v"]).get_column(f"v{NUM_SUFFIX}").item()
        if text is not None:
            totals[col] = Decimal(text)
    count = (row.get("employee_name") or "").strip()
    if count.isdigit():
        totals["record_count"] = Decimal(count)
    return totals
