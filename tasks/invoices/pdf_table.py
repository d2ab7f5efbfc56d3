"""Line-item tables found by their header row, without a template.

A header is a line with a description column and at least two of quantity / unit price /
amount, on one line or stacked over up to three; a heading cell the text layer ran together
with its neighbours (``Pos Art-Nr Beschreibung``) names the column of its last column word.
Each following cell is assigned to the header column it overlaps most (or the nearest one),
and left out when that column is not a line field (a VAT rate, an article number).

A row with an amount and a description, quantity or price is an item; a row with only text
continues the previous description; a row with a quantity and price whose amount is printed
on the next text line is one item with it; a row that only takes a discount off the item
above becomes that item's adjustment; a sum carried forward or brought forward over a page
break is no item. A totals line pauses the table (a group's subtotal when a priced item
follows), a section heading or the next table's header ends it, and a table goes on across a
page break. Amounts printed with other decimals than most of the table's (a ``7,0`` VAT rate
under a merged ``MwSt-% Nettowert`` heading) are not items.
"""

from __future__ import annotations

import re
from decimal import Decimal
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
        "pcs",
        "pieces",
        "stk",
        "stuck",
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
        "each",
        "price each",
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
        "sum",
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
    return _merged_heading(folded)


def _merged_heading(folded: str) -> str | None:
    """A header cell the text layer ran together with its neighbours (``Pos Art-Nr-Kunde
    Beschreibung``, ``Position Material/Beschreibung``, ``MwSt-% Nettowert``), or stacked
    over identifier rows (``Beschreibung`` over ``Art-Nr-Lief.``): the column named by its
    last word that names one on its own."""
    words = [w.rstrip(":.") for w in re.split(r"[\s/]+", folded) if w]
    if len(words) < 2:
        return None
    return next((_LOOKUP[w] for w in reversed(words) if w in _LOOKUP), None)


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


#: A row that carries a running sum from one page to the next, not an item.
_CARRIED = re.compile(
    r"ubertrag|vortrag|carried forward|brought forward|carry forward|a reporter|report\b|"
    r"riporto|suma anterior|suma y sigue|transporte|transport\b|overdracht|zwischensumme|"
    r"subtotal|sous-total|subtotale|subtotaal"
)


def _section_heading(text_line: TextLine, header: dict[str, Cell]) -> bool:
    """A heading that opens the next part of the page (``Zahlungsbedingungen:``, ``Zu- und
    Abschläge:``): one short cell, no figure, ending in a colon; or the heading row of the
    next table (``Warenwert | Zu-/Abschlag | Nettobetrag | ...``): three cells or more, none
    with a figure."""
    if len(text_line.cells) >= 3:
        return not any(ch.isdigit() for c in text_line.cells for ch in c.text)
    if len(text_line.cells) != 1:
        return False
    cell = text_line.cells[0]
    margin = min(c.x0 for c in header.values()) + cell.height
    text = cell.text.strip()
    return (
        cell.x0 <= margin  # at the table's left edge, not a description's second line
        and text.endswith(":")
        and len(text.split()) <= 4
        and not any(ch.isdigit() for ch in text)
    )


def _places(text: str) -> int:
    """Decimals an amount is printed with (``100,00`` 2, ``7,0`` 1, ``19`` 0)."""
    value = parse_amount(text)
    exponent = value.as_tuple().exponent if value is not None else 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _quantity(text: str) -> Decimal | None:
    """A quantity, with its unit after it or not (``3 m²``, ``10 Stk``, ``20 Unit(s)``)."""
    value = parse_amount(text)
    if value is None and text.split():
        value = parse_amount(text.split()[0])
    return value


def _same_places(items: list[tuple[dict[str, Any], int]]) -> list[dict[str, Any]]:
    """Items whose amount has the decimals most amounts of the table have: a VAT rate
    (``7,0``) a merged column put under the amount heading is not a line amount."""
    counts: dict[int, int] = {}
    for _, places in items:
        counts[places] = counts.get(places, 0) + 1
    if len(counts) < 2:
        return [item for item, _ in items]
    usual = max(counts, key=lambda k: counts[k])
    if counts[usual] < 2 or 2 * counts[usual] <= len(items):
        return [item for item, _ in items]
    return [item for item, places in items if places == usual]


def _row(text_line: TextLine, header: dict[str, Cell]) -> dict[str, list[str]]:
    """The line's cells by the header column they stand under (line fields only)."""
    row: dict[str, list[str]] = {}
    for cell in text_line.cells:
        column = _column_of(cell, header)
        if not column.startswith("_"):  # under a column that is not a line field
            row.setdefault(column, []).append(cell.text)
    return row


