"""Turning client bytes into text and a table of strings, whatever Excel or a script wrote.

Handles a UTF-8 BOM, cp1252 bytes, any of ``, ; TAB |`` as the delimiter, and XLSX workbooks
(every sheet is looked at). Values stay strings here: typing is the rules' job, so one bad cell
flags its row, never the batch.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

import polars as pl

from readers.xlsx_budget import check_cell_chars, check_workbook

DELIMITERS = (",", ";", "\t", "|")
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


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line (outside quotes) into the most fields."""
    counts = {}
    for d in DELIMITERS:
        try:
            counts[d] = len(next(csv.reader([header_line], delimiter=d)))
        except (csv.Error, StopIteration):
            counts[d] = 0
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _head_text(data: bytes, encoding: str) -> str:
    """The first 64 KiB as text, enough to find and read the header line."""
    return data[:65536].decode("utf-8" if encoding.startswith("utf-8") else encoding, "replace")


def _polars_strings(body: bytes, delimiter: str, skip: int, width: int) -> pl.DataFrame:
    return pl.read_csv(
        body,
        separator=delimiter,
        infer_schema_length=0,
        has_header=False,
        skip_rows=skip,
        truncate_ragged_lines=True,
        quote_char='"',
        new_columns=[f"c{i}" for i in range(width)],
    )


def read_csv_strings(data: bytes) -> RawTable:
    """Read delimited text as all-string columns, with the header as written.

    UTF-8 bytes go to Polars as they are (one pass, no Python string of the whole file);
    only other encodings are decoded and re-encoded.
    """
    if looks_binary(data):
        raise TableError("FILE-NOT-TABULAR", "The file is binary, not a CSV or XLSX table.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        body, encoding = data.decode("utf-16").encode("utf-8"), "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        body, encoding = data[3:], "utf-8-sig"
    else:
        body, encoding = data, "utf-8"
    head = _head_text(body, "utf-8")
    lines = head.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise TableError("FILE-EMPTY", "The file has no content (only blank lines).")
    delimiter = sniff_delimiter(lines[first])
    header = next(csv.reader([lines[first]], delimiter=delimiter))
    try:
        try:
            frame = _polars_strings(body, delimiter, first + 1, len(header))
        except pl.exceptions.ComputeError:
            if encoding != "utf-8":
                raise
            # Not UTF-8: Windows-1252 is what spreadsheets on Western systems write.
            body, encoding = data.decode("cp1252", errors="replace").encode("utf-8"), "cp1252"
            header_line = _head_text(body, "utf-8").splitlines()[first]
            header = next(csv.reader([header_line], delimiter=delimiter))
            frame = _polars_strings(body, delimiter, first + 1, len(header))
    except pl.exceptions.NoDataError:
        frame = pl.DataFrame(schema={f"c{i}": pl.String for i in range(len(header))})
    except pl.exceptions.ComputeError as exc:
        raise TableError(
            "FILE-MALFORMED", f"The file is not a readable delimited table: {exc}"
        ) from exc
    if frame.width < len(header):  # polars drops trailing all-missing columns on some inputs
        frame = frame.with_columns(
            pl.lit(None, pl.String).alias(f"c{i}") for i in range(frame.width, len(header))
        )
    frame = frame.select(f"c{i}" for i in range(len(header)))
    frame = _without_blank_rows(frame)
    meta: dict[str, object] = {"format": "csv", "encoding": encoding, "delimiter": delimiter}
    return RawTable(frame=frame, header=[h.strip() for h in header], meta=meta)


def _without_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop rows that are entirely empty (trailing blank lines written by spreadsheets).

    Only a row whose first cell is blank can be blank, so the other cells are looked at only
    when the first column has such a row (checking every cell of a million rows costs more
    than reading them).
    """
    if frame.width == 0 or frame.height == 0:
        return frame
    first = pl.col(frame.columns[0])
    if not frame.select((first.is_null() | (first.str.strip_chars() == "")).any()).item():
        return frame
    return frame.filter(~pl.all_horizontal(pl.all().is_null() | (pl.all().str.strip_chars() == "")))


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
