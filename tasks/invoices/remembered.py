"""The finder's hook for remembered positions: where a reviewer found a field last time.

A supplier's memory (built elsewhere from reviewers' corrections) hands the finder a list of
:class:`RememberedPosition`; each one that still finds a value of the right type on the new
invoice becomes a candidate with a high prior (``source="memory"``), which the finder prefers
to what labels alone propose. A position that finds nothing adds nothing: a changed layout
falls back to the labels, never to an empty or made-up value.

Boxes are fractions of the page (0..1), so a template printed on A4 or Letter matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tasks.invoices.labels import fold
from tasks.invoices.pdf_fields import Found, value_of
from tasks.invoices.pdf_text import Cell, PageText

#: Confidence of a value found where a reviewer put it on the same supplier's template.
PRIOR = 0.97


@dataclass(frozen=True)
class RememberedPosition:
    field: str
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    #: The folded label printed left of or above the value, when there was one.
    label: str | None = None
    #: Where it was learned (``review item 42``), shown to reviewers.
    origin: str = ""


def _overlap(cell: Cell, page: PageText, pos: RememberedPosition) -> float:
    w, h = page.width or 1.0, page.height or 1.0
    x = min(cell.x1 / w, pos.x1) - max(cell.x0 / w, pos.x0)
    y = min(cell.bottom / h, pos.bottom) - max(cell.top / h, pos.top)
    return x * y if x > 0 and y > 0 else 0.0


def remembered_candidates(
    positions: Sequence[RememberedPosition], pages: Sequence[PageText]
) -> list[Found]:
    """A candidate per remembered position whose box, on the new invoice, holds a value of
    the field's type (the best-overlapping cell; with a label, the cell after that label)."""
    out: list[Found] = []
    for pos in positions:
        page = next((p for p in pages if p.number == pos.page), None)
        if page is None:
            continue
        best: tuple[float, Cell, str] | None = None
        for line in page.lines:
            for k, cell in enumerate(line.cells):
                if pos.label and fold(cell.text).startswith(pos.label) and k + 1 < len(line.cells):
                    target = line.cells[k + 1]
                    value = value_of(pos.field, target.text)
                    if value is not None:
                        best = (2.0, target, value)  # the label still names it: take it
                        break
                share = _overlap(cell, page, pos)
                if share > 0 and (best is None or share > best[0]):
                    value = value_of(pos.field, cell.text)
                    if value is not None:
                        best = (share, cell, value)
            if best is not None and best[0] == 2.0:
                break
        if best is not None:
            _, cell, value = best
            out.append(
                Found(
                    pos.field,
                    value,
                    PRIOR * cell.confidence,
                    page.number,
                    source="memory",
                    context=pos.origin,
                    top=cell.top,
                    x0=cell.x0,
                )
            )
    return out
