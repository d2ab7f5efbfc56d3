"""The cell budget of delimited text (``max_cell_chars``), checked before the table is read.

A cell of 50 MB (a stray quote, a script that wrote a blob into a column) makes every later
step slow: Polars reads it, the row checks split it, the rules look at it. So before anything
is parsed the longest run of bytes between two delimiters or line ends is measured, a chunk
at a time with NumPy (a pass over the bytes, no Python loop per byte; positions are listed
only when some block of the text holds no delimiter or line end at all). UTF-8 spends at most
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
    marks_of = [10, 13, *delimiter.encode()[:1]]  # ``\n``, ``\r``, the delimiter
    view = np.frombuffer(data, dtype=np.uint8)
    longest, last, end = 0, -1, 0
    for start in range(0, len(view), _CHUNK):
        part = view[start : start + _CHUNK]
        end = start + len(part)
        marks = np.flatnonzero(_marks(part, marks_of))
        if marks.size:
            longest = max(longest, int(marks[0]) + start - last - 1)
            if marks.size > 1:
                longest = max(longest, int(np.diff(marks).max()) - 1)
            last = int(marks[-1]) + start
        if stop_above is not None and max(longest, end - last - 1) > stop_above:
            break
    return max(longest, end - last - 1)


def _marks(part: np.ndarray, marks_of: list[int]) -> np.ndarray:
    """Where ``part`` holds one of the bytes ``marks_of``."""
    is_mark: np.ndarray = np.equal(part, marks_of[0])
    for byte in marks_of[1:]:
        is_mark |= part == byte  # a comparison per byte value: far cheaper than np.isin
    return is_mark


def may_hold_run(data: bytes, delimiter: str, longer_than: int) -> bool:
    """False when ``data`` certainly holds no run longer than ``longer_than`` bytes without
    a delimiter or line end: a run that long covers a whole aligned block of half its length,
    and every block holds a mark (no positions are listed: a cheap pass for ordinary text)."""
    block = max(1, longer_than // 2)
    marks_of = [10, 13, *delimiter.encode()[:1]]
    view = np.frombuffer(data, dtype=np.uint8)
    step = block * max(1, _CHUNK // block)
    for start in range(0, len(view), step):
        part = view[start : start + step]
        whole = len(part) - len(part) % block
        if whole and not _marks(part[:whole], marks_of).reshape(-1, block).any(axis=1).all():
            return True
    return False


def check_field_bytes(rows: bytes, delimiter: str) -> None:
    """Refuse delimited text holding a run of bytes no cell within the budget could take."""
    limit = active_limits().max_cell_chars * _UTF8_MAX
    if not may_hold_run(rows, delimiter, limit):
        return
    if longest_run(rows, delimiter, stop_above=limit) > limit:
        raise exceeded("max_cell_chars", active_limits().max_cell_chars + 1, _WHAT, at_least=True)


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
