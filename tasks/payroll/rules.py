"""Payroll rules, vectorised over the whole batch.

Each rule is a boolean Polars expression that is true where a record breaks it, with a stable
code, the field it concerns and a message a reviewer can act on. Types, required fields, formats
and allowed values derive from :class:`schemas.payroll.PayrollEntry`.

Worked example of the pay arithmetic (hourly employee, rate 20.00, 80 regular and 2 overtime
hours): gross = 80 x 20.00 + 2 x 20.00 x 1.5 = 1660.00; with taxes 150 + 50 + 102.92 + 24.07 and
other deductions 10.00, net must be 1660.00 - 336.99 = 1323.01 to the cent.

Who is hourly: the row's ``pay_type`` when given, else the employee master's, else whether
the row gives a (non-zero) ``hourly_rate``. Hourly rows need regular hours and a rate, and
their gross is hours x rate; salaried rows may leave rate and hours blank (or print hours),
and their gross is taken as sent, or checked against the master's salary when it has one
(:mod:`tasks.payroll.master`). Net = gross - deductions holds for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl
from stdnum.us import rtn

from schemas.batch import ISSUE_SCHEMA, RECORD_INDEX
from schemas.formula import formula_expr
from schemas.frames import max_length
from schemas.money import other_currency
from schemas.payroll import (
    ACCOUNT_TYPES,
    DATE_COLUMNS,
    DEDUCTION_COLUMNS,
    HOURS_COLUMNS,
    PAY_TYPES,
    PAYROLL_COLUMNS,
    PAYROLL_REQUIRED,
    PAYROLL_SCHEMA,
    PayrollEntry,
)
from tasks.payroll.master import MASTER_PAY_TYPE, PAY_TYPE_SYNONYMS, PERIOD_SALARY
from tasks.payroll.nacha import MAX_ENTRY_AMOUNT
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
#: Amount columns (money and the rate) whose text may name a currency.
AMOUNT_TEXT_COLUMNS = [c for c, t in PAYROLL_SCHEMA.items() if isinstance(t, pl.Decimal)]
AMOUNT_TEXT_COLUMNS = [c for c in AMOUNT_TEXT_COLUMNS if c not in HOURS_COLUMNS]
#: Columns of literal values, read through synonyms.
LITERAL_SYNONYMS = {"account_type": ACCOUNT_TYPE_SYNONYMS, "pay_type": PAY_TYPE_SYNONYMS}
LITERAL_CODES = {"account_type": "PAY-ACCOUNT-TYPE", "pay_type": "PAY-PAY-TYPE"}
LITERAL_VALUES = {"account_type": ACCOUNT_TYPES, "pay_type": PAY_TYPES}
#: Is the row paid by the hour (see the module docstring)? Needs :func:`with_pay_basis`.
HOURLY = "__hourly"
#: Does the row write an amount other than as its plain number? Set by :func:`type_records`.
WRITTEN_AMOUNT = "__written_amount"
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
        elif dtype == pl.Date() or name in LITERAL_SYNONYMS:
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
        elif name in LITERAL_SYNONYMS:
            rules.append(
                Rule(
                    LITERAL_CODES[name],
                    name,
                    present & typed.is_null(),
                    pl.format(
                        "{} '{}' is not one of {}.",
                        pl.lit(name),
                        raw.str.slice(0, 20),
                        pl.lit(", ".join(LITERAL_VALUES[name])),
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


@dataclass(frozen=True)
class PayPolicy:
    """The client's settings the rules between fields read."""

    max_period_hours: int = 200
    #: Share of a salaried period's pay a gross may differ by (``0.01``: 1%).
    salary_tolerance: Decimal = Decimal("0.01")


def _business_rules(policy: PayPolicy) -> list[Rule]:
    """The rules between fields: pay arithmetic, the pay period, bank details, identity."""
    return [
        *_pay_rules(policy),
        *_period_rules(),
        *_bank_rules(),
        *_identity_rules(),
    ]


