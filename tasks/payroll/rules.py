"""Payroll rules, vectorised over the whole batch.

Each rule is a boolean Polars expression that is true where a record breaks it, with a stable
code, the field it concerns and a message a reviewer can act on. Types, required fields, formats
and allowed values derive from :class:`schemas.payroll.PayrollEntry`.

Worked example of the pay arithmetic (hourly employee, rate 20.00, 80 regular and 2 overtime
hours): gross = 80 x 20.00 + 2 x 20.00 x 1.5 = 1660.00; with taxes 150 + 50 + 102.92 + 24.07 and
other deductions 10.00, net must be 1660.00 - 336.99 = 1323.01 to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from stdnum.us import rtn

from schemas.batch import ISSUE_SCHEMA, RECORD_INDEX
from schemas.formula import formula_expr
from schemas.frames import max_length
from schemas.payroll import (
    ACCOUNT_TYPES,
    DATE_COLUMNS,
    DEDUCTION_COLUMNS,
    HOURS_COLUMNS,
    PAYROLL_COLUMNS,
    PAYROLL_REQUIRED,
    PAYROLL_SCHEMA,
    PayrollEntry,
)
from tasks.tabular.parse import (
    NUM_SUFFIX,
    clean_text,
    excess_precision,
    map_distinct,
    parse_dates,
    to_decimal,
    with_number_text,
)

ACCOUNT_TYPE_SYNONYMS = {
    "checking": "checking",
    "check": "checking",
    "chk": "checking",
    "c": "checking",
    "dda": "checking",
    "savings": "savings",
    "saving": "savings",
    "sav": "savings",
    "s": "savings",
}
GROSS_TOLERANCE = Decimal("0.01")
OVERTIME_FACTOR = Decimal("1.5")
#: Text that a spreadsheet would run as a formula when the value is opened or exported.
TEXT_COLUMNS = [c for c, t in PAYROLL_SCHEMA.items() if t == pl.String()]
NUMERIC_COLUMNS = [c for c, t in PAYROLL_SCHEMA.items() if isinstance(t, pl.Decimal)]


@dataclass(frozen=True)
class Rule:
    code: str
    field: str
    broken: pl.Expr
    message: str | pl.Expr
    #: The rule can only break where the typed ``field`` is null (a value that did not parse
    #: or is missing), so a column without nulls skips it.
    when_null: bool = False


def _pattern(name: str) -> str | None:
    for meta in PayrollEntry.model_fields[name].metadata:
        pattern = getattr(meta, "pattern", None)
        if pattern:
            return str(pattern)
    return None


def typed_columns() -> list[pl.Expr]:
    """Expressions turning the ``<name>__raw`` string columns into the model's dtypes."""
    exprs: list[pl.Expr] = []
    for name, dtype in PAYROLL_SCHEMA.items():
        src = f"{name}__raw"
        if isinstance(dtype, pl.Decimal):
            exprs.append(
                to_decimal(f"{src}{NUM_SUFFIX}", dtype, pl.col(f"{name}__excess")).alias(name)
            )
        elif dtype == pl.Date() or name == "account_type":
            continue  # parsed per distinct value in type_records
        elif name == "routing_number":
            exprs.append(clean_text(src).str.replace_all(r"[\s-]", "").alias(name))
        else:
            exprs.append(clean_text(src).alias(name))
    return exprs


def _type_rules() -> list[Rule]:
    rules: list[Rule] = []
    for name, dtype in PAYROLL_SCHEMA.items():
        raw, typed = pl.col(f"{name}__raw"), pl.col(name)
        present = clean_text(f"{name}__raw").is_not_null()
        if name in PAYROLL_REQUIRED:
            rules.append(
                Rule(
                    "PAY-REQUIRED",
                    name,
                    ~present,
                    f"{name} is required but empty.",
                    when_null=True,
                )
            )
        if isinstance(dtype, pl.Decimal):
            rules.append(
                Rule(
                    "PAY-PRECISION",
                    name,
                    pl.col(f"{name}__excess"),
                    f"{name} has more than {dtype.scale} decimal places; amounts are in cents.",
                    when_null=True,
                )
            )
            rules.append(
                Rule(
                    "PAY-NOT-A-NUMBER",
                    name,
                    present & typed.is_null() & ~pl.col(f"{name}__excess"),
                    pl.format("{} is not a number: '{}'.", pl.lit(name), raw.str.slice(0, 40)),
                    when_null=True,
                )
            )
        elif dtype == pl.Date():
            rules.append(
                Rule(
                    "PAY-NOT-A-DATE",
                    name,
                    present & typed.is_null(),
                    pl.format(
                        "{} is not a valid date: '{}' (use YYYY-MM-DD or MM/DD/YYYY).",
                        pl.lit(name),
                        raw.str.slice(0, 40),
                    ),
                    when_null=True,
                )
            )
        elif name == "account_type":
            rules.append(
                Rule(
                    "PAY-ACCOUNT-TYPE",
                    name,
                    present & typed.is_null(),
                    pl.format(
                        "account_type '{}' is not one of {}.",
                        raw.str.slice(0, 20),
                        pl.lit(", ".join(ACCOUNT_TYPES)),
                    ),
                    when_null=True,
                )
            )
        if dtype == pl.String():
            limit = max_length(PayrollEntry, name)
            if limit:
                rules.append(
                    Rule(
                        "PAY-TOO-LONG",
                        name,
                        typed.str.len_chars() > limit,
                        f"{name} is longer than {limit} characters.",
                    )
                )
            rules.append(
                Rule(
                    "PAY-FORMULA-INJECTION",
                    name,
                    formula_expr(raw),
                    f"{name} starts like a spreadsheet formula; confirm the real value.",
                )
            )
    return rules


