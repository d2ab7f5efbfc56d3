"""Money is ``Decimal`` from parsing to export, with one parser and one rounding rule.

Every amount the pipeline reads goes through :func:`parse_amount` (or, for whole columns,
:func:`amount_columns`, which gives the same answers vectorised): config values, CSV and XLSX
cells, X12 and XML elements, words on a PDF page. Its ``style`` says how the text was written:

- ``written`` (people, spreadsheets, PDFs): ``1,234.56``, ``1.234,56``, ``$ 12``, ``(5.00)``,
  ``12-``, ``EUR 3,50``; the decimal separator is inferred (see :func:`parse_amount`);
- ``decimal_comma`` / ``decimal_point``: the same, with the separator known from the locale;
- ``plain`` (machine formats: X12 ``R``, XML ``xs:decimal``): ``-?digits[.digits]`` only.

>>> to_cents(Decimal("2.675"))
Decimal('2.68')
>>> parse_amount("1.234,56"), parse_amount("(12.50)"), parse_amount("1,234", style="plain")
(Decimal('1234.56'), Decimal('-12.50'), None)
>>> currency_of("EUR 832.49"), currency_of("£832.49"), currency_of("832.49")
('EUR', 'GBP', None)
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Literal

import pycountry

if TYPE_CHECKING:
    import polars as pl

CENT = Decimal("0.01")
MONEY_PRECISION = 18
MONEY_SCALE = 2

AmountStyle = Literal["written", "decimal_comma", "decimal_point", "plain"]

#: Longest text read as an amount: 18 digits, separators, sign and a currency.
MAX_AMOUNT_TEXT = 48
SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₣": "CHF"}
_SYMBOL_CHARS = "".join(SYMBOLS)
_CODE = re.compile(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")
_NOISE = re.compile(rf"[\s\u00a0\u202f'`{re.escape(_SYMBOL_CHARS)}]")
_DIGITS = re.compile(r"[0-9.,]+")
_PLAIN = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)")


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to cents: the only rounding point for money."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


#: Places of a unit price shown or stored per unit (a package's share, a tier's average).
UNIT_PRICE = Decimal("0.0001")


def to_unit_price(value: Decimal) -> Decimal:
    """Round half-up to 4 places: the rounding point for per-unit prices (never money due).

    >>> to_unit_price(Decimal("0.00005")), to_unit_price(Decimal("1") / 3)
    (Decimal('0.0001'), Decimal('0.3333'))
    """
    return value.quantize(UNIT_PRICE, rounding=ROUND_HALF_UP)


def cents_text(cents: int) -> str:
    """Integer cents as ``1,234.56`` (exact: no float division).

    >>> cents_text(123456), cents_text(-5), cents_text(10**20 + 1)
    ('1,234.56', '-0.05', '1,000,000,000,000,000,000.01')
    """
    return f"{Decimal(cents).scaleb(-2):,.2f}"


def money(value: str | int | Decimal) -> Decimal:
    """Build a money amount from an exact representation (never a float)."""
    if isinstance(value, float):  # pragma: no cover - defended for callers without types
        raise TypeError("money amounts must not be floats")
    return Decimal(value)


def decimal_places(value: Decimal) -> int:
    """How many significant decimals ``value`` has (``1.50`` has 1, ``1.005`` 3, ``1E+1`` 0)."""
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


@cache
def iso_currencies() -> frozenset[str]:
    """ISO 4217 alphabetic codes (pycountry)."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def currency_of(text: str) -> str | None:
    """The currency an amount's text names, by ISO code or symbol (``EUR 12``, ``£12``)."""
    for code in _CODE.findall(text):
        if code in iso_currencies():
            return str(code)
    for symbol, iso in SYMBOLS.items():
        if symbol in text:
            return iso
    return None


