"""Line items of a receipt-like invoice, which prints no table header: each item is a
quantity, ``x`` and a unit price, and the amount at the end of the line, its description on
the same line before the quantity or on the line above.

>>> from tasks.invoices.pdf_text import Cell, TextLine
>>> def row(*texts: str) -> TextLine:
...     return TextLine(cells=tuple(Cell(t, 10.0 + 60 * k, 40.0 + 60 * k, 0, 8) for k, t in
...         enumerate(texts)))
>>> [(i["description"], i["amount"]) for i in receipt_lines([row("Espresso beans 1kg"),
...     row("2 x 3,50", "7,00")])]
[('Espresso beans 1kg', Decimal('7.00'))]

Only lines whose quantity times price is the amount, to the cent, are items, so a payment
line (``VISA ****1234 20,60``) or a total is never read as one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from schemas.money import parse_amount
from tasks.invoices.amounts import last_amount
from tasks.invoices.candidate import line
from tasks.invoices.labels import match_label
from tasks.invoices.pdf_text import TextLine

#: ``2 x 3,50``, ``2 X 1.234,50``, ``3 * 0.99``, ``1,5 x 2,00`` (or the multiplication sign)
#: before the amount.
_PRICED = re.compile(
    r"(?P<before>.*?)(?<![\w,.])(?P<qty>\d+(?:[.,]\d+)?)\s*[xX*\u00d7]\s*(?P<price>\d[\d.,' ]*\d)"
    r"(?=\s|$)"
)


def _priced(text_line: TextLine) -> tuple[str, Decimal, Decimal, Decimal] | None:
    """``(description before the quantity, quantity, unit price, amount)`` of a line that
    prints them, when quantity x price is the amount."""
    hit = last_amount(text_line.text)
    if hit is None:
        return None
    head = text_line.text[: text_line.text.rfind(hit[0])]
    m = _PRICED.match(head.strip())
    if m is None:
        return None
    qty = parse_amount(m.group("qty"))
    price = parse_amount(m.group("price"))
    if qty is None or price is None or abs(qty * price - hit[1]) > Decimal("0.005"):
        return None
    return m.group("before").strip(), qty, price, hit[1]


def _wordy(text: str) -> bool:
    """Text with more letters than digits: a description, not a rule or a number."""
    return sum(ch.isalpha() for ch in text) > sum(ch.isdigit() for ch in text)


def receipt_lines(lines: Sequence[TextLine]) -> list[dict[str, Any]]:
    """The items of a page without a table header, read as a receipt prints them."""
    items = []
    for i, text_line in enumerate(lines):
        found = _priced(text_line)
        if found is None:
            continue
        description, qty, price, amount = found
        if not description and i > 0:
            above = lines[i - 1]
            text = above.text.strip()
            if _priced(above) is None and match_label(text) is None and _wordy(text):
                description = text
        items.append(
            line(description=description or None, quantity=qty, unit_price=price, amount=amount)
        )
    return items
