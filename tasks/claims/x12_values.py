"""X12 simple data types: R (decimal), D8/RD8 (dates). Bad text gives ``None``, never raises.

>>> parse_amount("100.5"), parse_amount("1e3"), parse_amount("12.345")
(Decimal('100.50'), None, None)
>>> parse_period("RD8", "20240101-20240105")
(datetime.date(2024, 1, 1), datetime.date(2024, 1, 5))
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from schemas.money import CENT

_DECIMAL = re.compile(r"-?(\d+\.?\d*|\.\d+)")


def parse_decimal(text: str) -> Decimal | None:
    t = text.strip()
    if len(t) > 20 or not _DECIMAL.fullmatch(t):
        return None
    return Decimal(t)


def parse_amount(text: str) -> Decimal | None:
    """Money with at most two decimals (more would need rounding a sender did not ask for)."""
    value = parse_decimal(text)
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return None
    return value.quantize(CENT)


def parse_units(text: str) -> Decimal | None:
    value = parse_decimal(text)
    if value is None or value < 0:
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -3:
        return None
    return value


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