#: Codes an amount may be written in without naming another currency: ``$`` is the dollar
#: (and peso) of many countries, ``¥`` the yen and the yuan.
SHARED_SYMBOLS = {
    "$": frozenset(
        {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN", "ARS", "CLP", "COP", "UYU"}
        | {"BSD", "BBD", "BZD", "BMD", "BND", "KYD", "FJD", "JMD", "LRD", "NAD", "TTD", "XCD"}
    ),
    "¥": frozenset({"JPY", "CNY"}),
}


def other_currency(text: str, currency: str) -> str | None:
    """The currency ``text`` names when it is not ``currency`` (a symbol that ``currency``
    shares, such as ``$`` for CAD, names no other).

    >>> other_currency("$1.00", "EUR"), other_currency("$1.00", "CAD"), other_currency("1", "EUR")
    ('USD', None, None)
    """
    named = currency_of(text)
    if named is None or named == currency:
        return None
    shared = [s for s, codes in SHARED_SYMBOLS.items() if s in text and currency in codes]
    if shared and currency_of("".join(ch for ch in text if ch not in shared)) is None:
        return None
    return named


def parse_amount(
    text: str, *, style: AmountStyle = "written", max_places: int | None = None
) -> Decimal | None:
    """The amount ``text`` writes, or ``None`` when it is not one (never raises).

    In the ``written`` style the decimal separator is the last of ``.``/``,`` when both occur;
    a lone separator is a decimal one, except a ``,`` before exactly three digits after at
    most three (``1,234``) and any separator that repeats (``1.234.567``), which group
    thousands. ``max_places`` refuses amounts written with more decimals (no silent rounding).
    """
    if len(text) > MAX_AMOUNT_TEXT:
        return None
    value = _plain(text) if style == "plain" else _written(text, style)
    if value is None or not value.is_finite():
        return None
    if max_places is not None and decimal_places(value) > max_places:
        return None
    return value


def _plain(text: str) -> Decimal | None:
    t = text.strip()
    return Decimal(t) if _PLAIN.fullmatch(t) else None


def _written(text: str, style: AmountStyle) -> Decimal | None:
    s = text.strip().replace("\u2212", "-")
    if not s:
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    codes = _CODE.findall(s)
    if codes:
        if len(codes) > 1 or codes[0] not in iso_currencies():
            return None  # letters that are not one currency code: not an amount
        s = _CODE.sub("", s)
    s = _NOISE.sub("", s)
    if s.endswith("-"):
        negative, s = True, s[:-1]
    if s.startswith("-"):
        negative, s = not negative, s[1:]
    elif s.startswith("+"):
        s = s[1:]
    if not s or not _DIGITS.fullmatch(s):
        return None
    decimal_sep = _decimal_separator(s, style)
    for t in {".", ","} - {decimal_sep}:
        s = s.replace(t, "")
    if decimal_sep:
        if s.count(decimal_sep) > 1:
            return None
        s = s.replace(decimal_sep, ".")
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return -value if negative else value


def _decimal_separator(s: str, style: AmountStyle) -> str:
    if style == "decimal_comma":
        return ","
    if style == "decimal_point":
        return "."
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    if last_dot < 0 and last_comma < 0:
        return ""
    sep = "." if last_dot >= 0 else ","
    parts = s.split(sep)
    # "1,234,567" or "1.234.567", or "1,234" with exactly three digits: grouping.
    grouped = len(parts) > 2 or (len(parts[-1]) == 3 and sep == "," and len(parts[0]) <= 3)
    return "" if grouped else sep


# Vectorised: plain numbers (nearly every cell of a machine export) and US-grouped ones with an
# optional dollar sign are read in Polars; every other distinct text goes through parse_amount
# once. The answers are the same (a property test compares them).
_PLAIN_COLUMN = r"^-?\d+(\.\d+)?$"
_US_GROUPED = r"^-?\$?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$"


def amount_columns(frame: pl.DataFrame, cols: list[str], suffix: str) -> pl.DataFrame:
    """Add ``<col><suffix>``: the canonical text (``-1234.56``) of :func:`parse_amount` (the
    ``written`` style) for each of ``cols``, null where the text is not an amount.

    Values that are already plain numbers are taken as they are; the others are parsed once
    per distinct value and mapped back, so no copy of the frame is made.
    """
    import polars as pl  # here, not at the top: the command line's config loading needs none

    out = []
    # One pass over all columns (in parallel): the distinct values that are not plain numbers.
    odd_values = frame.select(
        pl.col(c)
        .filter(~(pl.col(c).is_null() | pl.col(c).str.contains(_PLAIN_COLUMN)))
        .unique()
        .implode()
        for c in cols
    )
    for c in cols:
        odd = odd_values.get_column(c).explode().drop_nulls()
        if odd.len() == 0:
            out.append(pl.col(c).alias(f"{c}{suffix}"))
            continue
        grouped = odd.str.contains(_US_GROUPED)
        fast = odd.filter(grouped)
        slow = odd.filter(~grouped).to_list()
        parsed = [parse_amount(v) for v in slow]
        keys = pl.concat([fast, pl.Series(slow, dtype=pl.String)])
        values = pl.concat(
            [
                fast.str.replace_all(r"[$,]", ""),
                pl.Series([None if v is None else format(v, "f") for v in parsed], dtype=pl.String),
            ]
        )
        out.append(pl.col(c).replace(keys, values).alias(f"{c}{suffix}"))
    return frame.with_columns(out)
