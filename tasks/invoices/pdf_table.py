"""Line-item tables found by their header row, without a template.

A header is a line with a description column and at least two of quantity / unit price /
amount, on one line or stacked over up to three. Each following cell is assigned to the
header column it overlaps most (or the nearest one), and left out when that column is not a
line field (a VAT rate, an article number). A row with an amount is an item, a row with only
text continues the previous description, a row that only takes a discount off the item above
becomes that item's adjustment, and a totals line or a repeated header ends the table.
"""

from __future__ import annotations

import re
from typing import Any

from schemas.money import parse_amount
from tasks.invoices.amounts import last_amount
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
        "artikelbeschreibung",
        "leistungsbeschreibung",
        "produkt",
        "produit",
        "producto",
        "prodotto",
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
        "gesamtbetrag",
        "positionsbetrag",
        "positionswert",
        "nettowert",
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
        "entgelt",
        "nettoentgelt",
        "prix total",
    ),
}
_LOOKUP = {fold(word): col for col, words in COLUMNS.items() for word in words}
#: Longest first, so "prix unitaire" is a unit price before "prix" is.
_PREFIXES = sorted(_LOOKUP, key=len, reverse=True)


def _column_word(text: str) -> str | None:
    """The column a header cell names: its words, or its first words then a qualifier
    (``Positionsbetrag ohne USt.``, ``Prix HT``)."""
    folded = fold(text).rstrip(":. ")
    if folded in _LOOKUP:
        return _LOOKUP[folded]
    for word in _PREFIXES:
        if folded.startswith(word) and not folded[len(word) : len(word) + 1].isalpha():
            return _LOOKUP[word]
    return None


def _header(line: TextLine) -> dict[str, Cell] | None:
    """The columns a header line names, keyed by field; cells it does not name (``USt. %``,
    ``Art.Nr.``) are kept under ``_<n>`` keys, so the values under them are not taken for a
    neighbour's. Of two price columns and no amount column (``Prix unitaire`` ... ``Prix
    HT``), the right-most is the line amount."""
    found: dict[str, Cell] = {}
    prices: list[Cell] = []
    for n, cell in enumerate(line.cells):
        col = _column_word(cell.text)
        if col == "unit_price":
            prices.append(cell)
        if col is not None and col not in found:
            found[col] = cell
        else:
            found[f"_{n}"] = cell
    if "amount" not in found and len(prices) >= 2:
        amount = max(prices, key=lambda c: c.x0)
        found = {k: v for k, v in found.items() if v is not amount}
        found["amount"] = amount
    numeric = sum(1 for c in ("quantity", "unit_price", "amount") if c in found)
    if "description" in found and numeric >= 2 and "amount" in found:
        return found
    return None


def _stacked(lines: list[TextLine]) -> TextLine:
    """Header lines printed over two or three rows (``Prix`` / ``unitaire``, ``Positions-``
    / ``betrag``) as one line: cells that overlap horizontally are read top to bottom."""
    columns: list[list[Cell]] = []
    for cell in sorted((c for ln in lines for c in ln.cells), key=lambda c: c.x0):
        for col in columns:
            if any(cell.x0 < other.x1 and cell.x1 > other.x0 for other in col):
                col.append(cell)
                break
        else:
            columns.append([cell])
    merged = []
    for col in columns:
        text = ""
        for part in sorted(col, key=lambda c: c.top):
            piece = part.text.strip()
            text = text[:-1] + piece if text.endswith("-") else f"{text} {piece}".strip()
        merged.append(
            Cell(
                text=text,
                x0=min(c.x0 for c in col),
                x1=max(c.x1 for c in col),
                top=min(c.top for c in col),
                bottom=max(c.bottom for c in col),
            )
        )
    return TextLine(cells=tuple(merged))


def _header_at(lines: tuple[TextLine, ...], index: int) -> tuple[dict[str, Cell], int] | None:
    """The header that ends at line ``index`` (one line, or up to three stacked lines within
    about two line heights), and how many lines it took."""
    found = _header(lines[index])
    if found is not None:
        return found, 1
    for size in (2, 3):
        start = index - size + 1
        if start < 0:
            break
        window = list(lines[start : index + 1])
        if window[-1].top - window[0].top > 2.5 * size * window[0].height:
            break
        found = _header(_stacked(window))
        if found is not None:
            return found, size
    return None


def _totals_label(text: str) -> bool:
    label = match_label(text)
    return label is not None and label[0] in ("subtotal", "tax_total", "total")


def _ends_items(text_line: TextLine) -> bool:
    """A totals line: it starts with a totals label (``Nettobetrag:``), or a totals label and
    an amount stand further along it (``Taxe | Base | Montant | Total HT | 530,75``). A label
    word alone further along is a stacked header's last row (``(Art) | USt.``)."""
    labels = [_totals_label(c.text) for c in text_line.cells]
    if labels[0]:
        return True
    return any(labels) and any(
        not label and last_amount(c.text) is not None
        for c, label in zip(text_line.cells, labels, strict=True)
    )


_DISCOUNT = re.compile(
    r"rabatt|nachlass|abzgl|skonto|discount|allowance|remise|reduction|descuento|sconto|korting"
)


def _discount(row: dict[str, list[str]]) -> bool:
    """A row that only takes an allowance off the item above it."""
    words = fold(" ".join(row.get("description", [])))
    return not words or _DISCOUNT.search(words) is not None


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
        # A table cut by a page break without its header repeated is not followed onto the
        # next page: what comes after the items there (terms, allowances, the VAT breakdown)
        # has no reliable end marker, and invented lines are worse than missing ones.
        header: dict[str, Cell] | None = None
        for i, text_line in enumerate(page.lines):
            stacked = _header_at(page.lines, i) if header is None else None
            found = _header(text_line) if stacked is None else stacked[0]
            if found is not None:
                header = found
                continue
            if header is None:
                continue
            if _ends_items(text_line):
                header = None
                continue
            row: dict[str, list[str]] = {}
            for cell in text_line.cells:
                column = _column_of(cell, header)
                if not column.startswith("_"):  # under a column that is not a line field
                    row.setdefault(column, []).append(cell.text)
            amount = parse_amount(row["amount"][-1]) if "amount" in row else None
            if amount is None:
                if set(row) == {"description"} and items:
                    prev = items[-1]
                    prev["description"] = (
                        f"{prev['description'] or ''} {' '.join(row['description'])}".strip()
                    )
                continue
            if items and amount < 0 and "quantity" not in row and _discount(row):
                prev = items[-1]  # "abzgl. 16,7% Rabatt -2,00" under the item it reduces
                prev["adjustment"] = (prev["adjustment"] or 0) + amount
                prev["amount"] = (prev["amount"] or 0) + amount
                continue
            items.append(
                line(
                    description=" ".join(row.get("description", [])) or None,
                    quantity=parse_amount(row["quantity"][0]) if "quantity" in row else None,
                    unit_price=parse_amount(row["unit_price"][0]) if "unit_price" in row else None,
                    amount=amount,
                )
            )
    return items
