"""Money is ``Decimal`` from parsing to export, with one rounding rule.

>>> to_cents(Decimal("2.675"))
Decimal('2.68')
>>> parse_amount("1.234,56")
Decimal('1234.56')
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MONEY_PRECISION = 18
MONEY_SCALE = 2


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to cents: the only rounding point for money."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: str | int | Decimal) -> Decimal:
    """Build a money amount from an exact representation (never a float)."""
    if isinstance(value, float):  # pragma: no cover - defended for callers without types
        raise TypeError("money amounts must not be floats")
    return Decimal(value)


_CURRENCY_NOISE = re.compile(r"[\s\u00a0\u202f'$€£¥]|[A-Z]{3}")


def parse_amount(text: str) -> Decimal | None:
    """Parse an amount written by a person: ``1,234.56``, ``1.234,56``, ``$ 12``, ``(5.00)``.

    Returns ``None`` when the text is not an amount. The decimal separator is the last of
    ``.``/``,`` when it is followed by one to three digits and the other separator (if any)
    comes before it; a lone separator followed by exactly three digits is a thousands separator
    only when it repeats or the number has a sign of grouping elsewhere.
    """
    s = text.strip()
    if not s:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    s = _CURRENCY_NOISE.sub("", s)
    if s.endswith("-"):
        negative, s = True, s[:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not s or not re.fullmatch(r"[0-9.,]+", s):
        return None
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        parts = s.split(sep)
        # "1,234,567" or "1.234" with exactly three digits after each separator: grouping.
        grouped = len(parts) > 2 or (len(parts[-1]) == 3 and sep == "," and len(parts[0]) <= 3)
        decimal_sep = "" if grouped else sep
    else:
        decimal_sep = ""
    thousands = {".", ","} - {decimal_sep}
    for t in thousands:
        s = s.replace(t, "")
    if decimal_sep:
        if s.count(decimal_sep) != 1:
            return None
        s = s.replace(decimal_sep, ".")
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return -value if negative else value
