"""The one guard against spreadsheet formula injection, for every CSV and XLSX we write and
every text field a rule checks.

A cell is a formula risk when, after any leading white space (spaces, tabs, line breaks,
no-break spaces: spreadsheets skip them), it starts with ``=``, ``+``, ``-`` or ``@``, unless
the whole cell is a plain signed number (``-12.50``, ``+1,234``), or when it starts with a tab
or carriage return (and is not such a number). Defusing prefixes an apostrophe, which
spreadsheets show as text.

>>> [is_formula(t) for t in ("=1+1", " =1+1", "\\t@SUM(A1)", "-12.50", "-cmd", "Smith")]
[True, True, True, False, True, False]
>>> defuse('=HYPERLINK("x")'), defuse("-3.5")
('\\'=HYPERLINK("x")', '-3.5')
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import polars as pl

    FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

#: Starts a formula once leading white space is skipped, or starts with a control character.
FORMULA_START = r"^[\s\u00a0\u202f\u2007]*[=+\-@]|^[\t\r]"
#: A plain signed number: starts like a formula but is not one.
PLAIN_NUMBER = r"^\s*[+-]?(\d[\d,]*(\.\d*)?|\.\d+)\s*$"
_START = re.compile(FORMULA_START)
_PLAIN = re.compile(PLAIN_NUMBER)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula."""
    return bool(_START.search(text)) and not _PLAIN.match(text)


def defuse(text: str) -> str:
    """``text``, prefixed with an apostrophe when it is a formula risk."""
    return "'" + text if is_formula(text) else text


def formula_expr(column: str | pl.Expr) -> pl.Expr:
    """True where a text column holds a formula risk (null stays false)."""
    import polars as pl  # in the functions: the guard of single texts needs no Polars

    col = pl.col(column) if isinstance(column, str) else column
    return (col.str.contains(FORMULA_START) & ~col.str.contains(PLAIN_NUMBER)).fill_null(False)


def formula_safe(frame: FrameT) -> FrameT:
    """Every text cell of ``frame`` defused.

    Only the columns holding such a cell are rewritten; the others (nearly always all of
    them) pass through as they are, constant columns staying one value. A lazy frame stays
    lazy: only its text columns are read to find which hold a risk, so a large output can be
    streamed to its file afterwards.
    """
    import polars as pl

    text = [c for c, t in frame.collect_schema().items() if t == pl.String()]
    if not text:
        return frame
    probe = frame.select(formula_expr(c).any() for c in text)
    found = (probe.collect() if isinstance(probe, pl.LazyFrame) else probe).row(0)
    return frame.with_columns(
        pl.when(formula_expr(c)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c, hit in zip(text, found, strict=True)
        if hit
    )
