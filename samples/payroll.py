"""Generated payroll batches for the demo, the tests and the benchmark.

Built column-wise from integer cents, so a million rows take a fraction of a second and every
clean row is exactly right (net = gross - deductions to the cent). ``plant_errors`` breaks a
known set of rows in known ways.
"""

from __future__ import annotations

import polars as pl

VALID_ROUTING = ["091000019", "021000021", "011000015", "122105278", "026009593", "111000025"]
BAD_ROUTING = "091000018"


def _cents_text(expr: pl.Expr) -> pl.Expr:
    """Integer cents -> ``"1234.56"`` (exact, no float)."""
    sign = pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    a = expr.abs()
    return pl.concat_str(
        sign, (a // 100).cast(pl.String), pl.lit("."), (a % 100).cast(pl.String).str.zfill(2)
    )


def payroll_frame(
    rows: int,
    *,
    pay_date: str = "2026-01-15",
    seed: int = 7,
    period: tuple[str, str] = ("2026-01-01", "2026-01-14"),
    first_employee: int = 0,
) -> pl.DataFrame:
    """``rows`` valid canonical payroll rows, as strings (what a client's CSV holds).

    Employees are ``E<number>`` from ``first_employee`` on; a quarter are salaried (no rate,
    80 regular hours printed). Two frames with the same employees and period are the same
    payroll (a second one is a duplicate payment); another ``period`` is the next payroll.
    """
    i = pl.int_range(first_employee, first_employee + rows, dtype=pl.Int64, eager=True).alias("i")
    base = pl.DataFrame(i)
    h = (pl.col("i") * 2654435761 + seed) % 1_000_003
    hourly = h % 4 != 0
    rate_cents = 1500 + h % 3500
    reg_hours = 60 + h % 21
    ot_hours = h % 6
    # gross in cents: reg x rate + ot x rate x 1.5 (exact: rate cents even for hourly rows)
    rate_even = rate_cents - rate_cents % 2
    gross_hourly = reg_hours * rate_even + ot_hours * rate_even * 3 // 2
    gross_salaried = 150_000 + (h % 400_000)
    gross = pl.when(hourly).then(gross_hourly).otherwise(gross_salaried)
    fed = gross * 12 // 100
    state = gross * 4 // 100
    ss = gross * 62 // 1000
    med = gross * 145 // 10000
    other = h % 5000
    net = gross - fed - state - ss - med - other
    frame = base.select(
        pl.format("E{}", pl.col("i").cast(pl.String).str.zfill(7)).alias("employee_id"),
        pl.format("Employee {}", pl.col("i")).alias("employee_name"),
        pl.lit(pay_date).alias("pay_date"),
        pl.lit(period[0]).alias("period_start"),
        pl.lit(period[1]).alias("period_end"),
        pl.when(hourly)
        .then(reg_hours.cast(pl.String))
        .otherwise(pl.lit("80"))
        .alias("regular_hours"),
        pl.when(hourly)
        .then(ot_hours.cast(pl.String))
        .otherwise(pl.lit("0"))
        .alias("overtime_hours"),
        pl.when(hourly).then(_cents_text(rate_even)).otherwise(None).alias("hourly_rate"),
        _cents_text(gross).alias("gross_pay"),
        _cents_text(fed).alias("federal_tax"),
        _cents_text(state).alias("state_tax"),
        _cents_text(ss).alias("social_security"),
        _cents_text(med).alias("medicare"),
        _cents_text(other).alias("other_deductions"),
        _cents_text(net).alias("net_pay"),
        pl.col("i")
        .mod(len(VALID_ROUTING))
        .replace_strict(dict(enumerate(VALID_ROUTING)), return_dtype=pl.String)
        .alias("routing_number"),
        (h * 7 + 1_000_000).cast(pl.String).alias("account_number"),
        pl.when(h % 3 == 0)
        .then(pl.lit("savings"))
        .otherwise(pl.lit("checking"))
        .alias("account_type"),
    )
    return frame


#: What ``plant_errors`` does to row ``k`` of every ``every`` rows (cycling through the list).
PLANTED = ["PAY-ROUTING-CHECKSUM", "PAY-NET-MISMATCH", "PAY-REQUIRED", "PAY-NOT-A-NUMBER"]


def plant_errors(frame: pl.DataFrame, every: int = 10) -> pl.DataFrame:
    """Break one row in ``every``: routing checksum, net mismatch, missing account, text amount."""
    idx = pl.int_range(0, pl.len(), dtype=pl.Int64)
    hit = idx % every == every - 1
    kind = (idx // every) % len(PLANTED)
    return frame.with_columns(
        pl.when(hit & (kind == 0))
        .then(pl.lit(BAD_ROUTING))
        .otherwise(pl.col("routing_number"))
        .alias("routing_number"),
        pl.when(hit & (kind == 1))
        .then(pl.lit("1.00"))
        .otherwise(pl.col("net_pay"))
        .alias("net_pay"),
        pl.when(hit & (kind == 2))
        .then(None)
        .otherwise(pl.col("account_number"))
        .alias("account_number"),
        pl.when(hit & (kind == 3))
        .then(pl.lit("n/a"))
        .otherwise(pl.col("federal_tax"))
        .alias("federal_tax"),
    )


def export_frame(
    rows: int,
    *,
    pay_date: str = "2026-01-16",
    seed: int = 11,
    salaried_every: int = 10,
    salaried: tuple[int, ...] = (0, 3, 6),
    first_employee: int = 0,
) -> pl.DataFrame:
    """``rows`` valid rows shaped like a payroll provider's export (ADP, Paychex, Gusto):
    salaried staff (by default 3 in 10) print no rate and no hours, hourly staff print blank
    overtime when there is none, and the two are paid on different cycles in one file
    (hourly biweekly, salaried semimonthly, same pay date).
    """
    frame = payroll_frame(rows, pay_date=pay_date, seed=seed, first_employee=first_employee)
    i = pl.int_range(0, pl.len(), dtype=pl.Int64)
    is_salaried = (i % salaried_every).is_in(list(salaried))
    day = int(pay_date[-2:])
    month = pay_date[:8]
    # Hourly: the two weeks ending two days before the pay date; salaried: the half month.
    hourly_end = f"{month}{max(day - 2, 1):02d}"
    hourly_start = f"{month}{max(day - 15, 1):02d}"
    if day > 20:  # paid at the end of the month for its second half
        half = (f"{month}16", f"{month}{day:02d}")
    else:  # paid mid-month for its first half (up to the pay date)
        half = (f"{month}01", f"{month}{min(day, 15):02d}")
    salaried_gross = 150_000 + (i * 7919 + seed) % 400_000
    return frame.with_columns(
        pl.when(is_salaried).then(None).otherwise(pl.col("regular_hours")).alias("regular_hours"),
        pl.when(is_salaried | (pl.col("overtime_hours") == "0"))
        .then(None)
        .otherwise(pl.col("overtime_hours"))
        .alias("overtime_hours"),
        pl.when(is_salaried).then(None).otherwise(pl.col("hourly_rate")).alias("hourly_rate"),
        pl.when(is_salaried)
        .then(pl.lit(half[0]))
        .otherwise(pl.lit(hourly_start))
        .alias("period_start"),
        pl.when(is_salaried)
        .then(pl.lit(half[1]))
        .otherwise(pl.lit(hourly_end))
        .alias("period_end"),
        is_salaried.alias("__salaried"),
        salaried_gross.alias("__salaried_gross"),
    ).pipe(_repay_salaried)


def _repay_salaried(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows turned salaried keep their pay arithmetic exact from their own gross."""
    gross = (
        pl.when(pl.col("__salaried"))
        .then(pl.col("__salaried_gross"))
        .otherwise(pl.col("gross_pay").str.replace(r"\.", "").cast(pl.Int64))
    )
    fed, state = gross * 12 // 100, gross * 4 // 100
    ss, med = gross * 62 // 1000, gross * 145 // 10000
    other = pl.col("other_deductions").str.replace(r"\.", "").cast(pl.Int64)
    return frame.with_columns(
        _cents_text(gross).alias("gross_pay"),
        _cents_text(fed).alias("federal_tax"),
        _cents_text(state).alias("state_tax"),
        _cents_text(ss).alias("social_security"),
        _cents_text(med).alias("medicare"),
        _cents_text(gross - fed - state - ss - med - other).alias("net_pay"),
    ).drop("__salaried", "__salaried_gross")


def csv_bytes(frame: pl.DataFrame, *, crlf: bool = False, shuffle_seed: int | None = None) -> bytes:
    """The frame as a client's CSV; ``crlf`` and ``shuffle_seed`` make a re-export of the same
    payroll: other bytes (Windows line ends, rows in another order), the same payments."""
    if shuffle_seed is not None:
        frame = frame.sample(fraction=1.0, shuffle=True, seed=shuffle_seed)
    text = frame.write_csv()
    return (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
