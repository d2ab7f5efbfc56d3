"""Reading budgets as the readers see them: the limits in force and the error that stops a read.

The reader of a file runs under one :class:`schemas.limits.ReadingLimits` (the client's). The
readers deep inside a document type (the XLSX guard, the PDF pre-scan, the X12 tokenizer) find
it with :func:`active_limits`, set for the duration of a read by :func:`reading_under`, so a
budget is checked where the bytes are, before anything big is built. A read over budget raises
:class:`BudgetExceededError`, which names the budget and the figure; the extraction step turns it
into the file's answer (``FILE-TOO-LARGE`` or ``FILE-TOO-COMPLEX``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from schemas.limits import ReadingLimits

#: Over a size budget (bytes, rows, cells, pages, memory): the client can split the file.
TOO_LARGE = "FILE-TOO-LARGE"
#: Over a complexity budget (operators, depth, CPU or wall time): the file is built oddly.
TOO_COMPLEX = "FILE-TOO-COMPLEX"

_LIMITS: ContextVar[ReadingLimits | None] = ContextVar("reading_limits", default=None)


class BudgetExceededError(Exception):
    """A read went past one of its budgets; ``code`` is the file issue's reason code."""

    def __init__(self, code: str, budget: str, figure: str, limit: str, what: str) -> None:
        super().__init__(f"{what}: {figure}, over the budget {budget} = {limit}")
        self.code = code
        self.budget = budget
        self.figure = figure
        self.limit = limit
        self.what = what

    @property
    def message(self) -> str:
        """What a person reads in the quarantine reason and the receipt."""
        advice = (
            "split the file or ask for the limit to be raised for this client"
            if self.code == TOO_LARGE
            else "the file is built unlike any document of its kind; ask the sender to export"
            " it again"
        )
        return (
            f"{self.what} ({self.figure}) is over the reading budget {self.budget} "
            f"({self.limit}); nothing was read: {advice}."
        )

    def __reduce__(self) -> tuple[type[BudgetExceededError], tuple[str, str, str, str, str]]:
        return (BudgetExceededError, (self.code, self.budget, self.figure, self.limit, self.what))


def active_limits() -> ReadingLimits:
    """The budgets of the read in progress (the defaults outside :func:`reading_under`)."""
    return _LIMITS.get() or ReadingLimits()


@contextmanager
def reading_under(limits: ReadingLimits) -> Iterator[ReadingLimits]:
    """Make ``limits`` the budgets of every reader called inside the block."""
    token = _LIMITS.set(limits)
    try:
        yield limits
    finally:
        _LIMITS.reset(token)


def bytes_text(n: int) -> str:
    """``1048576`` -> ``"1.0 MiB"``: figures a person reads."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover - the loop always returns


def check(value: int, budget: str, what: str, *, at_least: bool = False) -> None:
    """Raise when ``value`` is over the active budget named ``budget`` (a ``max_*`` field).

    ``at_least``: the figure is a lower bound (counting stopped at the budget), said so.
    """
    limit = getattr(active_limits(), budget)
    if value <= limit:
        return
    raise exceeded(budget, value, what, at_least=at_least)


def exceeded(budget: str, value: int, what: str, *, at_least: bool = False) -> BudgetExceededError:
    """The error for ``value`` past the active budget ``budget``."""
    limit = getattr(active_limits(), budget)
    sized = budget.endswith("_bytes")
    figure = bytes_text(value) if sized else f"{value:,}"
    if at_least:
        figure = f"more than {bytes_text(limit) if sized else f'{limit:,}'}"
    code = TOO_COMPLEX if budget in _COMPLEXITY else TOO_LARGE
    return BudgetExceededError(
        code, budget, figure, bytes_text(limit) if sized else f"{limit:,}", what
    )


def file_too_large(
    size: int, limits: ReadingLimits, *, at_least: bool = False
) -> BudgetExceededError:
    """The error for a file of ``size`` bytes over ``limits.max_file_bytes`` (``at_least``:
    the read stopped past the budget, the file may be larger still)."""
    with reading_under(limits):
        return exceeded("max_file_bytes", size, "The file's size", at_least=at_least)


_COMPLEXITY = frozenset(
    {"max_operators_per_page", "max_xml_depth", "max_cpu_seconds", "max_wall_seconds"}
)
