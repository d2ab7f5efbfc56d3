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


@dataclass(frozen=True)
class Cell:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

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


def _cells(words: list[dict[str, Any]]) -> tuple[Cell, ...]:
    words = sorted(words, key=lambda w: float(w["x0"]))
    cells: list[Cell] = []
    run: list[dict[str, Any]] = []
    for w in words:
        if run:
            height = float(run[-1]["bottom"]) - float(run[-1]["top"])
            if float(w["x0"]) - float(run[-1]["x1"]) > max(4.0, 0.9 * height):
                cells.append(_cell(run))
                run = []
        run.append(w)
    if run:
        cells.append(_cell(run))
    return tuple(cells)


def _cell(run: list[dict[str, Any]]) -> Cell:
    return Cell(
        text=" ".join(str(w["text"]) for w in run),
        x0=float(run[0]["x0"]),
        x1=float(run[-1]["x1"]),
        top=min(float(w["top"]) for w in run),
        bottom=max(float(w["bottom"]) for w in run),
    )


def page_lines(words: list[dict[str, Any]]) -> tuple[TextLine, ...]:
    """Group words into lines by their vertical position."""
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (round(float(w["top"])), float(w["x0"]))):
        if lines:
            last = lines[-1]
            tolerance = max(2.0, 0.4 * (float(last[0]["bottom"]) - float(last[0]["top"])))
            if abs(float(w["top"]) - float(last[0]["top"])) <= tolerance:
                last.append(w)
                continue
        lines.append([w])
    return tuple(TextLine(_cells(group)) for group in lines)


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
    """Yield the text of each page; raises :class:`PdfUnreadableError` for a file-level problem.

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
                words = [
                    w
                    for w in page.extract_words(keep_blank_chars=False, extra_attrs=["upright"])
                    if w.get("upright", True)
                ]
                images = len(page.images)
                yield PageText(
                    number=number,
                    lines=page_lines(words),
                    width=float(page.width),
                    height=float(page.height),
                    images=images,
                )
            except PdfUnreadableError:
                raise
            except Exception as exc:
                raise PdfUnreadableError(_broken(exc)) from exc
            finally:
                page.close()
