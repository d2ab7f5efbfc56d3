"""Frame helpers of ``schemas.frames``."""

from __future__ import annotations

import datetime as dt

import polars as pl

from schemas.frames import utc_column


def test_utc_column_repeats_one_instant_in_utc() -> None:
    eastern = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    column = utc_column(eastern, 3, "at")
    assert column.name == "at"
    assert column.dtype == pl.Datetime("us", "UTC")
    assert column.to_list() == [dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.UTC)] * 3
    naive = utc_column(dt.datetime(2026, 3, 1, 9, 30), 1, "at")
    assert naive.to_list() == [dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)]
    assert utc_column(eastern, 0, "at").len() == 0
