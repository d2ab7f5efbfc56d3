"""Dates as people and machines write them on invoices, in six languages.

>>> parse_date("12.03.2026").value
datetime.date(2026, 3, 12)
>>> parse_date("12. März 2026").value
datetime.date(2026, 3, 12)
>>> parse_date("31/02/2026").problem
'31/02/2026 is not a calendar date'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan janvier janv januar jän jan enero ene gennaio gen januari",
        "february feb fevrier fevr fev februar februari febrero febbraio",
        "march mar mars marz maart marzo",
        "april apr avril avr abril aprile",
        "may mai mei mayo maggio mag",
        "june jun juin juni junio giugno giu",
        "july jul juillet juil juli julio luglio lug",
        "august aug aout august augustus agosto ago",
        "september sep sept septembre septiembre settembre set",
        "october oct octobre oktober okt octubre ottobre ott",
        "november nov novembre noviembre",
        "december dec decembre dezember dez diciembre dic dicembre",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_NUMERIC = re.compile(r"(\d{1,4})\s*([./-])\s*(\d{1,2})\s*[./-]\s*(\d{2,4})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\.?\s*(?:de\s+)?([^\W\d_]+)\.?,?\s*(?:de\s+)?(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")


@dataclass(frozen=True)
class DateParse:
    """A parsed date, or why the text that looked like a date is not one."""

    value: dt.date | None
    problem: str | None = None
    #: True when day and month could be swapped (``03/04/2026``): lowers confidence.
    ambiguous: bool = False


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def _build(text: str, year: int, month: int, day: int, ambiguous: bool = False) -> DateParse:
    try:
        return DateParse(dt.date(year, month, day), ambiguous=ambiguous)
    except ValueError:
        return DateParse(None, f"{text.strip()} is not a calendar date")


def parse_date(text: str, *, month_first: bool = False) -> DateParse:
    """Parse one date written as ``dd.mm.yyyy``, ``dd/mm/yyyy``, ``yyyy-mm-dd``, ``yyyymmdd``,
    ``12 March 2026``, ``March 12, 2026``, ``12. März 2026``, ``12 de marzo de 2026``...

    ``dd/mm`` is read day first unless the day part cannot be a month or ``month_first``.
    """
    s = text.strip()
    if not s:
        return DateParse(None, "empty date")
    m = _NUMERIC.search(s)
    if m:
        a, sep, b, c = m.group(1), m.group(2), m.group(3), m.group(4)
        if len(a) == 4:
            return _build(s, int(a), int(b), int(c))
        first, second, year = int(a), int(b), _year(c)
        if sep == "/" and (month_first or first <= 12 < second):
            return _build(s, year, first, second)
        ambiguous = sep == "/" and first <= 12 and second <= 12 and first != second
        return _build(s, year, second, first, ambiguous)
    folded = _fold(s)
    m = _COMPACT.fullmatch(folded)
    if m:
        return _build(s, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DAY_MONTH_YEAR.search(folded)
    if m and m.group(2) in _MONTHS:
        return _build(s, int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    m = _MONTH_DAY_YEAR.search(folded)
    if m and m.group(1) in _MONTHS:
        return _build(s, int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    return DateParse(None, f"{s!r} is not a date")


def slash_order(texts: Iterable[str]) -> str | None:
    """How a document writes its slash dates: ``"month"`` when some can only be read month
    first (``11/17/2017``) and none only day first (``17/11/2017``), ``"day"`` when some can
    only be read day first, None when every one could be either (``11/03/2017``)."""
    month_first = day_first = False
    for text in texts:
        for m in _NUMERIC.finditer(text):
            if m.group(2) != "/" or len(m.group(1)) == 4:
                continue
            first, second = int(m.group(1)), int(m.group(3))
            month_first |= first <= 12 < second
            day_first |= second <= 12 < first
    if day_first:
        return "day"
    return "month" if month_first else None


def month_first_document(texts: Iterable[str], currency: str | None = None) -> bool:
    """Whether to read a document's ambiguous slash dates (``11/03/2017``) month first: its
    other dates say so, or none says either way and it bills in US dollars, where
    ``mm/dd/yyyy`` is the custom."""
    order = slash_order(texts)
    return order == "month" or (order is None and currency == "USD")


def find_date(text: str) -> str | None:
    """The first substring of ``text`` that looks like a date (for label/value matching)."""
    for pattern in (_NUMERIC, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        m = pattern.search(_fold(text))
        if m and (pattern is _NUMERIC or any(w in _MONTHS for w in m.groups())):
            return text[m.start() : m.end()] if len(_fold(text)) == len(text) else m.group(0)
    return None