def _routing_valid(routing: pl.Series) -> pl.Series:
    """ABA check digit via python-stdnum, evaluated once per distinct routing number."""
    distinct = routing.drop_nulls().unique()
    verdict = {r: bool(rtn.is_valid(r)) for r in distinct.to_list()}
    return routing.replace_strict(verdict, default=None, return_dtype=pl.Boolean)


def _business_rules(max_period_hours: int) -> list[Rule]:
    """The rules between fields: pay arithmetic, the pay period, bank details, identity."""
    return [
        *_pay_rules(max_period_hours),
        *_period_rules(),
        *_bank_rules(),
        *_identity_rules(),
    ]


def _pay_rules(max_period_hours: int) -> list[Rule]:
    """Net is gross less deductions; gross is hours x rate for hourly staff; plausible hours;
    amounts that cannot be negative."""
    c = pl.col
    deductions = pl.sum_horizontal(*(c(d) for d in DEDUCTION_COLUMNS))
    expected_gross = c("regular_hours") * c("hourly_rate") + c("overtime_hours") * c(
        "hourly_rate"
    ) * pl.lit(OVERTIME_FACTOR, pl.Decimal(3, 1))
    all_deductions_known = pl.all_horizontal(*(c(d).is_not_null() for d in DEDUCTION_COLUMNS))
    hours = c("regular_hours") + c("overtime_hours")
    return [
        Rule(
            "PAY-NET-MISMATCH",
            "net_pay",
            all_deductions_known & (c("gross_pay") - deductions != c("net_pay")),
            pl.format(
                "net_pay {} != gross_pay {} - taxes and deductions {} (= {}).",
                c("net_pay"),
                c("gross_pay"),
                deductions,
                c("gross_pay") - deductions,
            ),
        ),
        Rule(
            "PAY-GROSS-MISMATCH",
            "gross_pay",
            c("hourly_rate").is_not_null()
            & ((expected_gross - c("gross_pay")).abs() > pl.lit(GROSS_TOLERANCE, pl.Decimal(3, 2))),
            pl.format(
                "gross_pay {} != regular_hours x hourly_rate + overtime_hours x hourly_rate x 1.5"
                " (= {}).",
                c("gross_pay"),
                expected_gross.cast(pl.Decimal(18, 2)),
            ),
        ),
        *(Rule("PAY-NEGATIVE-HOURS", h, c(h) < 0, f"{h} is negative.") for h in HOURS_COLUMNS),
        Rule(
            "PAY-IMPLAUSIBLE-HOURS",
            "regular_hours",
            hours > max_period_hours,
            pl.format(
                "{} hours in one pay period is more than the plausible {}; check the hours.",
                hours,
                pl.lit(max_period_hours),
            ),
        ),
        *(
            Rule("PAY-NEGATIVE-AMOUNT", m, c(m) < 0, f"{m} is negative.")
            for m in ["gross_pay", *DEDUCTION_COLUMNS]
        ),
        Rule(
            "PAY-NET-NOT-POSITIVE",
            "net_pay",
            c("net_pay") <= 0,
            "net_pay must be above zero to send a credit to the employee's bank.",
        ),
    ]


def _period_rules() -> list[Rule]:
    """The period runs forward and ends no later than the pay date."""
    c = pl.col
    return [
        Rule(
            "PAY-PERIOD-ORDER",
            "period_end",
            c("period_start") > c("period_end"),
            pl.format(
                "period_start {} is after period_end {}.", c("period_start"), c("period_end")
            ),
        ),
        Rule(
            "PAY-PERIOD-ORDER",
            "pay_date",
            c("period_end") > c("pay_date"),
            pl.format("period_end {} is after pay_date {}.", c("period_end"), c("pay_date")),
        ),
    ]


