"""An invoice as found in a file, before the rules: parsed values, raw text, confidences.

Every extractor (PDF, CII, UBL, CSV/JSON) fills a :class:`Candidate`; the rules and the records
frame only ever see candidates, so every format is validated the same way. A value that could
not be parsed stays ``None`` and leaves an issue that quotes the raw text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from schemas.issue import Issue
from schemas.money import parse_amount
from tasks.invoices.dates import parse_date

#: Confidence of values read from structured data (XML, CSV, JSON) or typed by a reviewer.
EXACT = 1.0


@dataclass(frozen=True)
class TaxSubtotal:
    """One VAT breakdown row (EN 16931 BG-23), as declared by an XML invoice."""

    category: str | None
    rate: Decimal | None
    taxable: Decimal | None
    tax: Decimal | None


@dataclass
class Candidate:
    """One invoice being extracted. ``values`` uses the :class:`schemas.invoice.Invoice` names;
    ``lines`` is a list of dicts with the :class:`schemas.invoice.InvoiceLine` names."""

    source: str
    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    tax_breakdown: list[TaxSubtotal] = field(default_factory=list)
    #: Sum of line net amounts as declared by the document (BT-106), when it declares one.
    line_total: Decimal | None = None
    #: Pages of the source PDF this invoice was read from (1-based), for reviewers.
    pages: list[int] = field(default_factory=list)
    #: Every amount printed on those pages (PDF only): what a reader of the page can see.
    printed_amounts: set[Decimal] = field(default_factory=set)
    #: How a field was found when not from structured data: ``label``, ``inline``,
    #: ``layout``, ``type`` or ``memory`` (PDF and OCR); absent means ``source``.
    origin: dict[str, str] = field(default_factory=dict)
    #: Where a field was read on its page (OCR): ``(page index from 0, (x0, top, x1,
    #: bottom))`` in points from the page's top-left corner, for the reviewer's page view.
    boxes: dict[str, tuple[int, tuple[float, float, float, float]]] = field(default_factory=dict)

    def set_text(self, name: str, text: str | None, confidence: float = EXACT) -> None:
        clean = " ".join(text.split()) if text else ""
        if clean:
            self.values[name] = clean
            self.raw[name] = text
            self.confidence[name] = confidence

    def set_amount(self, name: str, text: str | None, confidence: float = EXACT) -> None:
        if text is None or not text.strip():
            return
        self.raw[name] = text
        value = parse_amount(text)
        if value is None:
            self.issues.append(
                Issue(
                    code="INV-AMOUNT-INVALID",
                    field=name,
                    message=f"{text.strip()!r} is not an amount; enter it as digits like 1234.50",
                )
            )
            return
        self.values[name] = value
        self.confidence[name] = confidence

    def set_date(
        self, name: str, text: str | None, confidence: float = EXACT, *, month_first: bool = False
    ) -> None:
        if text is None or not text.strip():
            return
        self.raw[name] = text
        parsed = parse_date(text, month_first=month_first)
        if parsed.value is None:
            self.issues.append(
                Issue(
                    code="INV-DATE-INVALID",
                    field=name,
                    message=f"{parsed.problem}; enter the date as YYYY-MM-DD",
                )
            )
            return
        self.values[name] = parsed.value
        self.confidence[name] = confidence * (0.95 if parsed.ambiguous else 1.0)

    def set_value(self, name: str, value: Decimal | dt.date | str | None) -> None:
        if value is not None:
            self.values[name] = value
            self.raw[name] = str(value)
            self.confidence[name] = EXACT


def line(
    *,
    amount: Decimal | None,
    description: str | None = None,
    quantity: Decimal | None = None,
    unit_price: Decimal | None = None,
    tax_category: str | None = None,
    tax_rate: Decimal | None = None,
    adjustment: Decimal | None = None,
) -> dict[str, Any]:
    """A line item dict with every :class:`schemas.invoice.InvoiceLine` key."""
    return {
        "description": description,
        "quantity": quantity,
        "unit_price": unit_price,
        "amount": amount,
        "adjustment": adjustment,
        "tax_category": tax_category,
        "tax_rate": tax_rate,
    }
