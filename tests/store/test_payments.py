"""The payment history in the store: written per pay period as JSON arrays, read per payment."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import func, select

from schemas.payroll import PAID_SCHEMA, PAYMENT_SCHEMA
from store.db import make_engine, migrate, transaction
from store.files import register_file
from store.models import Client, File, PayrollPayments
from store.payments import earlier_payments, record_payments

D = dt.date
JAN = {"pay_date": D(2026, 1, 15), "period_start": D(2026, 1, 1), "period_end": D(2026, 1, 14)}


def payments(ids: list[str], **dates: D) -> pl.DataFrame:
    when = {**JAN, **dates}
    return pl.DataFrame(
        {
            "record_index": list(range(len(ids))),
            "employee_id": ids,
            **{k: [v] * len(ids) for k, v in when.items()},
        },
        schema=PAYMENT_SCHEMA,
    )


def new_file(s, name: str, received: dt.datetime | None = None) -> File:  # type: ignore[no-untyped-def]
    return register_file(
        s,
        client_id="acme",
        doc_type="payroll",
        name=name,
        source=name,
        sha256=name.encode().hex().ljust(64, "0")[:64],
        size=1,
        received_at=received,
    ).file


def read(s, file: File, since: dt.datetime | None = None, **window: D) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    w = {
        "period_from": D(2026, 1, 1),
        "period_to": D(2026, 1, 14),
        "pay_from": D(2026, 1, 15),
        "pay_to": D(2026, 1, 15),
        **window,
    }
    return earlier_payments(
        s,
        client_id="acme",
        file_id=file.id,
        received_since=since or dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        **w,
    )


def test_payments_are_written_once_per_period_and_read_back_per_payment(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    with transaction(engine) as s:
        s.add(Client(id="acme", name="Acme", currency="USD"))
    with transaction(engine) as s:
        jan = new_file(s, "jan.csv")
        mixed = pl.concat(
            [
                payments(["E1", 'E"2\\x']),  # JSON-hostile ids survive
                payments(["E3"], period_start=D(2026, 1, 8)).with_columns(
                    pl.lit(2, pl.UInt32).alias("record_index")
                ),
            ]
        )
        assert record_payments(s, file=jan, payments=mixed, source="batch") == 2
        assert record_payments(s, file=jan, payments=mixed, source="batch") == 0  # a retry
        later = new_file(s, "later.csv")
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(PayrollPayments)) == 2
        found = read(s, later).sort("record_index")
        assert found.schema == pl.Schema(PAID_SCHEMA)
        assert found.get_column("employee_id").to_list() == ["E1", 'E"2\\x', "E3"]
        assert found.get_column("record_index").to_list() == [0, 1, 2]
        assert set(found.get_column("file_name")) == {"jan.csv"}
        assert found.get_column("period_start").to_list()[2] == D(2026, 1, 8)
        assert read(s, jan).height == 0  # a file is never its own history


def test_only_payments_in_the_window_and_the_look_back_are_read(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    old = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with transaction(engine) as s:
        s.add(Client(id="acme", name="Acme", currency="USD"))
    with transaction(engine) as s:
        jan = new_file(s, "jan.csv", received=old)
        record_payments(s, file=jan, payments=payments(["E1"]), source="batch")
        feb = new_file(s, "feb.csv")
        next_period = {"period_from": D(2026, 1, 15), "period_to": D(2026, 1, 28)}
        assert (
            read(s, feb, **next_period, pay_from=D(2026, 1, 29), pay_to=D(2026, 1, 29)).height == 0
        )
        same_day = read(s, feb, **next_period)  # pay date 2026-01-15 still in range
        assert same_day.height == 1
        assert read(s, feb, since=old + dt.timedelta(days=1)).height == 0
