"""A client's supplier memory: learn where a corrected value stood, read it there next time.

Learning (after a reviewer's correction): each corrected header field is looked for on the
pages by its value (an amount by the one money parser, a date by the invoice date reader,
text word by word). Where it stands, its label is what precedes it in its cell
(``Rechnungs-Nr.: 4711``), else the cell to its left on the line, else the cell above it.
The supplier is named by the VAT id printed on the page, else the IBAN, else the name; the
layout by :func:`layout_signature`.

Reading (the next invoices): an entry applies when its supplier is printed on the pages and
its layout signature shares at least :data:`SAME_LAYOUT` of its words with the page's. Its
label is found again near where it stood (a template shifts a few lines when the address or
the line table grows), the value box is moved by as much, and the text there is typed for the
field. A value read that way wins over the finder's (it carries :data:`LEARNED` confidence),
and the candidate says which review item taught it.

Worked example: a reviewer corrects ``total`` from ``100.00`` (a net figure the finder took)
to ``119.00``, printed right of ``Zu zahlen``. The memory keeps ``label="Zu zahlen"`` and both
boxes; on the supplier's next invoice ``Zu zahlen`` is found 30 pt lower (two more lines),
and the amount 30 pt under the remembered value box is read as the total.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from schemas.invoice_memory import LearnedPosition, PageBox, SupplierKind
from schemas.money import parse_amount
from tasks.invoices.amounts import find_currency, last_amount
from tasks.invoices.candidate import Candidate
from tasks.invoices.dates import find_date, parse_date
from tasks.invoices.export import HEADER_COLUMNS
from tasks.invoices.identifiers import compact_tax_id
from tasks.invoices.labels import fold
from tasks.invoices.pdf_text import Cell, PageText

#: Confidence of a value read at a remembered place: above any threshold a client sets in
#: practice, below values from structured data (1.0).
LEARNED = 0.97
#: Share of a remembered layout's fixed words the page must print to be the same template.
SAME_LAYOUT = 0.5
#: How far (in fractions of the page) a label may have moved and still be the same label.
MAX_SHIFT = 0.25
#: Header fields the memory learns (lines are a table, not a place; the document type is
#: not printed in one place).
LEARNABLE = tuple(c for c in HEADER_COLUMNS if c != "document_type")
_AMOUNTS = frozenset({"subtotal", "tax_total", "total"})
_DATES = frozenset({"invoice_date", "due_date"})
_IDS = frozenset({"invoice_number", "po_number"})
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/._]*\d[A-Za-z0-9\-/._]*|\d+")
_ALNUM = re.compile(r"[^0-9A-Z]")
#: What a VAT id and an IBAN look like, to cut them out of a line that goes on.
_SHAPES = {
    "vendor_tax_id": re.compile(r"\b[A-Z]{2}[0-9A-Z]{2,13}\b"),
    "vendor_iban": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b"),
}
_MAX_RUN = 10


def layout_signature(pages: Sequence[PageText]) -> str:
    """The first page's fixed words (cells without digits: labels, headings, the supplier's
    own letterhead) as letter trigrams, folded and with spaces removed: what two invoices of
    one template share and another's lacks, however OCR spaced the words."""
    if not pages:
        return ""
    grams: set[str] = set()
    for line in pages[0].lines:
        for cell in line.cells:
            if any(ch.isdigit() for ch in cell.text):
                continue
            letters = _compact(fold(cell.text).upper())
            grams.update(letters[i : i + 3] for i in range(len(letters) - 2))
    return "|".join(sorted(grams)[:800])


def layout_similarity(remembered: str, page: str) -> float:
    """Share of the remembered layout's words the page prints too."""
    mine = set(remembered.split("|")) - {""}
    theirs = set(page.split("|")) - {""}
    return len(mine & theirs) / len(mine) if mine else 0.0


def _compact(text: str) -> str:
    return _ALNUM.sub("", text.upper())


@dataclass(frozen=True)
class PagesText:
    """The pages' text three ways, to look a supplier up."""

    compact: str
    folded: str
    compact_folded: str
    layout: str

    @classmethod
    def of(cls, pages: Sequence[PageText]) -> PagesText:
        text = "\n".join(p.text for p in pages)
        folded = fold(text)
        return cls(_compact(text), folded, _compact(folded), layout_signature(pages))


def _nearly_in(key: str, text: str) -> bool:
    """``key`` in ``text`` with at most one character misread (OCR reads a 5 as an S now and
    then); exact for keys under eight characters."""
    if key in text:
        return True
    n = len(key)
    if n < 8:
        return False
    for i in range(len(text) - n + 1):
        if sum(a != b for a, b in zip(key, text[i : i + n], strict=True)) <= 1:
            return True
    return False


