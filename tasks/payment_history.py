"""Duplicate payments across files, as frames: a row paying an employee an earlier file paid.

A client that sends the same payroll again (another export of it, CRLF line endings, rows in
another order: other bytes, so not a duplicate file) would pay everyone twice. Each row of a
new batch is compared with the payments completed in the client's earlier files
(``store.payments``): the same employee paid for the same pay date, or for a pay period that
shares a day with the row's, is ``PAY-DUPLICATE-PAYMENT`` for a person to confirm. Payments
still in review or rejected were not made and do not count; a new pay period for the same
people shares no day with the last one and is paid.

Worked example: ``jan.csv`` paid E0000001 on 2026-01-15 for 2026-01-01..2026-01-14. A batch
received later paying E0000001 on 2026-01-16 for 2026-01-01..2026-01-14 (same period) is
flagged; one paying 2026-01-29 for 2026-01-15..2026-01-28 is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from schemas.batch import ISSUE_SCHEMA, RECORD_INDEX, ValidatedBatch

CODE = "PAY-DUPLICATE-PAYMENT"


@dataclass(frozen=True)
class PaymentWindow:
    """The dates an earlier payment must touch to matter to a batch, and how far back the
    files it came from may have been received."""

    period_from: dt.date
    period_to: dt.date
    pay_from: dt.date
    pay_to: dt.date
    received_since: dt.datetime


def complete_payments(payments: pl.DataFrame) -> pl.DataFrame:
    """The rows that say who was paid when (every key field present)."""
    return payments.drop_nulls(["employee_id", "pay_date", "period_start", "period_end"])


def payment_window(
    payments: pl.DataFrame, *, lookback_days: int, now: dt.datetime
) -> PaymentWindow | None:
    """The window of earlier payments worth reading for ``payments``; None when there is
    nothing to compare (no complete row, or the check is off with ``lookback_days`` 0)."""
    rows = complete_payments(payments)
    if lookback_days <= 0 or rows.height == 0:
        return None
    period_from, period_to, pay_from, pay_to = rows.select(
        pl.col("period_start").min(),
        pl.col("period_end").max(),
        pl.col("pay_date").min().alias("pay_from"),
        pl.col("pay_date").max().alias("pay_to"),
    ).row(0)
    return PaymentWindow(
        period_from=period_from,
        period_to=period_to,
        pay_from=pay_from,
        pay_to=pay_to,
        received_since=now - dt.timedelta(days=lookback_days),
    )


def duplicate_payments(payments: pl.DataFrame, earlier: pl.DataFrame) -> pl.DataFrame:
    """``ISSUE_SCHEMA`` rows for the records of ``payments`` (``schemas.payroll.
    PAYMENT_SCHEMA``) whose payment an ``earlier`` one (``PAID_SCHEMA``) already made: same
    employee, and the same pay date or a pay period sharing a day. Each record names the
    earliest such payment (by when its file was received).

    What a message says of the earlier payment is the same for every payment of one history
    row (``set_id``: a file's pay date and period), so it is worded once per history row and
    only the employee and the row number are joined in per record.
    """
    rows = complete_payments(payments)
    if rows.height == 0 or earlier.height == 0:
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    facts = (
        earlier.unique("set_id")
        .select(
            "set_id",
            "pay_date",
            "period_start",
            "period_end",
            "file_id",
            "file_name",
            "received_at",
        )
        .sort(["received_at", "file_id", "set_id"])
    )
    order = dict(zip(facts.get_column("set_id"), range(facts.height), strict=True))
    worded = dict(
        zip(
            facts.get_column("set_id"),
            facts.select(
                pl.format(
                    " was already paid for pay date {} (period {} to {}) by file {}, received {}"
                    " (row ",
                    "pay_date",
                    "period_start",
                    "period_end",
                    "file_name",
                    pl.col("received_at").dt.strftime("%Y-%m-%d %H:%M UTC"),
                )
            )
            .to_series()
            .to_list(),
            strict=True,
        )
    )
    slim = earlier.select(
        "employee_id", "set_id", "record_index", "pay_date", "period_start", "period_end"
    )
    matched = (
        rows.join(slim, on="employee_id", suffix="_paid")
        .filter(
            (pl.col("pay_date") == pl.col("pay_date_paid"))
            | (
                (pl.col("period_start") <= pl.col("period_end_paid"))
                & (pl.col("period_start_paid") <= pl.col("period_end"))
            )
        )
        .select(
            RECORD_INDEX,
            "employee_id",
            "set_id",
            "record_index_paid",
            pl.col("set_id").replace_strict(order, return_dtype=pl.Int64).alias("__order"),
        )
        .sort([RECORD_INDEX, "__order", "record_index_paid"])
    )
    # The first match of each record (sorted, so repeats are neighbours).
    first = matched.filter(pl.col(RECORD_INDEX).diff().fill_null(1) != 0)
    return first.select(
        pl.col(RECORD_INDEX),
        pl.lit(CODE).alias("code"),
        pl.lit("employee_id").alias("field"),
        pl.concat_str(
            pl.lit("employee_id "),
            pl.col("employee_id"),
            pl.col("set_id").replace_strict(worded, return_dtype=pl.String),
            (pl.col("record_index_paid") + 1).cast(pl.String),
            pl.lit("); confirm this is not a second payment before paying it."),
        ).alias("message"),
        pl.lit("review").alias("severity"),
    ).cast(ISSUE_SCHEMA)  # type: ignore[arg-type]


def with_duplicate_payments(
    batch: ValidatedBatch, payments: pl.DataFrame, earlier: pl.DataFrame
) -> ValidatedBatch:
    """``batch`` with :func:`duplicate_payments` added to its issues."""
    extra = duplicate_payments(payments, earlier)
    if extra.height == 0:
        return batch
    issues = pl.concat([batch.issues.cast(ISSUE_SCHEMA), extra])  # type: ignore[arg-type]
    return ValidatedBatch(batch.records, issues, batch.file_issues, batch.meta)


#: Reads the completed payments of the client's other files within a window (the store's
#: ``earlier_payments``, bound to a session, a client and the file being checked).
PaidReader = Callable[[PaymentWindow], pl.DataFrame]


def check_payments(
    batch: ValidatedBatch,
    payments: pl.DataFrame,
    *,
    lookback_days: int,
    now: dt.datetime,
    read_paid: PaidReader,
) -> ValidatedBatch:
    """``batch`` with ``PAY-DUPLICATE-PAYMENT`` on the records whose payment a completed
    record of another file already made; reads the history only when there is a window."""
    window = payment_window(payments, lookback_days=lookback_days, now=now)
    if window is None:
        return batch
    return with_duplicate_payments(batch, payments, read_paid(window))
