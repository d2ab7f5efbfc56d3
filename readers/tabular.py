"""Turning client bytes into text and a table of strings, whatever Excel or a script wrote.

Handles a UTF-8 BOM, cp1252 bytes, any of ``, ; TAB |`` as the delimiter, and XLSX workbooks
(every sheet is looked at). Values stay strings here: typing is the rules' job, so one bad cell
flags its row, never the batch.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

import polars as pl

from readers.csv_budget import check_field_bytes, check_table_cells
from readers.row_shape import (
    ROW_SHAPE,
    HeaderLine,
    counts_fit,
    find_header,
    line_fit,
    mixed_rows,
    tolerant_rows,
)
from readers.text_encoding import DecodedText, UndecodableError, decode_table_bytes
from readers.xlsx_budget import check_cell_chars, check_workbook

_XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RawTable:
    """A table of strings plus what we learnt reading it."""

    frame: pl.DataFrame
    header: list[str]
    meta: dict[str, object] = field(default_factory=dict)


class TableError(ValueError):
    """The bytes are not a table we can read; ``code`` is the file issue's reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _polars_strings(
    body: bytes, delimiter: str, width: int, *, strict: bool = False
) -> pl.DataFrame:
    return pl.read_csv(
        body,
        separator=delimiter,
        infer_schema_length=0,
        has_header=False,
        truncate_ragged_lines=not strict,
        quote_char='"',
        new_columns=[f"c{i}" for i in range(width)],
    )


def read_csv_strings(data: bytes) -> RawTable:
    """Read delimited text as all-string columns, with the header as written.

    Title lines above the header are skipped (``meta["title_lines"]``); rows that do not fit
    the header carry a note in the :data:`~readers.row_shape.ROW_SHAPE` column (see
    :mod:`readers.row_shape`). UTF-8 bytes go to Polars as they are (Polars checks the
    encoding while it reads); only when that fails are they decoded here, as Windows-1252 or
    refused with the offset of the first byte no accepted encoding reads.
    """
    if looks_binary(data):
        nul = data.index(b"\x00")
        raise TableError(
            "FILE-NOT-TABULAR",
            f"The file is binary (a NUL byte at byte offset {nul}), not a CSV or XLSX table.",
        )
    try:
        return _read_text(_decoded(data, check_utf8=False))
    except (pl.exceptions.ComputeError, UnicodeDecodeError):
        decoded = _decoded(data, check_utf8=True)
        if decoded.encoding.startswith("utf-8"):  # pragma: no cover - polars and Python disagree
            raise TableError("FILE-MALFORMED", "The file is not a readable table.") from None
        return _read_text(decoded)


def _decoded(data: bytes, *, check_utf8: bool) -> DecodedText:
    try:
        return decode_table_bytes(data, check_utf8=check_utf8)
    except UndecodableError as exc:
        raise TableError(
            "FILE-ENCODING",
            f"The file is not text in UTF-8, UTF-16 or Windows-1252: {exc}. Export it again"
            " as CSV (UTF-8).",
        ) from exc


def _read_text(decoded: DecodedText) -> RawTable:
    body = decoded.body
    found = find_header(body[:65536].decode("utf-8", "replace"))
    if found is None:
        raise TableError("FILE-EMPTY", "The file has no content (only blank lines).")
    width, delimiter = len(found.cells), found.delimiter
    rows = body[found.body_start :]
    check_field_bytes(rows, delimiter)
    frame = None
    if counts_fit(rows, delimiter, width):
        try:  # strict: a line with a field too many raises, so none has one too few
            frame = _polars_strings(rows, delimiter, width, strict=True)
        except pl.exceptions.NoDataError:
            frame = pl.DataFrame(schema={f"c{i}": pl.String for i in range(width)})
        except pl.exceptions.PolarsError:
            frame = None
    if frame is not None:
        return _table(frame, found, decoded, width)
    lines = line_fit(rows, delimiter, width)
    if lines is not None and lines.get_column("fits").all():
        try:
            frame = _polars_strings(rows, delimiter, width)
        except pl.exceptions.NoDataError:
            frame = pl.DataFrame(schema={f"c{i}": pl.String for i in range(width)})
        except pl.exceptions.PolarsError:  # what the line check did not see: read row by row
            frame = None
    elif lines is not None:
        try:  # the fitting lines in one Polars pass, the others one by one
            frame = mixed_rows(lines, delimiter, width, found.index + 2)
        except pl.exceptions.PolarsError:
            frame = None
    if frame is None:
        frame = tolerant_rows(rows.decode("utf-8"), delimiter, width, found.index + 2)
    return _table(frame, found, decoded, width)


