"""PDF pages for a person to look at: their sizes, a page as a PNG image, and the words
printed on it with their boxes. A scanned image (PNG, JPEG, TIFF) is shown the same way, one
page per frame, in the points the OCR reader gives its words.

Coordinates are pdfplumber's: PDF points from the page's top-left corner, the convention the
invoice readers report field positions in, so a box from extraction and a box found here land
on the same spot of the image. pdfium is not thread-safe: every call into it holds one lock.

The review pages call these in a reading child under the client's budgets, through
:func:`within_budget`: the document's budget pre-scan first, then the call.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pdfplumber
import pypdfium2 as pdfium  # type: ignore[import-untyped]

from readers.pdf_budget import check_pdf
from schemas.file_magic import image_kind

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


def _image_frames(data: bytes) -> Iterator[Any]:
    """Each page of a PNG, JPEG or TIFF upright, with its scale in points per pixel (the OCR
    reader's, so its boxes land on the image), up to ``MAX_PAGES``; pixels are decoded when
    a frame is used, so sizes alone cost a header read."""
    from PIL import Image, ImageOps

    from readers.ocr import MAX_PIXELS, points_per_pixel

    try:
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
            for index in range(min(frames, MAX_PAGES)):
                image.seek(index)
                if image.width * image.height > MAX_PIXELS:
                    raise PdfPagesError("the image is too large to show")
                upright = ImageOps.exif_transpose(image)
                yield upright, points_per_pixel(image, upright.width)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PdfPagesError(f"the image cannot be decoded ({type(exc).__name__})") from None


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    """``(width, height)`` in points of each page (at most ``MAX_PAGES``); an image's pages
    (PNG, JPEG, TIFF frames) at the scale the OCR reader gives them."""
    if image_kind(data) is not None:
        return [(im.width * s, im.height * s) for im, s in _image_frames(data)]
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
    """Page ``page`` (0-based) as a PNG image (of a scanned image: as many pixels as a PDF
    page of its size at ``scale``)."""
    if image_kind(data) is not None:
        for index, (frame, points) in enumerate(_image_frames(data)):
            if index == page:
                shown = frame.convert("RGB")
                factor = points * scale
                if factor < 1:
                    shown = shown.resize(
                        (max(1, round(shown.width * factor)), max(1, round(shown.height * factor)))
                    )
                out = io.BytesIO()
                shown.save(out, format="PNG", optimize=False)
                return out.getvalue()
        raise PdfPagesError(f"no page {page + 1}")
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
    :class:`readers.budget.BudgetExceededError` otherwise. A scanned image has no such scan:
    its frames are bounded by the OCR reader's pixel limit as they are decoded."""
    if image_kind(data) is None:
        check_pdf(data)
    return call(data, *args)
