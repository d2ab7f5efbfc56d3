"""Amounts and currencies as printed on invoices (amounts are read by ``schemas.money``).

>>> find_currency("Total EUR 12,00")
'EUR'
>>> find_currency("BWP12J Widget, 2 pcs") is None
True
"""

from __future__ import annotations

import re
from decimal import Decimal

import pycountry

from schemas.money import SYMBOLS, parse_amount

#: One amount inside a longer text: optional sign or parentheses, grouped digits, decimals.
AMOUNT_TOKEN = re.compile(
    r"\(?-?\s?(?:[€$£¥]\s?)?\d{1,3}(?:[.,'\u00a0\u202f ]\d{3})*(?:[.,]\d{1,4})?(?!\d)\)?-?"
    r"|\(?-?\s?(?:[€$£¥]\s?)?\d+(?:[.,]\d{1,4})?(?!\d)\)?-?"
)
#: A three-letter code standing alone or glued to its amount (``EUR125.00``), never the start
#: of an article number (``BWP12J``) or a longer identifier (``ABC-123``, ``FR2024``).
_CODE = re.compile(
    r"(?<![A-Za-z0-9\-/])([A-Z]{3})"
    r"(?=$|[^A-Za-z0-9\-/_]|\d{1,3}(?:[.,'\u00a0 ]\d{3})*(?:[.,]\d{1,2})?(?![A-Za-z0-9\-/_]))"
)
#: Upper-case words that look like currency codes in invoice text but are not meant as one.
_NOT_CURRENCY = frozenset({"VAT", "TVA", "IVA", "BTW", "USt", "PDF", "IBAN", "BIC", "ALL"})
#: ISO 4217 codes that are not money an invoice is written in: "no currency" (XXX, often a
#: masked placeholder), testing, gold, silver and the other funds and units of account.
_NOT_INVOICE_CURRENCY = frozenset(
    {"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA"}
)


def is_currency(code: str) -> bool:
    """ISO 4217 (pycountry)."""
    return len(code) == 3 and pycountry.currencies.get(alpha_3=code.upper()) is not None


def find_currency(text: str) -> str | None:
    """An ISO 4217 code or a currency symbol in ``text``, as a code."""
    for m in _CODE.finditer(text):
        code = m.group(1)
        if code not in _NOT_CURRENCY and code not in _NOT_INVOICE_CURRENCY and is_currency(code):
            return code
    for symbol, code in SYMBOLS.items():
        if symbol in text:
            return code
    return None


def _glued_to_word(text: str, start: int) -> bool:
    """Digits that continue a word (an identifier), unless the word is a currency code
    written against its amount (``EUR125.00``)."""
    if start == 0 or not text[start].isdigit() or not text[start - 1].isalpha():
        return False
    word = re.search(r"[A-Za-z]+$", text[:start])
    return word is None or not (len(word.group(0)) == 3 and is_currency(word.group(0)))


def last_amount(text: str) -> tuple[str, Decimal] | None:
    """The right-most amount in ``text`` (totals print their value last on the line)."""
    found: tuple[str, Decimal] | None = None
    for m in AMOUNT_TOKEN.finditer(text):
        if _glued_to_word(text, m.start() + len(m.group(0)) - len(m.group(0).lstrip())):
            continue  # the digits of "DE123456789" or "INV2024" are not an amount
        token = m.group(0).strip()
        value = parse_amount(token)
        if value is not None and re.search(r"\d", token):
            found = (token, value)
    return found
