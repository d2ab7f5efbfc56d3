"""The source beside a review item's fields: what the client sent, where each value came from.

Three kinds, by what the item keeps:

- **PDF pages** (a kept copy of the document): each page's size and, per field, the box of
  the words it was read from. Boxes come from the doc type (``review_items.sources``:
  ``{"<field path>": {"page": 0-based, "bbox": [x0, top, x1, bottom], "label", "confidence"}}``
  in PDF points from the page's top left); a field without one is looked for on the page by
  its value (an amount through the one money parser, a date through the invoice date reader,
  text word by word), and marked as found that way.
- **X12 segments** (``raw`` is the claim's list of segments, PHI masked at parse time): each
  segment, with the ones a flagged field lives in marked.
- **A row as sent** (``raw`` is an object of the file's text per field): each column under
  the client's own header where their layout maps one, PII masked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise
from typing import Any

from readers.pdf_pages import Word
from schemas.config import ClientConfig
from schemas.money import parse_amount
from schemas.pii import PII_FIELDS, mask
from tasks.invoices.dates import parse_date

#: Fields looked for by value on a page at most (the flagged ones first).
MAX_SEARCHED = 40
#: Matches shown per field found by value (the same total may be printed twice).
MAX_MATCHES = 3
_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}")
_LINE_PATH = re.compile(r"^lines\[(\d+)\]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Box:
    """One field's place on a page, in percent of the page (for an overlay on its image)."""

    field: str
    page: int
    left: float
    top: float
    width: float
    height: float
    flagged: bool
    #: ``extraction`` (reported by the reader) or ``value`` (found here by the value printed).
    found_by: str
    label: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class PageView:
    index: int
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)


@dataclass(frozen=True)
class Segment:
    text: str
    fields: tuple[str, ...]
    flagged: bool


@dataclass(frozen=True)
class Cell:
    header: str
    field: str
    value: str | None
    flagged: bool


def parse_sources(text: str | None) -> dict[str, dict[str, Any]]:
    """The item's ``sources`` column as a dict (empty when absent or not an object)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return (
        {str(k): v for k, v in value.items() if isinstance(v, dict)}
        if isinstance(value, dict)
        else {}
    )


def _flat(fields: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """``(path, value)`` of every scalar in the record (``lines[0].amount``...)."""
    for name, value in fields.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            yield from _flat(value, f"{path}.")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, dict):
                    yield from _flat(v, f"{path}[{i}].")
                else:
                    yield f"{path}[{i}]", v
        else:
            yield path, value


def _box(
    path: str,
    page: PageView,
    bbox: Sequence[float],
    *,
    flagged: bool,
    found_by: str,
    label: str | None = None,
    confidence: float | None = None,
) -> Box:
    x0, top, x1, bottom = (float(v) for v in bbox)
    pad = 1.5  # points around the words, so the box does not cut through the glyphs
    return Box(
        field=path,
        page=page.index,
        left=round(max(0.0, x0 - pad) / page.width * 100, 3),
        top=round(max(0.0, top - pad) / page.height * 100, 3),
        width=round((x1 - x0 + 2 * pad) / page.width * 100, 3),
        height=round((bottom - top + 2 * pad) / page.height * 100, 3),
        flagged=flagged,
        found_by=found_by,
        label=label,
        confidence=confidence,
    )


def _norm(text: str) -> str:
    return " ".join(text.split()).strip(" .,:;").casefold()


def _matcher(value: Any) -> tuple[str, Any] | None:
    """How to recognise ``value`` printed on a page: as an amount, a date or words."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or len(text) > 80:
        return None
    if _ISO_DATE.match(text):
        return ("date", text)
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        try:
            return ("amount", Decimal(text))
        except InvalidOperation:
            return None
    return ("text", _norm(text))


@lru_cache(maxsize=8192)
def _amount(text: str) -> Decimal | None:
    return parse_amount(text) if any(ch.isdigit() for ch in text) else None


@lru_cache(maxsize=8192)
def _date(text: str) -> str | None:
    if not any(ch.isdigit() for ch in text):
        return None
    parsed = parse_date(text)
    return parsed.value.isoformat() if parsed.value is not None else None


def _matches(kind: str, wanted: Any, run: Sequence[Word]) -> bool:
    joined = " ".join(w.text for w in run)
    if kind == "amount":
        return bool(_amount(joined) == wanted)
    if kind == "date":
        return bool(_date(joined) == wanted)
    return bool(_norm(joined) == wanted)


def _adjacent(run: Sequence[Word]) -> bool:
    """Words one after the other on one line, no wider apart than a couple of spaces (a
    currency code at the far left of a total line is not part of the amount)."""
    for a, b in pairwise(run):
        height = max(a.bottom - a.top, 1.0)
        if b.page != a.page or abs(b.top - a.top) > 2 or not 0 <= b.x0 - a.x1 <= height:
            return False
    return True


def _find(kind: str, wanted: Any, words: Sequence[Word]) -> list[Sequence[Word]]:
    """Runs of consecutive words on one line that print ``wanted``."""
    span = max(1, len(str(wanted).split())) if kind == "text" else 3
    found: list[Sequence[Word]] = []
    for i in range(len(words)):
        for n in range(1, span + 1):
            run = words[i : i + n]
            if len(run) < n or not _adjacent(run):
                break
            if _matches(kind, wanted, run):
                found.append(run)
                break
        if len(found) >= MAX_MATCHES:
            break
    return found


