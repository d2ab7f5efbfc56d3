"""Billing periods: half-open client-local months ``[first day 00:00, next first day 00:00)``.

Bounds are computed as local midnights and converted to UTC, so consecutive periods tile the
time line with no gap and no overlap whatever the zone does: DST shifts, or Pacific/Apia
skipping 30 December 2011 entirely when it moved from UTC-10 to UTC+14.

>>> import datetime as dt
>>> start, end = period_bounds("2026-03", "America/New_York")
>>> start.isoformat(), end.isoformat()
('2026-03-01T05:00:00+00:00', '2026-04-01T04:00:00+00:00')
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_SHAPE = re.compile(r"^(\d{4})-(\d{2})$")


def period_problem(period: str) -> str | None:
    """Why ``period`` is not a billing period (None when it is one), in words a clerk acts on.

    >>> period_problem("2026-13")
    "period '2026-13': month 13 is out of range (01 to 12)"
    >>> period_problem("2026-1"), period_problem("2026-01")
    ("period '2026-1' must look like 2026-01 (YYYY-MM)", None)
    """
    shape = _SHAPE.match(period)
    if shape is None:
        return f"period {period!r} must look like 2026-01 (YYYY-MM)"
    if not PERIOD.match(period):
        return f"period {period!r}: month {shape.group(2)} is out of range (01 to 12)"
    return None


def parse_period(period: str) -> tuple[int, int]:
    """``(year, month)`` of a ``YYYY-MM`` period.

    Raises:
        ValueError: when ``period`` is not ``YYYY-MM`` with a month 01 to 12.
    """
    problem = period_problem(period)
    if problem is not None:
        raise ValueError(problem)
    return int(period[:4]), int(period[5:])


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    # A zone may skip midnight (a DST jump at 00:00): take the first instant of the local day.
    naive = dt.datetime.combine(day, dt.time(0))
    instant = naive.replace(tzinfo=tz).astimezone(dt.UTC)
    back = instant.astimezone(tz).replace(tzinfo=None)
    if back < naive:  # inside a gap: fold=0 mapped before midnight, move to the gap's end
        instant = naive.replace(tzinfo=tz, fold=1).astimezone(dt.UTC)
    return instant


def period_bounds(period: str, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """UTC ``[start, end)`` of ``period`` in ``timezone``."""
    year, month = parse_period(period)
    tz = ZoneInfo(timezone)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    return (
        _local_midnight(dt.date(year, month, 1), tz),
        _local_midnight(dt.date(nxt[0], nxt[1], 1), tz),
    )


def period_over(period: str, timezone: str, now: dt.datetime) -> bool:
    """Whether ``period`` has ended in ``timezone`` at the instant ``now``: only then may it
    close, or usage completed later that local month would be billed to the next one.

    >>> import datetime as dt
    >>> at = dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC)  # 22:00 on 31 December in New York
    >>> period_over("2026-12", "America/New_York", at), period_over("2026-12", "UTC", at)
    (False, True)
    """
    return now >= period_bounds(period, timezone)[1]


def period_at(at: dt.datetime, timezone: str) -> str:
    """``YYYY-MM`` of the instant ``at`` in ``timezone``."""
    if at.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")


def next_period(period: str) -> str:
    """The month after ``period``."""
    year, month = parse_period(period)
    return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


def previous_period(period: str) -> str:
    """The month before ``period``."""
    year, month = parse_period(period)
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def last_local_day(period: str) -> dt.date:
    """The last calendar day of ``period``."""
    year, month = parse_period(period)
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return nxt - dt.timedelta(days=1)
