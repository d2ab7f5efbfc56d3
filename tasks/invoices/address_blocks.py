"""Address blocks without a heading: the recipient's address printed where a window envelope
shows it, recognised by its shape (three to seven lines in one column, one of them a postcode
and town) rather than by a label.

A block under another role's heading (``Adresse de livraison``, ``Ship to``) is not the
buyer's, nor is a block that starts with the seller's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.invoices.labels import fold, match_label
from tasks.invoices.pdf_fields import plausible_name
from tasks.invoices.pdf_text import Cell, PageText

#: A postcode and a town: ``69001 Lyon``, ``D-10115 Berlin``, ``1000 Bruxelles``, ``SW1A 1AA``.
_POSTCODE = re.compile(
    r"(?:^|\s)(?:[A-Z]{1,2}-)?\d{4,5}\s+\w{2,}|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"
)
_OTHER_HEADINGS = (
    "adresse de livraison",
    "livraison",
    "lieferanschrift",
    "lieferadresse",
    "warenempfanger",
    "ship to",
    "deliver to",
    "delivery address",
    "leveringsadres",
    "direccion de entrega",
    "indirizzo di consegna",
)


@dataclass(frozen=True)
class AddressBlock:
    x0: float
    top: float
    lines: tuple[Cell, ...]
    heading: str


def _column_blocks(page: PageText) -> list[AddressBlock]:
    """Runs of cells starting at the same x, line after line, in the top half of the page."""
    open_runs: dict[int, list[Cell]] = {}
    done: list[list[Cell]] = []
    limit = page.height * 0.5 if page.height else float("inf")
    for line in page.lines:
        if line.top > limit:
            break
        for cell in line.cells:
            key = next((k for k in open_runs if abs(k - cell.x0) <= 3), None)
            if key is not None:
                run = open_runs[key]
                if cell.top - run[-1].top <= 2.0 * max(run[-1].height, 6.0):
                    run.append(cell)
                    continue
                done.append(open_runs.pop(key))
            open_runs[round(cell.x0)] = [cell]
    done.extend(open_runs.values())
    blocks = []
    for run in done:
        if not 3 <= len(run) <= 8:
            continue
        heading = ""
        for line in page.lines:  # the text just above the block, in its column
            if run[0].top - 2.5 * run[0].height <= line.top < run[0].top - 1:
                heading = " ".join(c.text for c in line.cells if abs(c.x0 - run[0].x0) < 40)
        blocks.append(AddressBlock(run[0].x0, run[0].top, tuple(run), heading))
    return blocks


def buyer_from_address_block(page: PageText, seller: str | None) -> str | None:
    """The first line of the one recipient-shaped block that belongs to no other role."""
    found = []
    for block in _column_blocks(page):
        texts = [c.text for c in block.lines]
        if not any(_POSTCODE.search(t) for t in texts[1:6]):
            continue
        if fold(block.heading).startswith(_OTHER_HEADINGS):
            continue
        first = texts[0].strip()
        if match_label(first) is not None or not plausible_name(first):
            continue
        if seller and (fold(seller) in fold(first) or fold(first) in fold(seller)):
            continue
        if any(fold(first) in fold(t) and " - " in t for t in texts[1:]):
            continue
        found.append(first)
    return found[0] if len(found) == 1 else None
