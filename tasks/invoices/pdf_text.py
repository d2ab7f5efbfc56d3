"""PDF text layer -> lines of cells, page by page (pdfplumber words with positions).

A *cell* is a run of words on one line separated by less than about one character height;
a wider gap starts a new cell. Labels and their values are then found cell by cell, which
works for "label: value" in one cell, a value in the next cell to the right, and a value in
the cell below its label.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from schemas.issue import Issue
from tasks.invoices.page_words import PageWords, Word, word_from_plumber


@dataclass(frozen=True)
class Cell:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    #: Font size of its largest word (0 when unknown), bold when any word is bold.
    size: float = 0.0
    bold: bool = False
    #: The reader's confidence in its words: 1.0 for a text layer, the lowest word's for OCR.
    confidence: float = 1.0

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class TextLine:
    cells: tuple[Cell, ...]

    @property
    def text(self) -> str:
        return "  ".join(c.text for c in self.cells)

    @property
    def top(self) -> float:
        return min(c.top for c in self.cells)

    @property
    def height(self) -> float:
        return max(c.height for c in self.cells)


@dataclass(frozen=True)
class PageText:
    number: int
    lines: tuple[TextLine, ...]
    width: float
    height: float
    images: int

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


def _cells(words: list[Word]) -> tuple[Cell, ...]:
    words = sorted(words, key=lambda w: w.x0)
    cells: list[Cell] = []
    run: list[Word] = []
    for w in words:
        if run and w.x0 - run[-1].x1 > max(4.0, 0.9 * run[-1].height):
            cells.append(_cell(run))
            run = []
        run.append(w)
    if run:
        cells.append(_cell(run))
    return tuple(cells)


def _cell(run: list[Word]) -> Cell:
    return Cell(
        text=" ".join(w.text for w in run),
        x0=run[0].x0,
        x1=run[-1].x1,
        top=min(w.top for w in run),
        bottom=max(w.bottom for w in run),
        size=max(w.size for w in run),
        bold=any(w.bold for w in run),
        confidence=min(w.confidence for w in run),
    )


def page_lines(
    words: list[Word] | list[dict[str, Any]], *, mean_top: bool = False
) -> tuple[TextLine, ...]:
    """Group words into lines by their vertical position: a word joins the line above when its
    top is within 0.4 of the line's first word's height of that word's top, or, with
    ``mean_top`` (OCR), of the mean top of the line's words: a box the detector placed half a
    line off (a telephone number beside a date) does not then take the line away from the
    words printed on it."""
    typed = [w if isinstance(w, Word) else word_from_plumber(w) for w in words]
    lines: list[list[Word]] = []
    for w in sorted(typed, key=lambda w: (round(w.top), w.x0)):
        if lines:
            last = lines[-1]
            tolerance = max(2.0, 0.4 * last[0].height)
            anchor = sum(x.top for x in last) / len(last) if mean_top else last[0].top
            if abs(w.top - anchor) <= tolerance:
                last.append(w)
                continue
        lines.append([w])
    return tuple(TextLine(_cells(group)) for group in lines)


def page_text(page: PageWords) -> PageText:
    """The lines and cells the finder reads, from a page's words (text layer or OCR)."""
    return PageText(
        number=page.number,
        lines=page_lines(list(page.words)),
        width=page.width,
        height=page.height,
        images=page.images,
    )


class PdfUnreadableError(Exception):
    """Raised inside this module only; callers get an :class:`Issue`."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _open(data: bytes) -> Any:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise PdfUnreadableError(
            Issue(
                code="INV-PDF-ENCRYPTED",
                message="The PDF is password protected; ask the sender for an unprotected copy.",
            )
        ) from exc
    except Exception as exc:  # pdfminer raises many types for broken files
        raise PdfUnreadableError(_broken(exc)) from exc


def _broken(exc: BaseException) -> Issue:
    # pdfplumber wraps pdfminer's errors: the real one is in args.
    inner = [exc, *(a for a in exc.args if isinstance(a, BaseException))]
    names = " ".join(type(e).__name__ for e in inner)
    name = type(inner[-1]).__name__
    if "Password" in names or "Encrypt" in names:
        return Issue(
            code="INV-PDF-ENCRYPTED",
            message="The PDF is password protected; ask the sender for an unprotected copy.",
        )
    return Issue(
        code="INV-PDF-UNREADABLE",
        message=(
            f"The PDF cannot be read ({name}); it may be truncated or damaged."
            " Ask the sender for a new copy."
        ),
    )


def read_pages(data: bytes, max_pages: int) -> Iterator[PageText]:
    """The lines of each page's text layer (see :func:`read_page_words`)."""
    for page in read_page_words(data, max_pages):
        yield page_text(page)


def read_page_words(data: bytes, max_pages: int) -> Iterator[PageWords]:
    """Yield the words of each page; raises :class:`PdfUnreadableError` for a file-level problem.

    Pages are read one at a time and their caches dropped, so memory stays flat however long
    the file; more than ``max_pages`` pages is refused up front.
    """
    pdf = _open(data)
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise PdfUnreadableError(_broken(exc)) from exc
        if count == 0:
            raise PdfUnreadableError(
                Issue(code="INV-PDF-UNREADABLE", message="The PDF has no pages.")
            )
        if count > max_pages:
            raise PdfUnreadableError(
                Issue(
                    code="INV-PDF-TOO-MANY-PAGES",
                    message=(
                        f"The PDF has {count} pages, more than the {max_pages} an invoice file may"
                        " have; split it into one file per invoice batch."
                    ),
                )
            )
        for number, page in enumerate(pdf.pages, start=1):
            try:
                # Rotated text (a margin note, a watermark running up the page) is not part of
                # the lines a reader follows; mixed into them it breaks labels apart.
                words = tuple(
                    word_from_plumber(w)
                    for w in page.extract_words(
                        keep_blank_chars=False, extra_attrs=["upright", "size", "fontname"]
                    )
                    if w.get("upright", True)
                )
                yield PageWords(
                    number=number,
                    width=float(page.width),
                    height=float(page.height),
                    words=words,
                    images=len(page.images),
                )
            except PdfUnreadableError:
                raise
            except Exception as exc:
                raise PdfUnreadableError(_broken(exc)) from exc
            finally:
                page.close()
