"""PDF pages for a person to look at: their sizes, a page as a PNG image, and the words
printed on it with their boxes.

Coordinates are pdfplumber's: PDF points from the page's top-left corner, the convention the
invoice readers report field positions in, so a box from extraction and a box found here land
on the same spot of the image. pdfium is not thread-safe: every call into it holds one lock.

The review pages call these in a reading child under the client's budgets, through
:func:`within_budget`: the document's budget pre-scan first, then the call.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pdfplumber
import pypdfium2 as pdfium  # type: ignore[import-untyped]

from readers.pdf_budget import check_pdf

T = TypeVar("T")

_PDFIUM = threading.Lock()
#: The one lock every call into pdfium holds (the OCR reader renders pages under it too).
PDFIUM_LOCK = _PDFIUM
#: Rendering scale: 1.5 px per point is 108 dpi, readable and about 130 KB a page.
SCALE = 1.5
MAX_PAGES = 50


class PdfPagesError(ValueError):
    """The bytes are not a PDF pdfium can open (encrypted, broken)."""


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """``(width, height)`` in points of each page (at most ``MAX_PAGES``)."""
    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PdfPagesError(str(exc)) from None
        try:
            sizes = (doc[i].get_size() for i in range(min(len(doc), MAX_PAGES)))
            return [(float(w), float(h)) for w, h in sizes]
        finally:
            doc.close()


def render_png(data: bytes, page: int, scale: float = SCALE) -> bytes:
    """Page ``page`` (0-based) as a PNG image."""
    with _PDFIUM:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise PdfPagesError(str(exc)) from None
        try:
            if not 0 <= page < min(len(doc), MAX_PAGES):
                raise PdfPagesError(f"no page {page + 1}")
            image = doc[page].render(scale=scale).to_pil()
        finally:
            doc.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def words(data: bytes, pages: list[int] | None = None) -> list[Word]:
    """Every word printed on ``pages`` (0-based; None: all, up to ``MAX_PAGES``)."""
    found: list[Word] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            wanted = pages if pages is not None else range(min(len(pdf.pages), MAX_PAGES))
            for index in wanted:
                if not 0 <= index < len(pdf.pages):
                    continue
                for w in pdf.pages[index].extract_words(keep_blank_chars=False):
                    found.append(
                        Word(
                            index,
                            str(w["text"]),
                            float(w["x0"]),
                            float(w["top"]),
                            float(w["x1"]),
                            float(w["bottom"]),
                        )
                    )
    except Exception as exc:  # pdfminer raises many kinds for broken files
        raise PdfPagesError(str(exc)) from None
    return found


def within_budget(call: Callable[..., T], data: bytes, *args: object) -> T:
    """``call(data, *args)`` once the PDF passed its budget pre-scan (pages, page streams,
    operators per page, attachments) under the budgets in force; raises
    :class:`readers.budget.BudgetExceededError` otherwise."""
    check_pdf(data)
    return call(data, *args)