def _bank_rules() -> list[Rule]:
    """What the NACHA entry needs: a valid routing number, an account and a printable name."""
    c = pl.col
    routing_pattern = _pattern("routing_number") or r"^\d{9}$"
    return [
        Rule(
            "PAY-ROUTING-FORMAT",
            "routing_number",
            c("routing_number").is_not_null() & ~c("routing_number").str.contains(routing_pattern),
            pl.format(
                "routing_number must be 9 digits; got {} characters{}.",
                c("routing_number").str.len_chars(),
                pl.when(c("routing_number").str.contains(r"^\d{8}$"))
                .then(pl.lit(" (a leading zero may have been lost in a spreadsheet)"))
                .otherwise(pl.lit("")),
            ),
        ),
        Rule(
            "PAY-ROUTING-CHECKSUM",
            "routing_number",
            c("routing_number").str.contains(routing_pattern) & ~c("__routing_ok"),
            "routing_number fails the ABA check digit; ask the client for the correct number.",
        ),
        Rule(
            "PAY-ACCOUNT-FORMAT",
            "account_number",
            c("account_number").is_not_null()
            & ~c("account_number").str.contains(r"^[0-9A-Za-z-]{1,17}$"),
            "account_number may hold only letters, digits and '-' (at most 17).",
        ),
        Rule(
            "PAY-NAME-NOT-ACH",
            "employee_name",
            c("employee_name").is_not_null() & ~c("employee_name").str.contains(r"[A-Za-z1-9]"),
            "employee_name has no letter A-Z or digit the bank file can carry (its name field"
            " would be blank or zeros); enter the name as the bank account holds it.",
        ),
    ]


def _identity_rules() -> list[Rule]:
    """One payment per employee in a batch."""
    c = pl.col
    return [
        Rule(
            "PAY-DUPLICATE-EMPLOYEE",
            "employee_id",
            # Group sizes by key: exact like ``is_duplicated``, and parallel, so 2-3x faster.
            c("employee_id").is_not_null() & (pl.len().over("employee_id") > 1),
            pl.format(
                "employee_id {} appears more than once in this batch; keep one payment.",
                c("employee_id"),
            ),
        ),
    ]


def _account_type(raw: str) -> pl.Expr:
    return (
        clean_text(raw)
        .str.to_lowercase()
        .replace_strict(ACCOUNT_TYPE_SYNONYMS, default=None, return_dtype=pl.String)
    )


def type_records(raw: pl.DataFrame) -> pl.DataFrame:
    """``raw`` (record_index + canonical string columns) -> typed columns plus ``<name>__raw``.

    Stages are materialised one after the other (number text, then the precision flags, then
    the casts that read them), so no stage is evaluated twice.
    """
    frame = raw.rename({c: f"{c}__raw" for c in PAYROLL_COLUMNS})
    frame = with_number_text(frame, [f"{c}__raw" for c in NUMERIC_COLUMNS])
    frame = parse_dates(frame, {c: f"{c}__raw" for c in DATE_COLUMNS})
    frame = frame.with_columns(
        map_distinct(
            frame, "account_type__raw", _account_type("account_type__raw"), "account_type"
        ),
        *(
            excess_precision(f"{c}__raw{NUM_SUFFIX}", PAYROLL_SCHEMA[c].scale or 0).alias(  # type: ignore[attr-defined]
                f"{c}__excess"
            )
            for c in NUMERIC_COLUMNS
        ),
    )
    frame = frame.with_columns(typed_columns()).drop(
        f"{c}__raw{NUM_SUFFIX}" for c in NUMERIC_COLUMNS
    )
    return frame.with_columns(
        _routing_valid(frame.get_column("routing_number")).alias("__routing_ok")
    )


def find_issues(typed: pl.DataFrame, *, max_period_hours: int) -> pl.DataFrame:
    """Every broken rule of every record, as ``ISSUE_SCHEMA`` rows.

    All rules are evaluated in one parallel pass over the batch; only the rules that fired
    then select their (few) broken rows and word their messages on that small frame, in one
    chunk: ``pl.format`` over a many-chunk frame trips an assertion in Polars 2.1.
    """
    nulls = dict(zip(typed.columns, typed.null_count().row(0), strict=True))
    rules = [
        r
        for r in [*_type_rules(), *_business_rules(max_period_hours)]
        if not r.when_null or nulls[r.field]
    ]
    flags = (
        typed.lazy()
        .select(rule.broken.fill_null(False).alias(f"__rule{i}") for i, rule in enumerate(rules))
        .collect()
    )
    fired = flags.select(pl.all().any()).row(0)
    parts = []
    for i, (rule, hit) in enumerate(zip(rules, fired, strict=True)):
        if not hit:
            continue
        message = pl.lit(rule.message) if isinstance(rule.message, str) else rule.message
        hits = typed.filter(flags.get_column(f"__rule{i}")).rechunk()
        parts.append(
            hits.select(
                pl.col(RECORD_INDEX),
                pl.lit(rule.code).alias("code"),
                pl.lit(rule.field).alias("field"),
                message.cast(pl.String).alias("message"),
                pl.lit("review").alias("severity"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    return pl.concat(parts).cast(ISSUE_SCHEMA)  # type: ignore[arg-type]
