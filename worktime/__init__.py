"""Business time in a client's time zone: review SLAs and billing turnaround share it.

Working hours are ``[start_hour, end_hour)`` local time, Monday to Friday, minus holidays.

>>> import datetime as dt
>>> t = dt.datetime(2026, 1, 9, 21, 0, tzinfo=dt.UTC)  # Friday 16:00 in New York
>>> add_business_hours(t, 2, "America/New_York").isoformat()
'2026-01-12T15:00:00+00:00'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from zoneinfo import ZoneInfo

WorkingHours = tuple[int, int]
DEFAULT_HOURS: WorkingHours = (9, 17)


def _windows(
    day: dt.date, tz: ZoneInfo, hours: WorkingHours, holidays: Collection[dt.date]
) -> tuple[dt.datetime, dt.datetime] | None:
    if day.weekday() >= 5 or day in holidays:
        return None
    start = dt.datetime.combine(day, dt.time(hours[0]), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day, dt.time(hours[1] % 24), tzinfo=tz)
    if hours[1] == 24:
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start, end.astimezone(dt.UTC)


def business_seconds_between(
    start: dt.datetime,
    end: dt.datetime,
    tz: str,
    hours: WorkingHours = DEFAULT_HOURS,
    holidays: Collection[dt.date] = (),
) -> int:
    """Working seconds in ``[start, end)`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    zone = ZoneInfo(tz)
    day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last = end.astimezone(zone).date() + dt.timedelta(days=1)
    total = 0
    while day <= last:
        w = _windows(day, zone, hours, holidays)
        if w:
            lo, hi = max(w[0], start), min(w[1], end)
            if hi > lo:
                total += int((hi - lo).total_seconds())
        day += dt.timedelta(days=1)
    return total


def business_hours_between(
    start: dt.datetime,
    end: dt.datetime,
    tz: str,
    hours: WorkingHours = DEFAULT_HOURS,
    holidays: Collection[dt.date] = (),
) -> Decimal:
    return Decimal(business_seconds_between(start, end, tz, hours, holidays)) / 3600


def add_business_hours(
    start: dt.datetime,
    amount: Decimal | int | float,
    tz: str,
    hours: WorkingHours = DEFAULT_HOURS,
    holidays: Collection[dt.date] = (),
) -> dt.datetime:
    """The UTC instant ``amount`` working hours after ``start``."""
    remaining = int(Decimal(str(amount)) * 3600)
    zone = ZoneInfo(tz)
    day = start.astimezone(zone).date()
    cursor = start.astimezone(dt.UTC)
    for _ in range(3660):  # ten years of days bounds any SLA
        w = _windows(day, zone, hours, holidays)
        if w:
            lo = max(w[0], cursor)
            if w[1] > lo:
                available = int((w[1] - lo).total_seconds())
                if available >= remaining:
                    return lo + dt.timedelta(seconds=remaining)
                remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("SLA too long to schedule")
