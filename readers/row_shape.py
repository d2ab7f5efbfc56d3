"""Where the table starts and which rows do not fit its header.

Clients put title lines above the header (``Payroll register, March 2026``), leave a quote
open, switch delimiter half-way or write an unquoted comma in a name (``E1,Smith, John,...``).
None of that may cost the rest of the file: the header is the first line with the width most
lines of the head share; a row whose field count differs from the header's is kept as a row of
the table (padded or cut to the header's width) and marked with a ``ROW_SHAPE`` note, so it goes
to review while the other rows are processed.

Checking costs one vectorised pass over the lines; only a file that has such rows is parsed
again row by row (Python's ``csv``, which tolerates what a strict reader refuses).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

import polars as pl

#: Column of a table's frame with a note for each row whose shape does not fit the header.
ROW_SHAPE = "__row_shape"
DELIMITERS = (",", ";", "\t", "|")
#: Lines of the head looked at to find the header; lines a quoted value may span.
_HEAD_LINES = 30
_MAX_SPAN = 50
#: How much of a ragged row's text a note keeps (a 30 MB line is not copied into messages).
_NOTE_CHARS = 200
_LONG_DIGITS = re.compile(r"\d{5,}")


@dataclass(frozen=True)
class HeaderLine:
    """The header row: its line index, byte offset of the line after it, delimiter, cells."""

    index: int
    body_start: int
    delimiter: str
    cells: list[str]


def _fields(line: str, delimiter: str) -> list[str]:
    """The cells of one record (a lone CR inside it, as old Mac files end lines, included)."""
    try:
        reader = csv.reader(io.StringIO(line, newline=""), delimiter=delimiter, strict=False)
        return next(reader, [])
    except csv.Error:
        return [line]


def find_header(head: str) -> HeaderLine | None:
    """The header line of delimited ``head`` text, skipping title lines above it.

    The delimiter is the one that splits at least half the lines of the head into the same
    number of fields (at least two), the most fields when several do; the header is the
    first line of that width. None when the head has no non-blank line.
    """
    lines = head.split("\n")
    candidates = [(i, ln.rstrip("\r")) for i, ln in enumerate(lines) if ln.strip()][:_HEAD_LINES]
    if not candidates:
        return None
    best: tuple[bool, int, int, int] | None = None
    chosen = (",", 1)
    for rank, d in enumerate(DELIMITERS):
        widths = Counter(len(_fields(ln, d)) for _, ln in candidates)
        wide = {w: n for w, n in widths.items() if w >= 2}
        if not wide:
            continue
        width, count = max(wide.items(), key=lambda wn: (wn[1], wn[0]))
        # Shared by at least half the lines, the widest wins: ``;`` inside values of a comma
        # file (``E11.65;I10``) splits every row the same way too, but into fewer fields.
        score = (2 * count >= len(candidates), width, count, -rank)
        if best is None or score > best:
            best, chosen = score, (d, width)
    delimiter, width = chosen
    index, line = next(
        ((i, ln) for i, ln in candidates if len(_fields(ln, delimiter)) == width), candidates[0]
    )
    body_start = sum(len(ln.encode("utf-8")) + 1 for ln in lines[: index + 1])
    return HeaderLine(index, body_start, delimiter, _fields(line, delimiter))


def counts_fit(rows: bytes, delimiter: str, width: int) -> bool:
    """Whether ``rows`` (no quote in them, no blank line but at the ends) hold exactly
    ``width - 1`` delimiters per line in total: with no line holding more (a strict reader
    refuses those), every line then has exactly ``width`` fields. Byte counts only; False
    sends the file to :func:`line_fit`.
    """
    if b'"' in rows:
        return False
    body = rows.strip(b"\r\n")  # blank lines elsewhere fail the count: the exact check runs
    if not body:
        return True
    lines = body.count(b"\n") + 1
    return body.count(delimiter.encode("utf-8")) == (width - 1) * lines


def line_fit(rows: bytes, delimiter: str, width: int) -> pl.DataFrame | None:
    """Per non-blank line of ``rows`` (UTF-8 without control characters): its index ``n``,
    its text and whether it has ``width`` fields (``fits``). None when a line leaves a quote
    open (a quoted value spanning lines, or a quote never closed): then lines are not records.

    Polars splits the lines (on a unit separator, which text never holds, and no quoting);
    delimiters are counted per line, after removing quoted values only on lines with a quote.
    """
    lines = pl.read_csv(
        rows,
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["line"],
        infer_schema_length=0,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    if lines.width == 0:
        return pl.DataFrame(schema={"n": pl.UInt32, "line": pl.String, "fits": pl.Boolean})
    frame = lines.with_row_index("n").filter(pl.col("line").str.strip_chars() != "")
    line = pl.col("line")
    if b'"' in rows:
        quoted = line.str.contains('"', literal=True)
        open_quote = frame.select(
            (line.filter(quoted).str.count_matches('"', literal=True) % 2 == 1).any()
        ).item()
        if open_quote:
            return None
        line = pl.when(quoted).then(line.str.replace_all('"[^"]*"', "")).otherwise(line)
    return frame.with_columns(
        (line.str.count_matches(delimiter, literal=True) == width - 1).alias("fits")
    )


def mixed_rows(lines: pl.DataFrame, delimiter: str, width: int, first_line: int) -> pl.DataFrame:
    """The rows of ``lines`` (as :func:`line_fit` gives them, some not fitting) in file order:
    the fitting ones read by Polars in one pass, the others one by one with a note."""
    good = lines.filter(pl.col("fits"))
    names = [f"c{k}" for k in range(width)]
    if good.height:
        text = good.select(pl.col("line").str.join("\n")).item() + "\n"
        read = pl.read_csv(
            text.encode("utf-8"),
            separator=delimiter,
            infer_schema_length=0,
            has_header=False,
            quote_char='"',
            new_columns=names,
        )
        read = read.with_columns(good.get_column("n"), pl.lit(None, pl.String).alias(ROW_SHAPE))
    else:
        read = pl.DataFrame(
            schema={**dict.fromkeys(names, pl.String), "n": pl.UInt32, ROW_SHAPE: pl.String}
        )
    bad = [(n, line) for n, line in lines.filter(~pl.col("fits")).select("n", "line").iter_rows()]
    odd = _rows_of(bad, delimiter, width, first_line)
    return pl.concat([read.select(*names, "n", ROW_SHAPE), odd]).sort("n").drop("n")


def _rows_of(
    lines: list[tuple[int, str]], delimiter: str, width: int, first_line: int
) -> pl.DataFrame:
    columns: list[list[str | None]] = [[] for _ in range(width)]
    index: list[int] = []
    notes: list[str | None] = []
    for n, line in lines:
        fields = _fields(line, delimiter)
        if not any(f.strip() for f in fields):
            continue  # only delimiters and spaces: a blank row, whatever its width
        cells: list[str | None] = [*fields, *([None] * width)][:width]
        for col, value in zip(columns, cells, strict=True):
            col.append(value or None)
        index.append(n)
        notes.append(_note(first_line + n, len(fields), width, line, False))
    frame = {f"c{k}": pl.Series(col, dtype=pl.String) for k, col in enumerate(columns)}
    frame["n"] = pl.Series(index, dtype=pl.UInt32)
    frame[ROW_SHAPE] = pl.Series(notes, dtype=pl.String)
    return pl.DataFrame(frame)


def mask_row_text(text: str) -> str:
    """A ragged row as a reviewer may see it: digit runs of five or more (accounts, routing
    numbers, member ids) starred but their last four, at most 200 characters."""
    cut = text[:_NOTE_CHARS]
    masked = _LONG_DIGITS.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], cut)
    return masked + ("..." if len(text) > _NOTE_CHARS else "")


def _note(line_no: int, found: int, width: int, text: str, unterminated: bool) -> str:
    if unterminated:
        why = "a quote opened in this line is never closed"
    elif found > width:
        why = f"{found} fields where the header has {width} (an unquoted delimiter in a value?)"
    else:
        why = f"{found} fields where the header has {width} (a value or delimiter missing?)"
    return f"Line {line_no}: {why}. Row as sent: {mask_row_text(text)}"


def tolerant_rows(text: str, delimiter: str, width: int, first_line: int) -> pl.DataFrame:
    """Every record of ``text`` as ``c0..c{width-1}`` strings plus :data:`ROW_SHAPE`.

    ``first_line`` is the 1-based line number of the first line of ``text`` in the file. A
    quoted value may span up to 50 lines; a quote never closed is a note on its own line,
    and the lines after it are read as rows of their own.
    """
    lines = text.split("\n")
    columns: list[list[str | None]] = [[] for _ in range(width)]
    notes: list[str | None] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        if not line.strip():
            i += 1
            continue
        end, unterminated = i + 1, False
        quotes = line.count('"')
        while quotes % 2 and end < len(lines) and end - i < _MAX_SPAN:
            quotes += lines[end].count('"')
            end += 1
        if quotes % 2:
            end, unterminated = i + 1, True
        record = line if end == i + 1 else "\n".join(ln.rstrip("\r") for ln in lines[i:end])
        fields = _fields(record, delimiter)
        found = len(fields)
        if not any(f.strip() for f in fields) and not unterminated:
            i = end  # only delimiters and spaces: a blank row, whatever its width
            continue
        ragged = unterminated or found != width
        cells: list[str | None] = [*fields, *([None] * width)][:width]
        for col, value in zip(columns, cells, strict=True):
            col.append(value or None)
        notes.append(_note(first_line + i, found, width, record, unterminated) if ragged else None)
        i = end
    frame = {f"c{k}": pl.Series(col, dtype=pl.String) for k, col in enumerate(columns)}
    frame[ROW_SHAPE] = pl.Series(notes, dtype=pl.String)
    return pl.DataFrame(frame)
