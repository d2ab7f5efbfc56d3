"""The cell budget of delimited text (``max_cell_chars``), checked before the table is read.

A cell of 50 MB (a stray quote, a script that wrote a blob into a column) makes every later
step slow: Polars reads it, the row checks split it, the rules look at it. So before anything
is parsed the longest run of bytes between two delimiters or line ends is measured, a chunk
at a time with NumPy (a pass over the bytes, no Python loop per byte). UTF-8 spends at most
four bytes a character, so a run over four times the budget is a cell over it, refused at
once; a quoted cell that holds delimiters or line breaks is measured, in characters, on the
table once read (:func:`check_table_cells`).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from readers.budget import active_limits, exceeded

#: The most bytes one character takes in UTF-8 (the text is UTF-8 once decoded).
_UTF8_MAX = 4
_CHUNK = 16 * 1024 * 1024
_WHAT = "The longest cell of the table, in characters"


def longest_run(data: bytes, delimiter: str, *, stop_above: int | None = None) -> int:
    """Bytes of the longest run of ``data`` without ``delimiter`` or a line end (``\\n``,
    ``\\r``); counting may stop once a run is longer than ``stop_above``."""
    marks_of = [10, 13, *delimiter.encode()[:1]]
    view = np.frombuffer(data, dtype=np.uint8)
    longest, last, end = 0, -1, 0
    for start in range(0, len(view), _CHUNK):
        part = view[start : start + _CHUNK]
        end = start + len(part)
        marks = np.flatnonzero(np.isin(part, marks_of))
        if marks.size:
            longest = max(longest, int(marks[0]) + start - last - 1)
            if marks.size > 1:
                longest = max(longest, int(np.diff(marks).max()) - 1)
            last = int(marks[-1]) + start
        if stop_above is not None and max(longest, end - last - 1) > stop_above:
            break
    return max(longest, end - last - 1)


def check_field_bytes(rows: bytes, delimiter: str) -> None:
    """Refuse delimited text holding a run of bytes no cell within the budget could take."""
    limit = active_limits().max_cell_chars
    if longest_run(rows, delimiter, stop_above=limit * _UTF8_MAX) > limit * _UTF8_MAX:
        raise exceeded("max_cell_chars", limit + 1, _WHAT, at_least=True)


def check_table_cells(frame: pl.DataFrame, columns: list[str]) -> None:
    """Refuse a table read from text when one of its cells is over the budget."""
    if not columns or frame.height == 0:
        return
    longest = frame.select(
        pl.max_horizontal(pl.col(c).str.len_chars().max() for c in columns)
    ).item()
    limit = active_limits().max_cell_chars
    if longest is not None and longest > limit:
        raise exceeded("max_cell_chars", int(longest), _WHAT)
