"""The budget check of a workbook, streamed before any XLSX reader sees it.

A zip bomb is small on disk: a 1 MB workbook can hold gigabytes of sheet XML, and the XLSX
readers (fastexcel/calamine under Polars) materialise every cell before we see one. So the
entries are first inflated here, a megabyte at a time and thrown away, counting what a reader
would build: unpacked bytes (declared and actual: ``zipfile`` stops at the declared size and
fails the CRC if the data goes on), rows and cells of each sheet. The read stops at the first
budget passed, so a bomb costs at most its budget in time and a megabyte in memory.
"""

from __future__ import annotations

import zipfile

from readers.budget import active_limits, bytes_text, check, exceeded

_CHUNK = 1 << 20
#: How rows and cells start in SpreadsheetML (``<c r="A1" ...>``, ``<row r="1">``).
_ROW = (b"<row ", b"<row>")
_CELL = (b"<c ", b"<c>", b"<c/>")
_CARRY = 5  # longest pattern minus one: a pattern split between two chunks is counted once


def _count(buf: bytes, carry: bytes, patterns: tuple[bytes, ...]) -> int:
    return sum(buf.count(p) - carry.count(p) for p in patterns)


def check_workbook(zf: zipfile.ZipFile) -> None:
    """Raise :class:`readers.budget.BudgetExceededError` when the workbook is over a budget.

    Raises ``zipfile.BadZipFile`` when an entry's data does not match its declared size.
    """
    limits = active_limits()
    infos = zf.infolist()
    declared = sum(i.file_size for i in infos)
    check(declared, "max_decompressed_bytes", "The workbook's declared unpacked size")
    total = rows = cells = 0
    for info in infos:
        name = info.filename
        sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
        with zf.open(info) as stream:
            carry = b""
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > limits.max_decompressed_bytes:
                    raise exceeded(
                        "max_decompressed_bytes",
                        total,
                        "The workbook's unpacked size",
                        at_least=True,
                    )
                if not sheet:
                    continue
                buf = carry + chunk
                rows += _count(buf, carry, _ROW)
                cells += _count(buf, carry, _CELL)
                carry = buf[-_CARRY:]
                if rows > limits.max_rows:
                    raise exceeded(
                        "max_rows", rows, f"Rows of the workbook (sheet {name})", at_least=True
                    )
                if cells > limits.max_cells:
                    raise exceeded("max_cells", cells, "Cells of the workbook", at_least=True)


def check_cell_chars(longest: int) -> None:
    """Raise when a cell read from a workbook is longer than the budget allows."""
    check(longest, "max_cell_chars", "The longest cell of the workbook, in characters")


__all__ = ["bytes_text", "check_cell_chars", "check_workbook"]
