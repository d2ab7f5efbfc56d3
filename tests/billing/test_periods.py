"""Periods are half-open client-local months that tile the time line."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.periods import (
    next_period,
    parse_period,
    period_at,
    period_bounds,
    period_over,
    previous_period,
)

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Apia",
    "Pacific/Tongatapu",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]
periods = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2005, 2035), st.integers(1, 12))


@settings(max_examples=200, deadline=None)
@given(period=periods, zone=st.sampled_from(ZONES))
def test_consecutive_periods_share_their_bound(period: str, zone: str) -> None:
    start, end = period_bounds(period, zone)
    assert start < end
    assert period_bounds(next_period(period), zone)[0] == end
    assert period_bounds(previous_period(period), zone)[1] == start
    assert period_at(start, zone) == period
    assert period_at(end - dt.timedelta(microseconds=1), zone) == period
    assert period_at(end, zone) == next_period(period)


@settings(max_examples=300, deadline=None)
@given(
    at=st.datetimes(
        min_value=dt.datetime(2005, 1, 1),
        max_value=dt.datetime(2035, 12, 1),
        timezones=st.just(dt.UTC),
    ),
    zone=st.sampled_from(ZONES),
)
def test_every_instant_is_in_exactly_the_period_it_maps_to(at: dt.datetime, zone: str) -> None:
    p = period_at(at, zone)
    start, end = period_bounds(p, zone)
    assert start <= at < end
    following = period_bounds(next_period(p), zone)
    assert not following[0] <= at < following[1]


@pytest.mark.parametrize(
    ("period", "zone", "start", "end"),
    [
        # Apia skipped 30 Dec 2011 (UTC-10 -> UTC+14): December is one day shorter, no gap.
        ("2011-12", "Pacific/Apia", "2011-12-01T10:00:00+00:00", "2011-12-31T10:00:00+00:00"),
        ("2026-01", "Pacific/Tongatapu", "2025-12-31T11:00:00+00:00", "2026-01-31T11:00:00+00:00"),
        ("2026-03", "America/New_York", "2026-03-01T05:00:00+00:00", "2026-04-01T04:00:00+00:00"),
    ],
)
def test_known_bounds(period: str, zone: str, start: str, end: str) -> None:
    assert [b.isoformat() for b in period_bounds(period, zone)] == [start, end]


@pytest.mark.parametrize("bad", ["2026-1", "26-01", "2026/01", ""])
def test_bad_periods_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="must look like"):
        parse_period(bad)


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_a_month_out_of_range_says_so(month: str) -> None:
    with pytest.raises(ValueError, match=f"month {month} is out of range") as caught:
        parse_period(f"2026-{month}")
    assert "must look like" not in str(caught.value)


@pytest.mark.parametrize(
    ("zone", "over_at"),
    [
        ("UTC", "2027-01-01T00:00:00+00:00"),
        ("America/New_York", "2027-01-01T05:00:00+00:00"),
        ("Pacific/Kiritimati", "2026-12-31T10:00:00+00:00"),
    ],
)
def test_a_period_is_over_at_its_local_end_not_before(zone: str, over_at: str) -> None:
    end = dt.datetime.fromisoformat(over_at)
    assert not period_over("2026-12", zone, end - dt.timedelta(microseconds=1))
    assert period_over("2026-12", zone, end)
