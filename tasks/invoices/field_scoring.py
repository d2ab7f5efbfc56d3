"""Features that raise or lower a candidate's score, beyond the label that found it.

The label finder (:mod:`tasks.invoices.pdf_fields`) proposes values; these checks look at
what surrounds each one and scale its confidence, so a better candidate wins and a doubtful
winner goes to review instead of through:

- a number or date on a line that refers to *another* invoice (``Facture associée``,
  ``Original invoice``, ``Bezug: Rechnung``) is that invoice's, not this one's;
- a party name that is a logo's alt text (``LOGO LE FOURNISSEUR``) or a courtesy sentence
  (``Thank you for your business.``) is not a name;
- a VAT id printed inside the buyer's block is the buyer's, not the seller's;
- a value printed large or bold, or under a strong label, is more likely the one meant.

"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tasks.invoices.dates import find_date, parse_date
from tasks.invoices.labels import fold, match_label
from tasks.invoices.pdf_fields import Found
from tasks.invoices.pdf_text import PageText
from tasks.invoices.traps import is_courtesy, is_logo_text, is_other_invoice_reference

#: How much a trap lowers a candidate: it stays as a last resort, below review threshold.
TRAP = 0.5
#: Printed at least this much larger than the page's body text: a title or a total.
LARGE = 1.25


@dataclass(frozen=True)
class Block:
    """The area under a party heading: a column from ``x0`` to ``x1``, ``top`` to ``bottom``."""

    role: str  # "vendor_name" or "buyer_name"
    page: int
    x0: float
    x1: float
    top: float
    bottom: float

    def holds(self, f: Found) -> bool:
        return (
            f.page == self.page
            and self.top <= f.top <= self.bottom
            and self.x0 - 2 <= f.x0 < self.x1
        )


def party_blocks(pages: Sequence[PageText]) -> list[Block]:
    """Blocks under party headings (``Bill To``, ``Client``, ``Verkäufer``): the heading's
    column, down to the next party heading in that column or about ten lines."""
    blocks: list[Block] = []
    for page in pages:
        for line in page.lines:
            for k, cell in enumerate(line.cells):
                hit = match_label(cell.text)
                if hit is None or hit[0] not in ("vendor_name", "buyer_name"):
                    continue
                rest = fold(cell.text)[hit[1] :].strip(" :")
                if rest and ":" not in cell.text:
                    continue  # a name that starts with a label word, not a heading
                right = line.cells[k + 1].x0 if k + 1 < len(line.cells) else page.width
                width = max(right - cell.x0, page.width * 0.3)
                blocks.append(
                    Block(
                        hit[0],
                        page.number,
                        cell.x0,
                        cell.x0 + width,
                        line.top,
                        line.top + 10 * max(line.height, 8.0),
                    )
                )
    # A block ends where the next heading in its column starts.
    out = []
    for b in blocks:
        below = [
            o.top
            for o in blocks
            if o.page == b.page and o.top > b.top and o.x0 < b.x1 and o.x1 > b.x0
        ]
        out.append(replace(b, bottom=min([b.bottom, *below])))
    return out


def _body_sizes(pages: Sequence[PageText]) -> dict[int, float]:
    """Per page, the median font size of its text (pages without sizes left out)."""
    out = {}
    for page in pages:
        sizes = sorted(c.size for ln in page.lines for c in ln.cells if c.size > 0)
        if sizes:
            out[page.number] = sizes[len(sizes) // 2]
    return out


def _size_ratio(f: Found, pages: Sequence[PageText], body: dict[int, float]) -> float:
    """The candidate's font size against its page's body text (1.0 when unknown)."""
    if f.page not in body or not f.text.split():
        return 1.0
    page = next(p for p in pages if p.number == f.page)
    mine = [
        c.size
        for ln in page.lines
        if abs(ln.top - f.top) < 0.5
        for c in ln.cells
        if c.size > 0 and f.text.split()[0] in c.text
    ]
    return max(mine) / body[f.page] if mine else 1.0


def referenced_dates(pages: Sequence[PageText]) -> set[dt.date]:
    """The dates printed on lines about another invoice (``Avoir sur facture FA-12 du
    26/09/2026``): a date labelled elsewhere that is one of these dates that invoice."""
    out = set()
    for page in pages:
        for line in page.lines:
            if is_other_invoice_reference(line.text) and (text := find_date(line.text)):
                value = parse_date(text).value
                if value is not None:
                    out.add(value)
    return out


def score(found: Sequence[Found], pages: Sequence[PageText]) -> list[Found]:
    """``found`` with each confidence scaled by what surrounds it; traps kept, demoted."""
    blocks = party_blocks(pages)
    body = _body_sizes(pages)
    referenced = referenced_dates(pages)
    out = []
    for f in found:
        factor = 1.0
        if f.field in ("invoice_number", "invoice_date") and is_other_invoice_reference(f.context):
            factor *= TRAP
        elif f.field == "invoice_date" and parse_date(f.text).value in referenced:
            factor *= TRAP  # "Date de la facture: 26/09": the corrected invoice's date again
        if f.field in ("vendor_name", "buyer_name") and (
            is_logo_text(f.text) or is_courtesy(f.text)
        ):
            factor *= TRAP
        if f.field == "vendor_tax_id" and any(
            b.role == "buyer_name" and b.holds(f) for b in blocks
        ):
            factor *= TRAP  # the buyer's VAT id, printed in the buyer's block
        if f.field in ("total", "invoice_number") and f.source != "memory":
            ratio = _size_ratio(f, pages, body)
            if ratio >= LARGE:
                factor *= 1.03  # printed large: the figure the page wants seen
        out.append(replace(f, confidence=min(1.0, f.confidence * factor)))
    return out