def supplier_printed(kind: SupplierKind, key: str, text: PagesText) -> bool:
    """Whether the pages print the supplier's key: a VAT id or IBAN nearly (one character may
    be misread), a name with its words (OCR may drop the spaces between them)."""
    if not key:
        return False
    if kind == "name":
        return fold(key) in text.folded or _compact(fold(key)) in text.compact_folded
    return _nearly_in(_compact(key), text.compact)


def supplier_of(fields: Mapping[str, Any], text: PagesText) -> tuple[SupplierKind, str] | None:
    """How the memory names this invoice's supplier: its VAT id when the page prints it,
    else its IBAN, else its name."""
    vat = fields.get("vendor_tax_id")
    if isinstance(vat, str) and (key := compact_tax_id(vat)) and supplier_printed("vat", key, text):
        return ("vat", key)
    iban = fields.get("vendor_iban")
    if isinstance(iban, str) and (key := _compact(iban)) and supplier_printed("iban", key, text):
        return ("iban", key)
    name = fields.get("vendor_name")
    if isinstance(name, str) and name.strip() and supplier_printed("name", name, text):
        return ("name", " ".join(name.split()))
    return None


# -- where a value stands ------------------------------------------------------------------


def _same(field: str, wanted: Any, text: str) -> bool:
    if field in _AMOUNTS:
        return any(ch.isdigit() for ch in text) and parse_amount(text) == wanted
    if field in _DATES:
        return any(ch.isdigit() for ch in text) and parse_date(text).value == wanted
    if field in ("vendor_tax_id", "vendor_iban"):
        return bool(_compact(text) == wanted)
    return bool(" ".join(fold(text).split()).strip(" .,:;") == wanted)


def _wanted(field: str, value: Any) -> Any:
    """The corrected value in the form :func:`_same` compares."""
    text = str(value).strip()
    if not text:
        return None
    try:
        if field in _AMOUNTS:
            return Decimal(text)
        if field in _DATES:
            return dt.date.fromisoformat(text[:10])
    except (InvalidOperation, ValueError):
        return None
    if field in ("vendor_tax_id", "vendor_iban"):
        return _compact(text)
    return " ".join(fold(text).split()).strip(" .,:;")


def _part(cell: Cell, start: int, end: int) -> tuple[float, float]:
    """The x-range of characters ``start:end`` of a cell, by share of its length."""
    width = (cell.x1 - cell.x0) / max(len(cell.text), 1)
    return cell.x0 + start * width, cell.x0 + end * width


@dataclass(frozen=True)
class Spot:
    """Where a value stands on a page, and its label."""

    page: PageText
    box: tuple[float, float, float, float]
    label: str | None
    label_box: tuple[float, float, float, float] | None
    same_cell: bool


def _label_for(page: PageText, li: int, ci: int, cell: Cell) -> tuple[str, Cell] | None:
    line = page.lines[li]
    left = [c for c in line.cells[:ci] if any(ch.isalpha() for ch in c.text)]
    if left:
        return left[-1].text, left[-1]
    for above in reversed(page.lines[max(0, li - 2) : li]):
        if line.top - above.top > 3.2 * max(above.height, 1.0):
            break
        for c in above.cells:
            overlaps = c.x0 < cell.x1 and c.x1 > cell.x0
            if overlaps and any(ch.isalpha() for ch in c.text):
                return c.text, c
    return None


def locate(field: str, value: Any, pages: Sequence[PageText]) -> Spot | None:
    """Where ``value`` of ``field`` is printed: a run of a cell's words that prints it. Of
    several, a labelled one; amounts the last (totals close an invoice), others the first."""
    wanted = _wanted(field, value)
    if wanted is None:
        return None
    spots: list[Spot] = []
    for page in pages:
        for li, line in enumerate(page.lines):
            for ci, cell in enumerate(line.cells):
                spots.extend(_in_cell(field, wanted, page, li, ci, cell))
    if not spots:
        return None
    labelled = [s for s in spots if s.label] or spots
    return labelled[-1] if field in _AMOUNTS else labelled[0]


def _in_cell(field: str, wanted: Any, page: PageText, li: int, ci: int, cell: Cell) -> list[Spot]:
    tokens = cell.text.split()
    starts: list[int] = []
    pos = 0
    for t in tokens:
        starts.append(cell.text.index(t, pos))
        pos = starts[-1] + len(t)
    for i in range(len(tokens)):
        for n in range(1, min(_MAX_RUN, len(tokens) - i) + 1):
            run = " ".join(tokens[i : i + n])
            if not _same(field, wanted, run):
                continue
            start, end = starts[i], starts[i + n - 1] + len(tokens[i + n - 1])
            x0, x1 = _part(cell, start, end)
            box = (x0, cell.top, x1, cell.bottom)
            before = cell.text[:start].strip().rstrip(":").strip()
            if i > 0 and any(ch.isalpha() for ch in before):
                lx0, lx1 = _part(cell, 0, start)
                label_box = (lx0, cell.top, lx1, cell.bottom)
                return [Spot(page, box, before, label_box, True)]
            found = _label_for(page, li, ci, cell)
            if found is None:
                return [Spot(page, box, None, None, False)]
            text, c = found
            return [Spot(page, box, text.strip().rstrip(":").strip(), _box(c), False)]
    return []


