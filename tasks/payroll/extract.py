"""Payroll batch bytes -> validated, typed records and their issues.

No I/O beyond reading the client's reference data (the employee master).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from readers.row_shape import ROW_SHAPE
from readers.tabular import RawTable, TableError, is_xlsx, read_csv_strings, read_xlsx_sheets
from schemas.batch import ISSUE_SCHEMA, RECORD_INDEX, RECORD_KEY, ValidatedBatch
from schemas.issue import Issue
from schemas.payroll import PAYROLL_COLUMNS
from tasks.doctype import ClientContext
from tasks.payroll.layout import Layout, LayoutError, apply_layout, header_score
from tasks.payroll.master import master_terms, unknown_employees, with_master_terms
from tasks.payroll.nacha_check import describe_nacha, looks_like_nacha
from tasks.payroll.rules import PayPolicy, find_issues, type_records

RAW_SUFFIX = "__raw"


def read_layout(data: bytes, mapping: dict[str, str]) -> tuple[Layout, dict[str, object]]:
    """Find the payroll table in CSV or XLSX bytes (every sheet of a workbook is considered)."""
    if not data:
        raise TableError("FILE-EMPTY", "The file is empty (0 bytes).")
    if is_xlsx(data):
        sheets = [(n, t) for n, t in read_xlsx_sheets(data) if header_score(t.header, mapping) > 0]
        if not sheets:
            raise TableError(
                "PAY-MISSING-COLUMN", "No sheet of the workbook has a payroll header row."
            )
        best = max(header_score(t.header, mapping) for _, t in sheets)
        chosen = [(n, t) for n, t in sheets if header_score(t.header, mapping) == best]
        layouts = [apply_layout(t, mapping) for _, t in chosen]
        frame = pl.concat([lay.frame for lay in layouts])
        control: dict[str, Decimal] = {}
        for lay in layouts:
            control.update(lay.control)
        meta: dict[str, object] = {"format": "xlsx", "sheets": [n for n, _ in chosen]}
        ignored = sorted({c for lay in layouts for c in lay.ignored_columns})
        return Layout(frame=frame, ignored_columns=ignored, control=control), meta
    table: RawTable = read_csv_strings(data)
    return apply_layout(table, mapping), dict(table.meta)


def _control_issues(typed: pl.DataFrame, control: dict[str, Decimal]) -> list[Issue]:
    problems = []
    if "record_count" in control and Decimal(typed.height) != control["record_count"]:
        problems.append(
            f"{typed.height} records but the control row declares {control['record_count']}"
        )
    for col in ("gross_pay", "net_pay"):
        if col in control:
            total = typed.get_column(col).sum()
            total = Decimal(0) if total is None else Decimal(str(total))
            if total != control[col]:
                problems.append(f"{col} totals {total} but the control row declares {control[col]}")
    if not problems:
        return []
    return [
        Issue(
            code="PAY-CONTROL-TOTAL",
            field="",
            message="Batch control totals disagree: "
            + "; ".join(problems)
            + ". The whole batch is held for review.",
        )
    ]


def _row_shape_issues(raw: pl.DataFrame) -> pl.DataFrame:
    """``ROW-SHAPE`` for each row that did not fit the header (its values may be shifted)."""
    if ROW_SHAPE not in raw.columns:
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    return (
        raw.filter(pl.col(ROW_SHAPE).is_not_null())
        .select(
            pl.col(RECORD_INDEX),
            pl.lit("ROW-SHAPE").alias("code"),
            pl.lit("").alias("field"),
            (
                pl.col(ROW_SHAPE)
                + pl.lit(
                    " Its values may sit in the wrong columns: correct them from the client's"
                    " register, or reject the row and ask for it again."
                )
            ).alias("message"),
            pl.lit("review").alias("severity"),
        )
        .cast(ISSUE_SCHEMA)  # type: ignore[arg-type]
    )


def validate_frame(
    raw: pl.DataFrame, ctx: ClientContext, control: dict[str, Decimal] | None = None
) -> ValidatedBatch:
    """Validate canonical string columns (plus ``record_index``) into a batch."""
    options = ctx.client.payroll
    terms = master_terms(ctx)
    typed = with_master_terms(type_records(raw), terms)
    policy = PayPolicy(
        max_period_hours=options.max_period_hours, salary_tolerance=options.salary_tolerance
    )
    issues = find_issues(typed, policy=policy, currency=ctx.client.currency)
    extra = unknown_employees(typed, terms)
    if extra is not None and extra.height:
        issues = pl.concat([issues, extra.cast(ISSUE_SCHEMA)])  # type: ignore[arg-type]
    shapes = _row_shape_issues(raw)
    if shapes.height:
        issues = pl.concat([issues, shapes])
    file_issues = _control_issues(typed, control or {})
    if file_issues:
        held = typed.select(
            pl.col(RECORD_INDEX),
            pl.lit("PAY-CONTROL-TOTAL").alias("code"),
            pl.lit("").alias("field"),
            pl.lit(file_issues[0].message).alias("message"),
            pl.lit("review").alias("severity"),
        )
        issues = pl.concat([issues, held.cast(ISSUE_SCHEMA)])  # type: ignore[arg-type]
    records = typed.select(
        pl.col(RECORD_INDEX),
        pl.coalesce(
            pl.col("employee_id"), pl.lit("#") + (pl.col(RECORD_INDEX) + 1).cast(pl.String)
        ).alias(RECORD_KEY),
        *PAYROLL_COLUMNS,
    )
    return ValidatedBatch(
        records=records.with_columns(_flagged_raw(typed, issues)),
        issues=issues,
        file_issues=tuple(file_issues),
    )


def _flagged_raw(typed: pl.DataFrame, issues: pl.DataFrame) -> pl.Series:
    """``raw``: the values as the file wrote them (JSON), for flagged records only.

    Encoded on the flagged rows alone and scattered into an all-null column, so valid rows
    (nearly all) cost nothing.
    """
    flagged = issues.get_column(RECORD_INDEX).unique().implode()
    rows = typed.select(pl.col(RECORD_INDEX).is_in(flagged).arg_true()).to_series()
    column = pl.select(pl.repeat(None, typed.height, dtype=pl.String).alias("raw")).to_series()
    if rows.len() == 0:
        return column
    raw_cols = [f"{c}{RAW_SUFFIX}" for c in PAYROLL_COLUMNS]
    values = (
        typed.select(raw_cols)[rows]
        .select(pl.struct(pl.all().name.map(lambda n: n.removesuffix(RAW_SUFFIX))))
        .to_series()
        .struct.json_encode()
    )
    return column.scatter(rows, values)


def extract_payroll(data: bytes, name: str, ctx: ClientContext) -> ValidatedBatch:
    """Read and validate a payroll batch; unreadable files come back with file issues only."""
    if looks_like_nacha(data):
        return ValidatedBatch.unreadable(
            Issue(
                code="PAY-NACHA-FILE",
                message="This is not a payroll register but "
                + describe_nacha(data)
                + " Send the payroll register (CSV or XLSX, one row per employee); the bank"
                " file is built here from it once every row passes.",
            )
        )
    try:
        layout, meta = read_layout(data, ctx.client.payroll.columns)
    except TableError as exc:
        return ValidatedBatch.unreadable(Issue(code=exc.code, message=exc.message))
    except LayoutError as exc:
        return ValidatedBatch.unreadable(exc.issue)
    if layout.frame.height == 0:
        return ValidatedBatch.unreadable(
            Issue(code="PAY-NO-RECORDS", message="The file has a header but no payment rows.")
        )
    raw = layout.frame.with_row_index(RECORD_INDEX)
    batch = validate_frame(raw, ctx, layout.control)
    meta.update(
        {
            "source_name": name,
            "ignored_columns": layout.ignored_columns,
            "declared_control": {k: str(v) for k, v in layout.control.items()},
        }
    )
    return ValidatedBatch(
        records=batch.records, issues=batch.issues, file_issues=batch.file_issues, meta=meta
    )
