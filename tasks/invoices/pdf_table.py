"""Line-item tables found by their header row, without a template.

A header is a line with a description column and at least two of quantity / unit price /
amount. Each following cell is assigned to the header column it overlaps most (or the
nearest one); a row with an amount is an item, a row with only text continues the previous
description, and a totals label or a repeated header ends the table.
"""

from __future__ import annotations

from typing import Any

from tasks.invoices.amounts import parse_money
from tasks.invoices.candidate import line
from tasks.invoices.labels import fold, match_label
from tasks.invoices.pdf_text import Cell, PageText, TextLine

COLUMNS: dict[str, tuple[str, ...]] = {
    "description": (
        "description",
        "item",
        "items",
        "article",
        "product",
        "service",
        "bezeichnung",
        "beschreibung",
        "artikel",
        "leistung",
        "artikelbezeichnung",
        "designation",
        "libelle",
        "omschrijving",
        "descripcion",
        "concepto",
        "descrizione",
        "articolo",
    ),
    "quantity": (
        "qty",
        "quantity",
        "menge",
        "anzahl",
        "qte",
        "quantite",
        "aantal",
        "cantidad",
        "cant.",
        "quantita",
        "qta",
        "qty.",
        "hours",
    ),
    "unit_price": (
        "unit price",
        "price",
        "rate",
        "einzelpreis",
        "preis",
        "e-preis",
        "nettopreis",
        "stuckpreis",
        "prix unitaire",
        "prix",
        "p.u.",
        "pu",
        "prix unitaire ht",
        "prijs",
        "stukprijs",
        "eenheidsprijs",
        "precio unitario",
        "precio",
        "prezzo unitario",
        "prezzo",
        "unit cost",
    ),
    "amount": (
        "amount",
        "total",
        "line total",
        "betrag",
        "gesamtpreis",
        "gesamt",
        "summe",
        "nettobetrag",
        "montant",
        "total ht",
        "montant ht",
        "bedrag",
        "totaal",
        "importe",
        "importo",
        "totale",
        "net amount",
    ),
}
_LOOKUP = {fold(word): col for col, words in COLUMNS.items() for word in words}


def _header(line: TextLine) -> dict[str, Cell] | None:
    found: dict[str, Cell] = {}
    for cell in line.cells:
        col = _LOOKUP.get(fold(cell.text).rstrip(":"))
        if col is not None and col not in found:
            found[col] = cell
    numeric = sum(1 for c in ("quantity", "unit_price", "amount") if c in found)
    if "description" in found and numeric >= 2 and "amount" in found:
        return found
    return None


def _column_of(cell: Cell, header: dict[str, Cell]) -> str:
    def score(col: str) -> float:
        h = header[col]
        overlap = min(cell.x1, h.x1) - max(cell.x0, h.x0)
        if overlap > 0:
            return -overlap
        return min(abs(cell.x1 - h.x1), abs(cell.x0 - h.x0))

    return min(header, key=score)


def table_lines(pages: list[PageText]) -> list[dict[str, Any]]:
    """Line items of one invoice, across its pages (the header may repeat per page)."""
    items: list[dict[str, Any]] = []
    for page in pages:
        header: dict[str, Cell] | None = None
        for text_line in page.lines:
            found = _header(text_line)
            if found is not None:
                header = found
                continue
            if header is None:
                continue
            first = text_line.cells[0]
            label = match_label(first.text)
            if label is not None and label[0] in ("subtotal", "tax_total", "total"):
                header = None
                continue
            row: dict[str, list[str]] = {}
            for cell in text_line.cells:
                row.setdefault(_column_of(cell, header), []).append(cell.text)
            amount = parse_money(row["amount"][-1]) if "amount" in row else None
            if amount is None:
                if set(row) == {"description"} and items:
                    prev = items[-1]
                    prev["description"] = (
                        f"{prev['description'] or ''} {' '.join(row['description'])}".strip()
                    )
                continue
            items.append(
                line(
                    description=" ".join(row.get("description", [])) or None,
                    quantity=parse_money(row["quantity"][0]) if "quantity" in row else None,
                    unit_price=parse_money(row["unit_price"][0]) if "unit_price" in row else None,
                    amount=amount,
                )
            )
    return items