def _box(c: Cell) -> tuple[float, float, float, float]:
    return (c.x0, c.top, c.x1, c.bottom)


def _fraction(box: tuple[float, float, float, float], page: PageText) -> PageBox:
    w, h = max(page.width, 1.0), max(page.height, 1.0)
    return (box[0] / w, box[1] / h, box[2] / w, box[3] / h)


def learn(
    *,
    client_id: str,
    fields: Mapping[str, Any],
    corrected: Iterable[str],
    pages: Sequence[PageText],
    source_item: int | None,
    learned_by: str,
    at: dt.datetime,
) -> list[LearnedPosition]:
    """The positions to remember from one corrected invoice (``fields`` after correction;
    ``corrected`` the field paths the reviewer changed). Empty when the supplier cannot be
    told or no corrected value is printed."""
    text = PagesText.of(pages)
    supplier = supplier_of(fields, text)
    if supplier is None:
        return []
    out: list[LearnedPosition] = []
    for name in dict.fromkeys(corrected):
        if name not in LEARNABLE or fields.get(name) in (None, ""):
            continue
        spot = locate(name, fields[name], pages)
        if spot is None:
            continue
        out.append(
            LearnedPosition(
                client_id=client_id,
                supplier_kind=supplier[0],
                supplier_key=supplier[1],
                layout=text.layout,
                field=name,
                page=spot.page.number,
                label=spot.label[:200] if spot.label else None,
                label_box=_fraction(spot.label_box, spot.page) if spot.label_box else None,
                value_box=_fraction(spot.box, spot.page),
                same_cell=spot.same_cell,
                example=str(fields[name])[:200],
                source_item=source_item,
                learned_by=learned_by,
                learned_at=at,
            )
        )
    return out


# -- reading at a remembered place ---------------------------------------------------------


def matching(memory: Sequence[LearnedPosition], text: PagesText) -> list[LearnedPosition]:
    """The entries of the one remembered supplier layout these pages match best (none when no
    supplier's key is printed or no layout is similar enough); per field the latest."""
    groups: dict[tuple[str, str, str], list[LearnedPosition]] = {}
    for entry in memory:
        groups.setdefault((entry.supplier_kind, entry.supplier_key, entry.layout), []).append(entry)
    best: tuple[float, list[LearnedPosition]] = (0.0, [])
    for (kind, key, layout), entries in groups.items():
        if not supplier_printed(kind, key, text):  # type: ignore[arg-type]
            continue
        score = layout_similarity(layout, text.layout)
        if score >= SAME_LAYOUT and score > best[0]:
            best = (score, entries)
    latest: dict[str, LearnedPosition] = {}
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    for entry in sorted(best[1], key=lambda e: (e.learned_at or epoch, e.id or 0)):
        latest[entry.field] = entry
    return list(latest.values())


def _near_label(entry: LearnedPosition, page: PageText) -> tuple[Cell, float, float] | None:
    """The cell printing the remembered label closest to where it stood, and how far it moved
    (dx, dy in points)."""
    if not entry.label or entry.label_box is None:
        return None
    # Compared without spaces or punctuation: OCR may glue "Please transfer" together.
    label = _compact(fold(entry.label).upper())
    x0, top = entry.label_box[0] * page.width, entry.label_box[1] * page.height
    best: tuple[float, Cell, float, float] | None = None
    for line in page.lines:
        for cell in line.cells:
            folded = _compact(fold(cell.text).upper())
            ok = folded.startswith(label) if entry.same_cell else folded == label
            if not ok:
                continue
            dx, dy = cell.x0 - x0, cell.top - top
            if abs(dx) > MAX_SHIFT * page.width or abs(dy) > MAX_SHIFT * page.height:
                continue
            distance = dx * dx + dy * dy
            if best is None or distance < best[0]:
                best = (distance, cell, dx, dy)
    return (best[1], best[2], best[3]) if best else None


