"""The client's employee master: who may be paid, who is salaried, and for how much.

The master is a CSV, XLSX or Parquet file named by ``[clients.X.payroll] employee_master``
with an ``employee_id`` column and, optionally, ``pay_type`` (hourly | salaried),
``salary`` (annual, in the client's currency) and ``pay_frequency`` (weekly, biweekly,
semimonthly, monthly, quarterly, annually). Headers are matched after normalisation
(``"Annual Salary"`` == ``annual_salary``), as in batches.

Worked example: salary 52,000.00 paid biweekly is 2,000.00 a period; with the default
tolerance of 1% a gross between 1,980.00 and 2,020.00 passes, 2,500.00 goes to review as
``PAY-SALARY-MISMATCH``.
"""

from __future__ import annotations

import polars as pl

from readers.tabular import normalise_header
from schemas.batch import RECORD_INDEX
from schemas.money import CENT
from schemas.payroll_options import PERIODS_PER_YEAR
from tasks.doctype import ClientContext
from tasks.tabular.parse import NUM_SUFFIX, clean_text, to_decimal, with_number_text

#: Column of the joined batch: the master's pay type of the row's employee.
MASTER_PAY_TYPE = "__master_pay_type"
#: Column of the joined batch: what a salaried row's gross should be (salary / periods).
PERIOD_SALARY = "__period_salary"

_ALIASES = {
    "employee_id": ("employee_id", "emp_id", "employee_number", "employee_no", "id"),
    "pay_type": ("pay_type", "pay_basis", "rate_type", "flsa_status", "salary_or_hourly"),
    "salary": ("salary", "annual_salary", "base_salary", "annual_pay", "salary_amount"),
    "pay_frequency": ("pay_frequency", "frequency", "pay_schedule", "pay_cycle", "pay_period"),
}
PAY_TYPE_SYNONYMS = {
    "hourly": "hourly",
    "hour": "hourly",
    "hr": "hourly",
    "h": "hourly",
    "wage": "hourly",
    "wages": "hourly",
    "non-exempt hourly": "hourly",
    "salaried": "salaried",
    "salary": "salaried",
    "sal": "salaried",
    "s": "salaried",
    "exempt": "salaried",
}
FREQUENCY_SYNONYMS = {
    **{name: name for name in PERIODS_PER_YEAR},
    "w": "weekly",
    "wk": "weekly",
    "week": "weekly",
    "bi-weekly": "biweekly",
    "bw": "biweekly",
    "fortnightly": "biweekly",
    "every two weeks": "biweekly",
    "every other week": "biweekly",
    "semi-monthly": "semimonthly",
    "sm": "semimonthly",
    "twice a month": "semimonthly",
    "m": "monthly",
    "mo": "monthly",
    "month": "monthly",
    "q": "quarterly",
    "annual": "annually",
    "yearly": "annually",
    "a": "annually",
    **{str(n): name for name, n in PERIODS_PER_YEAR.items()},
}


def _column(master: pl.DataFrame, field: str) -> str | None:
    by_norm = {normalise_header(c): c for c in master.columns}
    return next((by_norm[a] for a in _ALIASES[field] if a in by_norm), None)


def _lookup(raw: pl.Expr, synonyms: dict[str, str]) -> pl.Expr:
    text = raw.str.strip_chars().str.to_lowercase().str.replace_all(r"[\s_]+", " ")
    return text.replace_strict(synonyms, default=None, return_dtype=pl.String)


def master_terms(ctx: ClientContext) -> pl.DataFrame | None:
    """Per employee of the master: ``employee_id``, :data:`MASTER_PAY_TYPE` and
    ``__annual_salary`` / ``__periods`` (null where the master does not say); None when the
    client has no master or it has no ``employee_id`` column."""
    path = ctx.client.payroll.employee_master
    if not path:
        return None
    master = ctx.reference_frame(path)
    id_col = _column(master, "employee_id")
    if id_col is None:
        return None
    pay_type, salary, frequency = (
        _column(master, f) for f in ("pay_type", "salary", "pay_frequency")
    )
    default_frequency = ctx.client.payroll.pay_frequency
    frame = master.select(
        clean_text(id_col).alias("employee_id"),
        (pl.col(pay_type) if pay_type else pl.lit(None, pl.String)).alias("__pay_type_raw"),
        (pl.col(salary) if salary else pl.lit(None, pl.String)).alias("__salary_raw"),
        (pl.col(frequency) if frequency else pl.lit(None, pl.String)).alias("__frequency_raw"),
    ).filter(pl.col("employee_id").is_not_null())
    frame = with_number_text(frame, ["__salary_raw"])
    salary_value = to_decimal(f"__salary_raw{NUM_SUFFIX}", pl.Decimal(18, 2))
    named_frequency = pl.coalesce(
        _lookup(pl.col("__frequency_raw"), FREQUENCY_SYNONYMS), pl.lit(default_frequency)
    )
    periods = named_frequency.replace_strict(PERIODS_PER_YEAR, default=None, return_dtype=pl.Int64)
    stated_type = _lookup(pl.col("__pay_type_raw"), PAY_TYPE_SYNONYMS)
    return frame.select(
        "employee_id",
        # A salary on file without a pay type says salaried.
        pl.coalesce(
            stated_type,
            pl.when(salary_value.is_not_null()).then(pl.lit("salaried")),
        ).alias(MASTER_PAY_TYPE),
        pl.when(salary_value > 0).then(salary_value).alias("__annual_salary"),
        periods.alias("__periods"),
    ).unique("employee_id", keep="first", maintain_order=True)


def with_master_terms(typed: pl.DataFrame, terms: pl.DataFrame | None) -> pl.DataFrame:
    """``typed`` plus :data:`MASTER_PAY_TYPE` and :data:`PERIOD_SALARY` (both null without a
    master), in the batch's row order."""
    if terms is None or terms.height == 0:
        return typed.with_columns(
            pl.lit(None, pl.String).alias(MASTER_PAY_TYPE),
            pl.lit(None, pl.Decimal(18, 2)).alias(PERIOD_SALARY),
        )
    joined = typed.join(terms, on="employee_id", how="left", maintain_order="left")
    # Salary / periods in whole cents, half-up (salaries are positive): (2c + p) // 2p.
    cents = (pl.col("__annual_salary") * 100).cast(pl.Int64)
    periods = pl.col("__periods")
    per_period = (2 * cents + periods) // (2 * periods)
    as_money = per_period.cast(pl.Decimal(18, 0)) * pl.lit(CENT, pl.Decimal(3, 2))
    return joined.with_columns(as_money.cast(pl.Decimal(18, 2)).alias(PERIOD_SALARY)).drop(
        "__annual_salary", "__periods"
    )


def unknown_employees(typed: pl.DataFrame, terms: pl.DataFrame | None) -> pl.DataFrame | None:
    """``PAY-UNKNOWN-EMPLOYEE`` issue rows for employees the master does not list."""
    if terms is None:
        return None
    known = terms.get_column("employee_id").implode()
    unknown = typed.filter(
        pl.col("employee_id").is_not_null() & ~pl.col("employee_id").is_in(known)
    ).rechunk()  # pl.format needs one chunk (Polars 2.1)
    return unknown.select(
        pl.col(RECORD_INDEX),
        pl.lit("PAY-UNKNOWN-EMPLOYEE").alias("code"),
        pl.lit("employee_id").alias("field"),
        pl.format(
            "employee_id {} is not in the client's employee master.", pl.col("employee_id")
        ).alias("message"),
        pl.lit("review").alias("severity"),
    )
