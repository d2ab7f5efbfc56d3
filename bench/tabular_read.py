"""Reading a payroll CSV as a table of strings: the cost of checking every row's shape.

``readers.tabular.read_csv_strings`` checks each line's field count in one vectorised pass and
hands the fitting lines to Polars; only ragged rows (or every row, when a quoted value spans
lines) are parsed one by one. Compared in the same run with a naive reader (Python's ``csv``
over every row, the tolerant parse applied to every file) and with the floor (one Polars read,
no check), on a clean file and on the same file with one ragged row.

    .venv/bin/python bench/tabular_read.py               # 1,000,000 rows
    .venv/bin/python bench/tabular_read.py --rows 200000
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import time
from collections.abc import Callable

import polars as pl

from readers.row_shape import ROW_SHAPE
from readers.tabular import read_csv_strings
from samples.payroll import csv_bytes, payroll_frame


def naive(data: bytes) -> int:
    """Every row through Python's csv module, as a row-by-row tolerant reader would."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    return len(rows) - 1


def polars_only(data: bytes) -> int:
    """The floor: one Polars read of the rows, no header search, no shape check."""
    return pl.read_csv(data, infer_schema_length=0, truncate_ragged_lines=True).height


def ours(data: bytes) -> int:
    table = read_csv_strings(data)
    return table.frame.height


def ragged_rows(data: bytes) -> int:
    return read_csv_strings(data).frame.get_column(ROW_SHAPE).is_not_null().sum()


def timed(fn: Callable[[bytes], int], data: bytes) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn(data)
    return time.perf_counter() - start, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    clean = csv_bytes(payroll_frame(args.rows))
    lines = clean.split(b"\n")
    middle = len(lines) // 2
    first, rest = lines[middle].split(b",", 1)
    lines[middle] = first + b',=HYPERLINK("http://x","y"),' + rest
    ragged = b"\n".join(lines)
    print(f"uptime: {os.popen('uptime').read().strip()}")
    print(f"payroll CSV, {args.rows:,} rows, {len(clean) / 2**20:.0f} MB")
    print(f"{'reader':<44}{'seconds':>9}{'rows':>12}")
    results = {}
    for label, fn, data in [
        ("naive: csv module, every row (clean file)", naive, clean),
        ("floor: polars read alone (clean file)", polars_only, clean),
        ("ours: shape check + polars (clean file)", ours, clean),
        ("ours: one ragged row (polars + that row)", ours, ragged),
    ]:
        seconds, n = timed(fn, data)
        results[label] = seconds
        print(f"{label:<44}{seconds:>9.2f}{n:>12,}")
    assert ragged_rows(ragged) == 1
    base = results["naive: csv module, every row (clean file)"]
    print(f"clean file: {base / results['ours: shape check + polars (clean file)']:.1f}x naive")


if __name__ == "__main__":
    main()