def _tokens_in(cell: Cell, x0: float, x1: float, *, slack: float, skip: int = 0) -> str | None:
    """The words of ``cell`` (after its first ``skip`` characters) that lie mostly within
    ``x0..x1`` widened by ``slack`` of its width each way: an amount of another invoice may be
    longer (``1 538.38`` where ``472.92`` was learned), a name is the same name."""
    grow = max(slack * (x1 - x0), 0.5 * (cell.bottom - cell.top))
    lo, hi = x0 - grow, x1 + grow
    kept: list[str] = []
    pos = skip
    for token in cell.text[skip:].split():
        start = cell.text.index(token, pos)
        pos = start + len(token)
        t0, t1 = _part(cell, start, pos)
        if min(t1, hi) - max(t0, lo) > 0.5 * (t1 - t0):
            kept.append(token)
    return " ".join(kept) or None


def _text_in(page: PageText, box: tuple[float, float, float, float], *, slack: float) -> str | None:
    """The words of the cell that overlaps ``box`` most, within its width."""
    x0, top, x1, bottom = box
    pad = 0.5 * (bottom - top)
    best: tuple[float, Cell] | None = None
    for line in page.lines:
        for cell in line.cells:
            overlap_y = min(cell.bottom, bottom + pad) - max(cell.top, top - pad)
            overlap_x = min(cell.x1, x1 + pad) - max(cell.x0, x0 - pad)
            if overlap_y <= 0 or overlap_x <= 0:
                continue
            score = overlap_x * overlap_y
            if best is None or score > best[0]:
                best = (score, cell)
    return _tokens_in(best[1], x0, x1, slack=slack) if best else None


def read_at(entry: LearnedPosition, pages: Sequence[PageText]) -> str | None:
    """The text standing where ``entry`` says its field is, on these pages."""
    if not 1 <= entry.page <= len(pages):
        return None
    page = pages[entry.page - 1]
    slack = 0.5 if entry.field in _AMOUNTS else 0.15
    vx0, vtop, vx1, vbottom = entry.value_box
    box = (vx0 * page.width, vtop * page.height, vx1 * page.width, vbottom * page.height)
    near = _near_label(entry, page)
    if near is not None:
        cell, dx, dy = near
        box = (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
        if entry.same_cell:
            # The value after the label in its own cell: skip the label's characters.
            skip = _label_end(cell.text, entry.label or "")
            return _tokens_in(cell, box[0], box[2], slack=slack, skip=skip)
    elif entry.label:
        return None  # the label is not where the template prints it: not this layout's page
    return _text_in(page, box, slack=slack)


def _label_end(text: str, label: str) -> int:
    """Characters of ``text`` its leading ``label`` takes (compared folded, word by word)."""
    words = fold(label).split()
    pos = 0
    for token in text.split():
        if not words:
            break
        start = text.index(token, pos)
        word = words.pop(0)
        folded = fold(token)
        if folded != word and folded.startswith(word) and len(folded) == len(token):
            return start + len(word)  # the value glued to its label: "UIDATU13585627"
        pos = start + len(token)
    return pos


def _set(cand: Candidate, field: str, text: str) -> bool:
    if field in _AMOUNTS:
        found = last_amount(text)
        if found is None:
            return False
        cand.set_amount(field, found[0], LEARNED)
        return field in cand.values
    if field in _DATES:
        date = find_date(text)
        if date is None:
            return False
        cand.set_date(field, date, LEARNED)
        return field in cand.values
    if field in _IDS:
        m = _ID.search(text)
        if m is None:
            return False
        cand.set_text(field, m.group(0).rstrip("."), LEARNED)
        return True
    if field in _SHAPES:
        m = _SHAPES[field].search(text.upper())
        if m is None:
            return False
        cand.set_text(field, m.group(0).strip(), LEARNED)
        return True
    if field == "currency":
        code = find_currency(text.upper())
        if code is None:
            return False
        cand.set_text(field, code, LEARNED)
        return True
    words = text.split()
    while words and not any(ch.isalnum() for ch in words[-1]):
        words.pop()  # a separator after the name ("Nordlicht AG | Kaiserstrasse 9")
    while words and not any(ch.isalnum() for ch in words[0]):
        words.pop(0)
    if not words:
        return False
    cand.set_text(field, " ".join(words), LEARNED)
    return True


def apply_memory(
    cand: Candidate, pages: Sequence[PageText], memory: Sequence[LearnedPosition]
) -> dict[str, int | None]:
    """Read the remembered fields of the matching supplier layout into ``cand``; returns the
    fields read so, with the review item that taught each."""
    if not memory or not pages:
        return {}
    learned: dict[str, int | None] = {}
    for entry in matching(memory, PagesText.of(pages)):
        text = read_at(entry, pages)
        if text and _set(cand, entry.field, text):
            learned[entry.field] = entry.source_item
            cand.origin[entry.field] = "memory"
            # What the finder could not parse there is superseded by the remembered reading.
            cand.issues = [i for i in cand.issues if i.field != entry.field]
    if learned:
        cand.raw["learned_from"] = {
            f: (f"review item {item}" if item is not None else "a correction")
            for f, item in learned.items()
        }
    return learned
