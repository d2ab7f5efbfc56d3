"""The finder's input: the words of each page with their boxes, whatever read them.

A text-layer PDF gives its words through pdfplumber; a scan gives them through OCR. Both are
turned into :class:`PageWords` (one per page), and the field finder only ever sees these, so a
scanned invoice is read by the same rules as a printed one. The fields mirror pdfplumber's word
dict (``text, x0, x1, top, bottom, size, fontname``) plus a ``confidence`` in [0, 1] that OCR
sets (a text layer is certain: 1.0). Coordinates are PDF points from the page's top-left.

>>> w = word_from_plumber({"text": "Total", "x0": 10, "x1": 40, "top": 5, "bottom": 15,
...                        "size": 10, "fontname": "ABCDEE+Helvetica-Bold"})
>>> (w.text, w.height, w.bold, w.confidence)
('Total', 10.0, True, 1.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Word:
    """One word on a page, as a reader of the page sees it."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 0.0
    fontname: str = ""
    #: 1.0 for a text layer; the recogniser's own score for OCR words.
    confidence: float = 1.0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def bold(self) -> bool:
        name = self.fontname.lower()
        return any(w in name for w in ("bold", "black", "heavy", "semibold", "demi"))


@dataclass(frozen=True)
class PageWords:
    """The words of one page (1-based ``number``) and the page's size in points."""

    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    #: Images drawn on the page (a page with images and no words needs OCR).
    images: int = 0
    #: ``"text"`` (the PDF's text layer) or ``"ocr"``.
    reader: str = "text"


def word_from_plumber(w: Mapping[str, Any], confidence: float = 1.0) -> Word:
    """A pdfplumber word dict (``extract_words(extra_attrs=["size", "fontname"])``) as a
    :class:`Word`; OCR readers that build the same dict pass their ``confidence``."""
    return Word(
        text=str(w["text"]),
        x0=float(w["x0"]),
        x1=float(w["x1"]),
        top=float(w["top"]),
        bottom=float(w["bottom"]),
        size=float(w.get("size") or 0.0),
        fontname=str(w.get("fontname") or ""),
        confidence=float(w.get("confidence", confidence)),
    )
