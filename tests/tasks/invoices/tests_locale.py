"""Locale formatting of amounts, for round-trip tests."""

from __future__ import annotations

from decimal import Decimal


def format_amount(value: Decimal, locale: str) -> str:
    s = f"{abs(value):,.2f}"
    if locale == "de":
        s = s.replace(",", "_").replace(".", ",").replace("_", ".")
    elif locale == "fr":
        s = s.replace(",", "\u202f").replace(".", ",")
    elif locale == "ch":
        s = s.replace(",", "'")
    elif locale == "plain":
        s = f"{abs(value):.2f}"
    return ("-" if value < 0 else "") + s
