"""The cell budget of delimited text: a 50 MB cell is refused, fast, naming ``max_cell_chars``;
a quoted cell over the budget is refused once read; cells within it are read as before."""

from __future__ import annotations

import time

import pytest

from readers.budget import TOO_LARGE, BudgetExceededError, reading_under
from readers.csv_budget import longest_run
from readers.tabular import read_csv_strings
from samples.payroll import csv_bytes, payroll_frame
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from schemas.limits import ReadingLimits
from tasks.doctype import ClientContext
from tasks.extraction import extract_in_process


def _with_cell(cell: bytes) -> bytes:
    """Five payroll rows, the second employee's name replaced by ``cell``."""
    data = csv_bytes(payroll_frame(5, seed=3))
    assert b",Employee 1," in data
    return data.replace(b",Employee 1,", b"," + cell + b",")


def test_longest_run_between_delimiters_and_line_ends() -> None:
    assert longest_run(b"a,bb\nccc,d", ",") == 3
    assert longest_run(b"abcd", ",") == 4
    assert longest_run(b"", ",") == 0
    assert longest_run(b"a;b\r\nxxxxx;", ";") == 5
    assert longest_run(b"a\t" + b"z" * 40 + b"\tb", "\t") == 40


def test_fifty_megabyte_cell_is_too_large_naming_the_budget_and_fast() -> None:
    data = _with_cell(b"9" * 50_000_000)
    ctx = ClientContext(ClientConfig(id="acme", name="Acme"))
    start = time.monotonic()
    batch = extract_in_process(DocType.PAYROLL, data, "batch.csv", ctx)
    assert time.monotonic() - start < 10
    [issue] = batch.file_issues
    assert issue.code == TOO_LARGE
    assert "max_cell_chars" in issue.message
    assert "32,767" in issue.message
    assert batch.records.height == 0


def test_quoted_cell_over_the_budget_is_refused_once_read() -> None:
    data = _with_cell(b'"' + b"x," * 60 + b'"')  # 120 characters, no run over 1 byte
    limits = ReadingLimits(max_cell_chars=100)
    with reading_under(limits), pytest.raises(BudgetExceededError) as caught:
        read_csv_strings(data)
    assert caught.value.budget == "max_cell_chars"
    assert caught.value.figure == "120"


def test_cells_within_the_budget_are_read() -> None:
    data = _with_cell(b"A" * 90)
    with reading_under(ReadingLimits(max_cell_chars=100)):
        table = read_csv_strings(data)
    assert table.frame.height == 5
    with reading_under(ReadingLimits(max_cell_chars=89)), pytest.raises(BudgetExceededError):
        read_csv_strings(data)


@pytest.mark.parametrize("at", [0, 5, 99_990, 130_000])
def test_the_quick_pass_never_misses_a_long_run(at: int) -> None:
    from readers.csv_budget import may_hold_run

    text = bytearray(b"ab,cd\n" * 40_000)
    text[at : at + 1_001] = b"x" * 1_001  # a run of at least 1,001 bytes
    assert may_hold_run(bytes(text), ",", 1_000)
    assert not may_hold_run(b"ab,cd\n" * 40_000, ",", 1_000)
