"""Template-free label/value extraction from positioned text.

For each cell that starts with a known label the value is, in order of confidence: the rest
of the same cell (``Invoice No: 123``), the next cell to the right on the same line, or the
cell just below that overlaps the label horizontally (label-above layouts). The first page
that holds a header field wins; totals take the last occurrence (they close the invoice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.invoices.amounts import last_amount
from tasks.invoices.dates import find_date
from tasks.invoices.labels import AMOUNT_LABELS, fold, match_label
from tasks.invoices.pdf_text import Cell, PageText, TextLine

SAME_CELL, RIGHT, BELOW = 0.95, 0.9, 0.85
#: Generic labels ("Date", "Total") are right less often than specific ones.
GENERIC_PENALTY = 0.9
_GENERIC = frozenset(
    {"date", "datum", "fecha", "data", "total", "totale", "totaal", "netto", "brutto", "tax", "vat"}
)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/._]*\d[A-Za-z0-9\-/._]*|\d+")
_LEAD = re.compile(r"^[\s:#.\-\u2013=]+")
_NUMBER_WORD = re.compile(r"^(?:no|nr|n|number|nummer|num|numero|#)\b\.?\s*:?\s*", re.I)
_INLINE_NUMBER = re.compile(
    r"(?:invoice|rechnung|gutschrift|facture|avoir|factuur|factura|fattura)\w*"
    r"(?:\s*\([^)]{0,60}\))*\s*(?:no|nr|n°|nº|number|nummer|numero|#)\.?\s*:?\s*"
    r"(?P<id>[A-Za-z0-9][A-Za-z0-9\-/._]*)"
    r"(?:\s+(?:vom|du|del|van|of|dated|dd\.)\s+(?P<date>[^\s].{5,20}))?",
    re.I,
)
AMOUNT_FIELDS = frozenset(AMOUNT_LABELS)
_NAME_FIELDS = frozenset({"vendor_name", "buyer_name"})
#: A word of four letters or more between an amount label and its amount.
_WORDY = re.compile(r"(?<![A-Za-z])(?!(?:excl|incl|inkl|zzgl)\b)[^\W\d_]{4,}")


def _has_colon(cell_text: str, label_len: int) -> bool:
    return ":" in cell_text[: label_len + 3]


@dataclass(frozen=True)
class Found:
    field: str
    text: str
    confidence: float
    page: int


def _strip_label(cell_text: str, label_len: int) -> str:
    """What follows a label in its own cell (label length counted on the folded text)."""
    tokens = cell_text.split()
    used, consumed = 0, 0
    for tok in tokens:
        if consumed >= label_len:
            break
        consumed += len(fold(tok)) + (1 if consumed else 0)
        used += 1
    rest = " ".join(tokens[used:])
    rest = _LEAD.sub("", rest)
    return _LEAD.sub("", _NUMBER_WORD.sub("", rest)) if rest[:1].isalpha() else rest


_NAME_WORDS = frozenset({"name", "firma", "nom", "naam", "nombre", "nome", "company"})


def _below(lines: tuple[TextLine, ...], index: int, cell: Cell) -> Cell | None:
    """The cell under ``cell`` (within about two line heights) that is not itself a label."""
    line = lines[index]
    for nxt in lines[index + 1 : index + 3]:
        if nxt.top - line.top > 3.2 * line.height:
            return None
        first = nxt.cells[0]
        if fold(first.text).rstrip(":") in _NAME_WORDS:
            return nxt.cells[1] if len(nxt.cells) > 1 else None
        for c in nxt.cells:
            if c.x0 < cell.x1 + 2 and c.x1 > cell.x0 - 2:
                if match_label(c.text) is None and not c.text.endswith(":"):
                    return c
                return None
    return None


def _typed(field: str, text: str) -> str | None:
    """The part of ``text`` that is a value of ``field``, or ``None``."""
    text = text.strip()
    if not text:
        return None
    if field in AMOUNT_FIELDS:
        found = last_amount(text)
        return found[0] if found else None
    if field in ("invoice_date", "due_date"):
        return find_date(text)
    if field in ("invoice_number", "po_number"):
        m = _ID.search(text)
        return m.group(0).rstrip(".") if m else None
    if field == "vendor_iban" and ("*" in text or "XXXX" in text.upper()):
        return None  # a masked account (often the payer's, for a direct debit) is not ours
    if field in ("vendor_tax_id", "vendor_iban"):
        m = re.search(r"[A-Z]{2}[\sA-Z0-9]{6,34}|\d[\d/ .]{6,}", text)
        return m.group(0).strip() if m else None
    if field == "currency":
        return text.split()[0] if text else None
    return text if match_label(text) is None else None


def find_fields(page: PageText) -> list[Found]:
    """Every labelled value on one page (several per field possible)."""
    out: list[Found] = []
    lines = page.lines
    for i, line in enumerate(lines):
        for j, cell in enumerate(line.cells):
            hit = match_label(cell.text)
            if hit is None:
                continue
            field, label_len = hit
            generic = fold(cell.text)[:label_len] in _GENERIC
            penalty = GENERIC_PENALTY if generic else 1.0
            rest = _strip_label(cell.text, label_len)
            if field in _NAME_FIELDS and rest and not _has_colon(cell.text, label_len):
                continue  # "Lieferant GmbH" is a name, not the label "Lieferant"
            if field in AMOUNT_FIELDS:
                if _WORDY.search(rest):
                    continue  # "Gesamtbetrag der Zuschläge" is not the grand total
                # A total prints its amount last on the line, after rates and labels.
                candidates = [rest, *(c.text for c in line.cells[j + 1 :])]
                tail = " ".join(t for t in candidates if t)
                value = _typed(field, line.cells[-1].text) or _typed(field, tail)
                if value is not None:
                    out.append(Found(field, value, RIGHT * penalty, page.number))
                    continue
            value = _typed(field, rest) if rest else None
            if value is not None:
                out.append(Found(field, value, SAME_CELL * penalty, page.number))
                continue
            if j + 1 < len(line.cells):
                value = _typed(field, line.cells[j + 1].text)
                if value is not None:
                    out.append(Found(field, value, RIGHT * penalty, page.number))
                    continue
            below = _below(lines, i, cell)
            if below is not None:
                value = _typed(field, below.text)
                if value is not None:
                    out.append(Found(field, value, BELOW * penalty, page.number))
        out.extend(_inline(line, page.number))
    return out


def _inline(line: TextLine, page: int) -> list[Found]:
    """``Rechnung Nr. 471102 vom 05.03.2018`` written as a sentence."""
    m = _INLINE_NUMBER.search(line.text)
    if m is None or not any(ch.isdigit() for ch in m.group("id")):
        return []
    out = [Found("invoice_number", m.group("id"), BELOW, page)]
    if m.group("date") and (date := find_date(m.group("date"))):
        out.append(Found("invoice_date", date, BELOW, page))
    return out
