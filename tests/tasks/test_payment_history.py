"""Duplicate payments across files, matched as frames (no store, no Prefect)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.batch import RECORD_INDEX, RECORD_KEY, ValidatedBatch
from schemas.payroll import PAID_SCHEMA, PAYMENT_SCHEMA
from tasks.payment_history import (
    CODE,
    check_payments,
    duplicate_payments,
    payment_window,
)

D = dt.date
RECEIVED = dt.datetime(2026, 1, 16, 14, 3, tzinfo=dt.UTC)


def payments(*rows: tuple[str, D, D, D]) -> pl.DataFrame:
    """(employee, pay date, period start, period end) per record, in record order."""
    return pl.DataFrame(
        {
            RECORD_INDEX: list(range(len(rows))),
            "employee_id": [r[0] for r in rows],
            "pay_date": [r[1] for r in rows],
            "period_start": [r[2] for r in rows],
            "period_end": [r[3] for r in rows],
        },
        schema=PAYMENT_SCHEMA,
    )


def paid(
    *rows: tuple[str, D, D, D],
    name: str = "jan.csv",
    received: dt.datetime = RECEIVED,
    file_id: int = 1,
):
    """Earlier payments of one file; each distinct pay date and period is a history row."""
    n = len(rows)
    sets = {key: i for i, key in enumerate(dict.fromkeys(r[1:] for r in rows))}
    return pl.DataFrame(
        {
            "employee_id": [r[0] for r in rows],
            "pay_date": [r[1] for r in rows],
            "period_start": [r[2] for r in rows],
            "period_end": [r[3] for r in rows],
            "file_id": [file_id] * n,
            "file_name": [name] * n,
            "received_at": [received] * n,
            "record_index": list(range(n)),
            "set_id": [100 * file_id + sets[r[1:]] for r in rows],
        },
        schema=PAID_SCHEMA,
    )


JAN = (D(2026, 1, 15), D(2026, 1, 1), D(2026, 1, 14))


def flagged(now: pl.DataFrame, before: pl.DataFrame) -> dict[int, str]:
    issues = duplicate_payments(now, before)
    assert set(issues.get_column("code")) <= {CODE}
    return dict(zip(issues[RECORD_INDEX].to_list(), issues["message"].to_list(), strict=True))


def test_the_same_payment_again_is_flagged_naming_file_time_and_row() -> None:
    found = flagged(payments(("E1", *JAN)), paid(("E0", *JAN), ("E1", *JAN)))
    assert list(found) == [0]
    assert "by file jan.csv, received 2026-01-16 14:03 UTC (row 2)" in found[0]
    assert "pay date 2026-01-15 (period 2026-01-01 to 2026-01-14)" in found[0]


def test_same_pay_date_or_a_shared_day_is_a_duplicate_and_the_next_period_is_not() -> None:
    now = payments(
        ("E1", D(2026, 1, 15), D(2025, 12, 18), D(2025, 12, 31)),  # same pay date
        ("E1", D(2026, 1, 20), D(2026, 1, 14), D(2026, 1, 20)),  # shares Jan 14
        ("E1", D(2026, 1, 29), D(2026, 1, 15), D(2026, 1, 28)),  # the next period
        ("E2", *JAN),  # someone else
    )
    assert set(flagged(now, paid(("E1", *JAN)))) == {0, 1}


def test_the_earliest_received_payment_is_named() -> None:
    before = pl.concat(
        [
            paid(
                ("E1", *JAN), name="late.csv", received=RECEIVED + dt.timedelta(days=2), file_id=2
            ),
            paid(("E1", *JAN), name="first.csv", file_id=3),
        ]
    )
    (message,) = flagged(payments(("E1", *JAN)), before).values()
    assert "first.csv" in message


def test_rows_that_do_not_say_who_or_when_are_left_to_their_own_rules() -> None:
    incomplete = payments(("E1", *JAN)).with_columns(pl.lit(None, pl.Date).alias("pay_date"))
    assert flagged(incomplete, paid(("E1", *JAN))) == {}
    assert payment_window(incomplete, lookback_days=30, now=RECEIVED) is None


def test_the_window_covers_the_batch_and_the_look_back() -> None:
    now = payments(("E1", *JAN), ("E2", D(2026, 1, 16), D(2025, 12, 20), D(2026, 1, 2)))
    window = payment_window(now, lookback_days=30, now=RECEIVED)
    assert window is not None
    assert (window.period_from, window.period_to) == (D(2025, 12, 20), D(2026, 1, 14))
    assert (window.pay_from, window.pay_to) == (D(2026, 1, 15), D(2026, 1, 16))
    assert window.received_since == RECEIVED - dt.timedelta(days=30)
    assert payment_window(now, lookback_days=0, now=RECEIVED) is None  # the check is off


def test_check_payments_reads_the_history_only_with_a_window() -> None:
    now = payments(("E1", *JAN))
    batch = ValidatedBatch(records=now.with_columns(pl.col("employee_id").alias(RECORD_KEY)))
    reads: list[object] = []

    def read(window: object) -> pl.DataFrame:
        reads.append(window)
        return paid(("E1", *JAN))

    checked = check_payments(batch, now, lookback_days=30, now=RECEIVED, read_paid=read)
    assert checked.issues.get_column("code").to_list() == [CODE]
    assert len(reads) == 1
    off = check_payments(batch, now, lookback_days=0, now=RECEIVED, read_paid=read)
    assert off.issues.height == 0
    assert len(reads) == 1


days = st.integers(min_value=0, max_value=60)


@settings(max_examples=100, deadline=None)
@given(a=days, a_len=st.integers(0, 20), b=days, b_len=st.integers(0, 20), pay=days, pay2=days)
def test_flagged_exactly_when_pay_dates_match_or_periods_share_a_day(
    a: int, a_len: int, b: int, b_len: int, pay: int, pay2: int
) -> None:
    base = D(2026, 1, 1)

    def day(n: int) -> D:
        return base + dt.timedelta(days=n)

    now = payments(("E1", day(pay), day(a), day(a + a_len)))
    before = paid(("E1", day(pay2), day(b), day(b + b_len)))
    overlap = a <= b + b_len and b <= a + a_len
    assert bool(flagged(now, before)) is (pay == pay2 or overlap)