def with_pay_basis(typed: pl.DataFrame) -> pl.DataFrame:
    """Add :data:`HOURLY`: the row's ``pay_type``, else the master's (:data:`MASTER_PAY_TYPE`,
    added as null when absent), else whether it gives a non-zero rate (as text, so a rate that
    does not parse still counts as given)."""
    if MASTER_PAY_TYPE not in typed.columns:
        typed = typed.with_columns(
            pl.lit(None, pl.String).alias(MASTER_PAY_TYPE),
            pl.lit(None, pl.Decimal(18, 2)).alias(PERIOD_SALARY),
        )
    stated = pl.coalesce(pl.col("pay_type"), pl.col(MASTER_PAY_TYPE))
    rate_given = clean_text("hourly_rate__raw").is_not_null() & (
        pl.col("hourly_rate").is_null() | (pl.col("hourly_rate") != 0)
    )
    return typed.with_columns(
        pl.when(stated.is_not_null()).then(stated == "hourly").otherwise(rate_given).alias(HOURLY)
    )


def _pay_rules(policy: PayPolicy) -> list[Rule]:
    """Net is gross less deductions; hourly rows need hours and a rate, and their gross is
    hours x rate; a salaried gross matches the master's salary; plausible hours; amounts that
    cannot be negative or do not fit a bank entry."""
    c = pl.col
    hourly = c(HOURLY)
    deductions = pl.sum_horizontal(*(c(d) for d in DEDUCTION_COLUMNS))
    overtime = c("overtime_hours").fill_null(pl.lit(0, pl.Decimal(9, 2)))
    expected_gross = c("regular_hours") * c("hourly_rate") + overtime * c("hourly_rate") * pl.lit(
        OVERTIME_FACTOR, pl.Decimal(3, 1)
    )
    all_deductions_known = pl.all_horizontal(*(c(d).is_not_null() for d in DEDUCTION_COLUMNS))
    hours = c("regular_hours").fill_null(0) + overtime
    salary = c(PERIOD_SALARY)
    leeway = pl.max_horizontal(
        salary * pl.lit(policy.salary_tolerance, pl.Decimal(6, 4)),
        pl.lit(GROSS_TOLERANCE, pl.Decimal(3, 2)),
    )
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
            "PAY-REQUIRED",
            "regular_hours",
            hourly & clean_text("regular_hours__raw").is_null(),
            "regular_hours is required for an hourly employee (a rate or pay_type says hourly)"
            " but empty; salaried staff leave hourly_rate empty.",
            when_null=True,
        ),
        Rule(
            "PAY-REQUIRED",
            "hourly_rate",
            hourly & clean_text("hourly_rate__raw").is_null(),
            "hourly_rate is required: the row's pay_type or the employee master says this"
            " employee is hourly, but no rate is given.",
            when_null=True,
        ),
        Rule(
            "PAY-GROSS-MISMATCH",
            "gross_pay",
            hourly
            & c("hourly_rate").is_not_null()
            & c("regular_hours").is_not_null()
            & ((expected_gross - c("gross_pay")).abs() > pl.lit(GROSS_TOLERANCE, pl.Decimal(3, 2))),
            pl.format(
                "gross_pay {} != regular_hours x hourly_rate + overtime_hours x hourly_rate x 1.5"
                " (= {}).",
                c("gross_pay"),
                expected_gross.cast(pl.Decimal(18, 2)),
            ),
        ),
        Rule(
            "PAY-SALARY-MISMATCH",
            "gross_pay",
            ~hourly & salary.is_not_null() & ((c("gross_pay") - salary).abs() > leeway),
            pl.format(
                "gross_pay {} differs from the employee master's salary for one period ({})"
                " by more than {}; confirm a raise, bonus, partial period or unpaid leave.",
                c("gross_pay"),
                salary,
                leeway.cast(pl.Decimal(18, 2)),
            ),
        ),
        *(Rule("PAY-NEGATIVE-HOURS", h, c(h) < 0, f"{h} is negative.") for h in HOURS_COLUMNS),
        Rule(
            "PAY-IMPLAUSIBLE-HOURS",
            "regular_hours",
            hours > policy.max_period_hours,
            pl.format(
                "{} hours in one pay period is more than the plausible {}; check the hours.",
                hours,
                pl.lit(policy.max_period_hours),
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
        Rule(
            "PAY-AMOUNT-TOO-LARGE",
            "net_pay",
            c("net_pay") > pl.lit(MAX_ENTRY_AMOUNT, pl.Decimal(18, 2)),
            pl.format(
                "net_pay {} does not fit the amount field of a bank (NACHA) entry, at most {};"
                " confirm the amount, or split the payment.",
                c("net_pay"),
                pl.lit(str(MAX_ENTRY_AMOUNT)),
            ),
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


def _foreign_currencies(typed: pl.DataFrame, currency: str) -> dict[str, pl.Series]:
    """Per amount column whose text names another currency than ``currency`` (``EUR 832.49``
    for a client paid in USD): the column ``__foreign_<name>``, that currency or null.

    Only the distinct texts of rows with an amount not written as its plain number
    (:data:`WRITTEN_AMOUNT`) are read, once each, by the one currency reader
    (:func:`schemas.money.other_currency`).
    """
    rows = typed.filter(pl.col(WRITTEN_AMOUNT)) if WRITTEN_AMOUNT in typed.columns else typed
    if rows.height == 0:
        return {}
    odd = rows.select(
        pl.col(f"{c}__raw")
        .filter(pl.col(f"{c}__raw").str.contains(r"[^0-9.,\s()+\-]"))
        .unique()
        .implode()
        for c in AMOUNT_TEXT_COLUMNS
    )
    out: dict[str, pl.Series] = {}
    for c in AMOUNT_TEXT_COLUMNS:
        texts = odd.get_column(f"{c}__raw").explode().drop_nulls().to_list()
        named = {t: code for t in texts if (code := other_currency(t, currency))}
        if named:
            out[c] = (
                typed.get_column(f"{c}__raw")
                .replace_strict(named, default=None, return_dtype=pl.String)
                .alias(f"__foreign_{c}")
            )
    return out


def _currency_rules(foreign: dict[str, pl.Series], currency: str) -> list[Rule]:
    return [
        Rule(
            "PAY-CURRENCY",
            name,
            pl.col(f"__foreign_{name}").is_not_null(),
            pl.format(
                "{} '{}' is written in {}, but this client's payroll is paid in {}; send the"
                " amount in {} (it is not converted here).",
                pl.lit(name),
                pl.col(f"{name}__raw").str.slice(0, 40),
                pl.col(f"__foreign_{name}"),
                pl.lit(currency),
                pl.lit(currency),
            ),
        )
        for name in foreign
    ]


def _literal(raw: str, synonyms: dict[str, str]) -> pl.Expr:
    return (
        clean_text(raw)
        .str.to_lowercase()
        .replace_strict(synonyms, default=None, return_dtype=pl.String)
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
        *(
            map_distinct(frame, f"{name}__raw", _literal(f"{name}__raw", synonyms), name)
            for name, synonyms in LITERAL_SYNONYMS.items()
        ),
        *(
            excess_precision(f"{c}__raw{NUM_SUFFIX}", PAYROLL_SCHEMA[c].scale or 0).alias(  # type: ignore[attr-defined]
                f"{c}__excess"
            )
            for c in NUMERIC_COLUMNS
        ),
    )
    # Rows where an amount is not written as its plain number (grouped, a symbol, a code, a
    # word): the only rows whose text may name a currency. Comparing text costs a fraction
    # of matching a pattern over every amount.
    written = pl.any_horizontal(
        pl.col(f"{c}__raw").ne_missing(pl.col(f"{c}__raw{NUM_SUFFIX}")) for c in AMOUNT_TEXT_COLUMNS
    )
    frame = frame.with_columns(*typed_columns(), written.alias(WRITTEN_AMOUNT)).drop(
        f"{c}__raw{NUM_SUFFIX}" for c in NUMERIC_COLUMNS
    )
    return frame.with_columns(
        _routing_valid(frame.get_column("routing_number")).alias("__routing_ok")
    )


def find_issues(
    typed: pl.DataFrame, *, policy: PayPolicy | None = None, currency: str | None = None
) -> pl.DataFrame:
    """Every broken rule of every record, as ``ISSUE_SCHEMA`` rows.

    All rules are evaluated in one parallel pass over the batch; only the rules that fired
    then select their (few) broken rows and word their messages on that small frame, in one
    chunk: ``pl.format`` over a many-chunk frame trips an assertion in Polars 2.1.
    ``currency`` is the client's: an amount written in another one is flagged.
    """
    typed = with_pay_basis(typed)
    nulls = dict(zip(typed.columns, typed.null_count().row(0), strict=True))
    foreign = _foreign_currencies(typed, currency) if currency else {}
    typed = typed.with_columns(foreign.values())
    rules = [
        r
        for r in [
            *_type_rules(),
            *_business_rules(policy or PayPolicy()),
            *_currency_rules(foreign, currency or ""),
        ]
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