def _priced_item(row: dict[str, list[str]]) -> bool:
    """A full item row: a quantity, a unit price and an amount that is their product."""
    if not {"quantity", "unit_price", "amount"} <= set(row):
        return False
    qty, price = _quantity(row["quantity"][0]), parse_amount(row["unit_price"][0])
    amount = parse_amount(row["amount"][-1])
    if qty is None or price is None or amount is None:
        return False
    return abs(qty * price - amount) <= Decimal("0.01") * max(Decimal(1), abs(qty))


def _resumes(lines: tuple[TextLine, ...], i: int, header: dict[str, Cell]) -> bool:
    """Line ``i`` (with the next one, when its amount is printed there) is a full item."""
    row = _row(lines[i], header)
    if "amount" not in row and i + 1 < len(lines):
        below = _row(lines[i + 1], header)
        if "amount" in below and not {"quantity", "unit_price"} & set(below):
            row = {**row, "amount": below["amount"]}
    return _priced_item(row)


def table_lines(pages: list[PageText]) -> list[dict[str, Any]]:
    """Line items of one invoice, across its pages (the header may repeat per page).

    A row is an item when it has an amount and something else (a description, a quantity, a
    price); a running sum carried over a page break, a subtotal and a section heading are
    not items, and a heading ends the table."""
    items: list[tuple[dict[str, Any], int]] = []
    header: dict[str, Cell] | None = None
    # The columns of a table a totals line interrupted: a group's subtotal when full items
    # follow it, the end of the table otherwise.
    paused: dict[str, Cell] | None = None
    started = False  # an item (or a totals line) read under the current header
    for page in pages:
        # A table cut by a page break goes on under the same columns on the next page, header
        # repeated or not, until a totals line, a heading or the next table's header ends it;
        # a table that had no item yet is not followed (a header alone at a page's foot).
        if not started:
            header = None
        # On a page the table goes on onto, the page's own head (its number, "page 2 of 3")
        # comes before the next item and continues no description.
        page_head = header is not None
        pending: dict[str, Any] | None = None
        for i, text_line in enumerate(page.lines):
            stacked = _header_at(page.lines, i) if header is None else None
            found = _header(text_line) if stacked is None else stacked[0]
            if found is not None:
                header, started, paused, page_head = found, False, None, False
                continue
            if header is None and paused is not None and _resumes(page.lines, i, paused):
                header, paused = paused, None  # items after a group's subtotal: the table goes on
            if header is None:
                continue
            if not started and not any(last_amount(c.text) for c in text_line.cells):
                continue  # a stacked header's last row (``Tax`` under ``Price w/o``), a note
            if _ends_items(text_line) or _section_heading(text_line, header):
                paused = header if _ends_items(text_line) else None
                header = None
                continue
            started = True
            row = _row(text_line, header)
            amount = parse_amount(row["amount"][-1]) if "amount" in row else None
            if amount is None and page_head:
                continue
            page_head = False
            if amount is None:
                if set(row) == {"description"} and pending is not None:
                    pending.setdefault("description", []).extend(row["description"])
                elif set(row) == {"description"} and items:
                    prev = items[-1][0]
                    prev["description"] = (
                        f"{prev['description'] or ''} {' '.join(row['description'])}".strip()
                    )
                elif "quantity" in row or "unit_price" in row:
                    pending = row  # an item whose amount is printed on its second text line
                continue
            if pending is not None and set(row) <= {"amount", "description"}:
                merged = {k: v for k, v in pending.items() if k != "amount"}
                merged["description"] = [
                    *pending.get("description", []),
                    *row.get("description", []),
                ]
                row = {**merged, "amount": row["amount"]}
            pending = None
            words = fold(" ".join(row.get("description", [])))
            if items and amount < 0 and "quantity" not in row and _discount(row):
                prev = items[-1][0]  # "abzgl. 16,7% Rabatt -2,00" under the item it reduces
                prev["adjustment"] = (prev["adjustment"] or 0) + amount
                prev["amount"] = (prev["amount"] or 0) + amount
                continue
            quantity = _quantity(row["quantity"][0]) if "quantity" in row else None
            price = parse_amount(row["unit_price"][0]) if "unit_price" in row else None
            if (not words and quantity is None and price is None) or _CARRIED.search(words):
                continue  # a sum under the amount column, a total carried from the last page
            item = line(
                description=" ".join(row.get("description", [])) or None,
                quantity=quantity,
                unit_price=price,
                amount=amount,
            )
            items.append((item, _places(row["amount"][-1])))
    return _same_places(items)