def pdf_pages(
    sizes: Sequence[tuple[float, float]],
    *,
    fields: Mapping[str, Any],
    sources: Mapping[str, Mapping[str, Any]],
    flagged: set[str],
    words: Sequence[Word] | None,
    pii: frozenset[str] = frozenset(),
) -> list[PageView]:
    """The document's pages with a box per field: reported ones, then found by value (only
    with ``words``; PII is never looked for)."""
    pages = [PageView(i, w, h) for i, (w, h) in enumerate(sizes)]
    placed: set[str] = set()
    for path, src in sources.items():
        page, bbox = src.get("page"), src.get("bbox")
        if not isinstance(page, int) or not 0 <= page < len(pages):
            continue
        if not isinstance(bbox, list | tuple) or len(bbox) != 4:
            continue
        conf = src.get("confidence")
        pages[page].boxes.append(
            _box(
                path,
                pages[page],
                bbox,
                flagged=path in flagged,
                found_by="extraction",
                label=src.get("label") if isinstance(src.get("label"), str) else None,
                confidence=float(conf) if isinstance(conf, int | float) else None,
            )
        )
        placed.add(path)
    if words is None:
        return pages
    todo = [
        (p, v)
        for p, v in _flat(fields)
        if p not in placed and p.rsplit(".", 1)[-1].split("[")[0] not in pii
    ]
    todo.sort(key=lambda pv: pv[0] not in flagged)
    for path, value in todo[:MAX_SEARCHED]:
        how = _matcher(value)
        if how is None:
            continue
        for run in _find(*how, words):
            page = pages[run[0].page]
            bbox = (
                min(w.x0 for w in run),
                min(w.top for w in run),
                max(w.x1 for w in run),
                max(w.bottom for w in run),
            )
            page.boxes.append(_box(path, page, bbox, flagged=path in flagged, found_by="value"))
    return pages


# -- X12 ----------------------------------------------------------------------------------

#: Which segment a header field is read from (the entity code of an NM1, the qualifier of a
#: DTP): 2010AA billing provider, 2310B rendering provider, 2010BA subscriber, 2010BB payer.
_HEADER_SEGMENTS = {
    "billing_npi": ("NM1", "85"),
    "rendering_npi": ("NM1", "82"),
    "member_id": ("NM1", "IL"),
    "payer_id": ("NM1", "PR"),
    "claim_id": ("CLM", None),
    "patient_control_number": ("CLM", None),
    "total_charge": ("CLM", None),
    "diagnosis_codes": ("HI", None),
    "service_date_from": ("DTP", None),
    "service_date_to": ("DTP", None),
}


def _segment_fields(segments: Sequence[str]) -> list[set[str]]:
    out: list[set[str]] = []
    line = -1
    for text in segments:
        m = _SEGMENT_ID.match(text)
        sid = m.group(0) if m else ""
        sep = text[len(sid)] if len(text) > len(sid) else "*"
        elements = text.split(sep)
        names: set[str] = set()
        if sid == "LX":
            line += 1
        if line >= 0 and sid in ("LX", "SV1", "SV2", "DTP", "REF", "NTE"):
            names.add(f"lines[{line}]")
        for name, (want, qualifier) in _HEADER_SEGMENTS.items():
            if sid != want:
                continue
            if qualifier is not None and (len(elements) < 2 or elements[1] != qualifier):
                continue
            if sid == "DTP" and line >= 0:
                continue  # a line's service date
            names.add(name)
        out.append(names)
    return out


def x12_segments(raw: str | None, flagged: set[str]) -> list[Segment] | None:
    """The claim's segments with the ones a flagged field lives in marked; None when the
    item keeps no segment list."""
    try:
        value = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return None
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        return None
    roots = {_root(f) for f in flagged}
    return [
        Segment(text, tuple(sorted(names)), bool(names & roots))
        for text, names in zip(value, _segment_fields(value), strict=True)
    ]


def _root(path: str) -> str:
    """``lines[2].charge`` -> ``lines[2]``; ``diagnosis_codes[1]`` -> ``diagnosis_codes``."""
    m = _LINE_PATH.match(path)
    return m.group(0) if m else path.split("[")[0].split(".")[0]


# -- rows ---------------------------------------------------------------------------------


def sent_row(
    raw: str | None, *, doc_type: str, client: ClientConfig | None, flagged: set[str]
) -> list[Cell] | None:
    """The record's values as the file wrote them, under the client's headers, PII masked;
    None when the item keeps no such row."""
    try:
        value = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return None
    if not isinstance(value, dict) or not value:
        return None
    headers: dict[str, str] = {}
    if client is not None and doc_type == "payroll":
        headers = {canonical: theirs for theirs, canonical in client.payroll.columns.items()}
    pii = PII_FIELDS.get(doc_type, frozenset())
    roots = {_root(f) for f in flagged}
    cells = []
    for name, text in value.items():
        if isinstance(text, dict | list):
            text = json.dumps(text, ensure_ascii=False)
        shown = None if text is None else str(text)
        cells.append(
            Cell(
                header=headers.get(name) or name,
                field=name,
                value=mask(shown) if name in pii else shown,
                flagged=name in roots,
            )
        )
    return cells