def _table(frame: pl.DataFrame, found: HeaderLine, decoded: DecodedText, width: int) -> RawTable:
    if frame.width < width:  # polars drops trailing all-missing columns on some inputs
        frame = frame.with_columns(
            pl.lit(None, pl.String).alias(f"c{i}") for i in range(frame.width, width)
        )
    if ROW_SHAPE not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(ROW_SHAPE))
    frame = frame.select(*(f"c{i}" for i in range(width)), ROW_SHAPE)
    check_table_cells(frame, [f"c{i}" for i in range(width)])
    frame = _without_blank_rows(frame)
    meta: dict[str, object] = {
        "format": "csv",
        "encoding": decoded.encoding,
        "delimiter": found.delimiter,
    }
    if found.index:
        meta["title_lines"] = found.index
    return RawTable(frame=frame, header=[h.strip() for h in found.cells], meta=meta)


def _without_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop rows that are entirely empty (trailing blank lines written by spreadsheets).

    Only a row whose first cell is blank can be blank, so the other cells are looked at only
    when the first column has such a row (checking every cell of a million rows costs more
    than reading them).
    """
    cells = [c for c in frame.columns if c != ROW_SHAPE]
    if not cells or frame.height == 0:
        return frame
    first = pl.col(cells[0])
    if not frame.select((first.is_null() | (first.str.strip_chars() == "")).any()).item():
        return frame
    blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in cells
    )
    if ROW_SHAPE in frame.columns:
        blank = blank & pl.col(ROW_SHAPE).is_null()
    return frame.filter(~blank)


def named_frame(table: RawTable) -> pl.DataFrame:
    """The table's frame with its header as column names (a repeated name gets
    ``_duplicated_<n>``, an empty one ``column_<position>``) and its ``ROW_SHAPE`` column."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(table.header):
        name = cell or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_duplicated_{seen[name] - 1}"
        else:
            seen[name] = 0
        names.append(name)
    frame = table.frame.rename({f"c{i}": n for i, n in enumerate(names)})
    if ROW_SHAPE not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(ROW_SHAPE))
    return frame


def is_xlsx(data: bytes) -> bool:
    return data.startswith(_XLSX_MAGIC)


def read_xlsx_sheets(data: bytes) -> list[tuple[str, RawTable]]:
    """Every sheet of a workbook as a string table (first non-empty row is the header).

    The workbook is first streamed through the reading budgets (unpacked bytes, rows, cells:
    :func:`readers.xlsx_budget.check_workbook`), so a zip bomb stops before the XLSX reader
    materialises it; over a budget raises :class:`readers.budget.BudgetExceededError`.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if (
                "EncryptionInfo" in zf.namelist()
            ):  # pragma: no cover - encrypted OOXML is OLE, not zip
                raise TableError("FILE-ENCRYPTED", "The workbook is password-protected.")
            check_workbook(zf)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise TableError(
            "FILE-MALFORMED", "The file looks like XLSX but the archive is broken."
        ) from exc
    except NotImplementedError as exc:  # a compression method zipfile does not know
        raise TableError("FILE-MALFORMED", f"The workbook cannot be read: {exc}") from exc
    try:
        sheets = pl.read_excel(
            io.BytesIO(data), sheet_id=0, has_header=False, infer_schema_length=0
        )
    except Exception as exc:  # fastexcel raises its own exception types for broken workbooks
        raise TableError("FILE-MALFORMED", f"The workbook cannot be read: {exc}") from exc
    out = []
    for name, sheet in sheets.items():
        sheet = sheet.select(pl.all().cast(pl.String))
        if sheet.width:
            longest = sheet.select(pl.max_horizontal(pl.all().str.len_chars().max())).item()
            check_cell_chars(int(longest or 0))
        sheet = sheet.filter(~pl.all_horizontal(pl.all().is_null()))
        if sheet.height == 0:
            continue
        header = [("" if v is None else str(v)).strip() for v in sheet.row(0)]
        body = sheet.slice(1)
        body = body.rename({c: f"c{i}" for i, c in enumerate(body.columns)})
        out.append(
            (name, RawTable(frame=body, header=header, meta={"format": "xlsx", "sheet": name}))
        )
    return out


_NORMALISE = re.compile(r"[^0-9a-z]+")


def normalise_header(name: str) -> str:
    """``"Employee ID"`` -> ``"employee_id"``: how we match headers to canonical names."""
    return _NORMALISE.sub("_", name.strip().lower()).strip("_")
