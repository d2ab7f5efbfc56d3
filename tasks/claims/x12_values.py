"""X12 simple data types: R (decimal, read by ``schemas.money``), D8/RD8 (dates). Bad text gives
``None``, never raises.

>>> parse_amount("100.5"), parse_amount("1e3"), parse_amount("12.345")
(Decimal('100.50'), None, None)
>>> parse_period("RD8", "20240101-20240105")
(datetime.date(2024, 1, 1), datetime.date(2024, 1, 5))
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from schemas.money import CENT
from schemas.money import parse_amount as read_amount


def parse_decimal(text: str) -> Decimal | None:
    return read_amount(text, style="plain")


def parse_amount(text: str) -> Decimal | None:
    """Money with at most two decimals (more would need rounding a sender did not ask for)."""
    value = read_amount(text, style="plain", max_places=2)
    return None if value is None else value.quantize(CENT)


def parse_units(text: str) -> Decimal | None:
    value = read_amount(text, style="plain", max_places=3)
    return None if value is None or value < 0 else value


def parse_d8(text: str) -> dt.date | None:
    t = text.strip()
    if len(t) != 8 or not t.isdigit():
        return None
    try:
        return dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
    except ValueError:
        return None


def parse_period(qualifier: str, text: str) -> tuple[dt.date | None, dt.date | None] | None:
    """A DTP date: ``D8`` one day, ``RD8`` a range; ``None`` when unreadable or reversed."""
    if qualifier == "D8":
        d = parse_d8(text)
        return None if d is None else (d, d)
    if qualifier == "RD8":
        start, _, end = text.partition("-")
        a, b = parse_d8(start), parse_d8(end)
        if a is None or b is None or b < a:
            return None
        return a, b
    return None
