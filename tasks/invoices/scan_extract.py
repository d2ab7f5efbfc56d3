"""Scanned invoices (an image-only PDF, a PNG, JPEG or TIFF) -> candidates, through OCR.

The OCR reader (:mod:`readers.ocr`) gives words in the shape of a PDF text layer; labels it
read without their spaces (``TOTALTTC``) are split by the finder's labels (:mod:`ocr_labels`);
the words are grouped into lines and cells exactly as a text layer is
(:func:`pdf_text.page_lines`) and read by the same field finder. Then each field's confidence
is capped by the OCR confidence of the words it was read from: a total the engine read at
0.62 is a total the reviewer must check, however sure the finder was of its label
(``INV-LOW-CONFIDENCE`` under the client's threshold). The candidate's source is ``ocr`` so
reviewers and exports can tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from readers.ocr import OcrPage, OcrRefusal, OcrWord, image_pages, pdf_pages
from schemas.issue import Issue
from tasks.invoices.candidate import Candidate
from tasks.invoices.ocr_labels import split_glued_labels
from tasks.invoices.pdf_extract import candidates_from_pages
from tasks.invoices.pdf_text import PageText, page_lines

_REFUSALS = {
    "too-large": "INV-IMAGE-TOO-LARGE",
    "too-many-pages": "INV-PDF-TOO-MANY-PAGES",
    "unreadable": "INV-IMAGE-UNREADABLE",
}


@dataclass(frozen=True)
class ScannedPages:
    """Pages as the finder reads them, with the OCR words (and confidences) behind them."""

    pages: list[PageText]
    words: dict[int, tuple[OcrWord, ...]]


def to_page_text(page: OcrPage) -> PageText:
    return PageText(
        number=page.number,
        lines=page_lines([w.as_dict() for w in page.words], mean_top=True),
        width=page.width,
        height=page.height,
        images=1,
    )


def scan_pages(data: bytes, kind: Literal["pdf", "image"], max_pages: int) -> ScannedPages | Issue:
    """OCR every page; an issue a person can act on when the file cannot be read."""
    read = pdf_pages(data, max_pages) if kind == "pdf" else image_pages(data, max_pages)
    if isinstance(read, OcrRefusal):
        what = "scanned PDF" if kind == "pdf" else "image"
        return Issue(
            code=_REFUSALS[read.reason],
            message=f"The {what} cannot be read: {read.message}. Ask the sender for a new copy"
            " (one invoice per file, scanned at 200 to 300 dpi).",
        )
    pages = [OcrPage(p.number, p.width, p.height, split_glued_labels(p.words)) for p in read]
    return ScannedPages([to_page_text(p) for p in pages], {p.number: p.words for p in pages})


def _printing(raw: str, words: Sequence[OcrWord]) -> list[OcrWord]:
    """The words that print ``raw``: consecutive words whose texts are its tokens; else every
    word holding one of its tokens."""
    tokens = raw.split()
    if not tokens:
        return []
    texts = [w.text for w in words]
    for i in range(len(words) - len(tokens) + 1):
        if texts[i : i + len(tokens)] == tokens:
            return list(words[i : i + len(tokens)])
    return [w for w in words if any(t in w.text for t in tokens)]


def _box(words: Sequence[OcrWord]) -> tuple[float, float, float, float]:
    return (
        round(min(w.x0 for w in words), 1),
        round(min(w.top for w in words), 1),
        round(max(w.x1 for w in words), 1),
        round(max(w.bottom for w in words), 1),
    )


def cap_by_ocr(cand: Candidate, scanned: ScannedPages) -> None:
    """Each field's confidence at most the OCR confidence of the words it was read from, and
    the box of those words kept for the reviewer (on the first page that prints them)."""
    for name, conf in list(cand.confidence.items()):
        raw = cand.raw.get(name)
        if not isinstance(raw, str) or not raw:
            continue
        found = [
            (number, words)
            for number in cand.pages
            if (words := _printing(raw, scanned.words.get(number, ())))
        ]
        if not found:
            continue
        lowest = min(w.confidence for _, words in found for w in words)
        if lowest < conf:
            cand.confidence[name] = round(lowest, 4)
        number, words = found[0]
        line = [w for w in words if abs(w.top - words[0].top) < w.bottom - w.top]
        cand.boxes[name] = (number - 1, _box(line))


def extract_scan(
    data: bytes, kind: Literal["pdf", "image"], *, max_pages: int, currency: str
) -> tuple[list[Candidate] | Issue, ScannedPages | None]:
    """Candidates read from the OCR'd pages (and the pages, for the supplier memory)."""
    scanned = scan_pages(data, kind, max_pages)
    if isinstance(scanned, Issue):
        return scanned, None
    if not any(p.lines for p in scanned.pages):
        return (
            Issue(
                code="INV-SCAN-NO-TEXT",
                message="No text could be read on the scanned pages (blank, too dark or too"
                " blurred); ask the sender for a sharper scan or key it in by hand.",
            ),
            scanned,
        )
    found = candidates_from_pages(scanned.pages, currency)
    if isinstance(found, Issue):
        return found, scanned
    for cand in found:
        cand.source = "ocr"
        cap_by_ocr(cand, scanned)
    return found, scanned
