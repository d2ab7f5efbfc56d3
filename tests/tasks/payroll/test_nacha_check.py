"""The NACHA structure check: our files pass it, each kind of damage gets its own code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.config import ClientConfig
from schemas.money import cents_text
from schemas.payroll_options import AchOriginator
from tasks.doctype import ClientContext
from tasks.payroll import nacha
from tasks.payroll.extract import extract_payroll
from tasks.payroll.nacha_check import _SHAPE, check_nacha, describe_nacha, well_ordered
from tests.factories import payroll_csv, payroll_rows

CTX = ClientContext(client=ClientConfig(id="acme", name="Acme"))
WHEN = dt.datetime(2026, 1, 14, 9, 30, tzinfo=dt.UTC)
MOOV = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "moov-io-ach"


def ach_file(n: int, **overrides: str) -> bytes:
    batch = extract_payroll(payroll_csv(payroll_rows(n, **overrides)), "b.csv", CTX)
    return nacha.build_ppd_file(batch.valid_records(), AchOriginator(), created_at=WHEN)


def codes(data: bytes) -> set[str]:
    return {p.code for p in check_nacha(data)}


def damaged(data: bytes, change: object) -> bytes:
    lines = data.decode("ascii").splitlines()
    change(lines)  # type: ignore[operator]
    return ("\n".join(lines) + "\n").encode("ascii")


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=40),
    per_batch=st.integers(min_value=1, max_value=9),
    name=st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters=',"'),
        min_size=1,
        max_size=30,
    ),
)
def test_every_file_we_write_passes(n: int, per_batch: int, name: str) -> None:
    original = nacha.MAX_ENTRIES_PER_BATCH
    nacha.MAX_ENTRIES_PER_BATCH = per_batch
    try:
        data = ach_file(n)
    finally:
        nacha.MAX_ENTRIES_PER_BATCH = original
    assert check_nacha(data) == []
    batch = extract_payroll(payroll_csv(payroll_rows(2, employee_name=name)), "b.csv", CTX)
    valid = batch.valid_records()
    if valid.height:  # a name of nothing NACHA can carry is flagged by the payroll rules
        assert check_nacha(nacha.build_ppd_file(valid, AchOriginator(), created_at=WHEN)) == []


def _entry(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if line[0] == "6")


def _set(lines: list[str], i: int, start: int, text: str) -> None:
    lines[i] = lines[i][:start] + text + lines[i][start + len(text) :]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda ls: _set(ls, _entry(ls), 29, "0000000001"), {"ACH-BATCH-CONTROL"}),
        (
            lambda ls: _set(ls, _entry(ls), 11, str((int(ls[_entry(ls)][11]) + 1) % 10)),
            {"ACH-ROUTING"},
        ),
        (lambda ls: ls.insert(_entry(ls) + 2, ls.pop(_entry(ls))), {"ACH-TRACE-ORDER"}),
        (lambda ls: _set(ls, _entry(ls), 1, "99"), {"ACH-TRANSACTION-CODE", "ACH-BATCH-CONTROL"}),
        (lambda ls: _set(ls, _entry(ls), 54, " " * 22), {"ACH-BLANK-FIELD"}),
        (lambda ls: ls.pop(_entry(ls) - 1), {"ACH-RECORD-ORDER"}),
        (lambda ls: ls.__setitem__(2, ls[2] + "X"), {"ACH-RECORD-LENGTH"}),
        (lambda ls: _set(ls, 2, 40, "\x01"), {"ACH-NOT-PRINTABLE"}),
        (lambda ls: _set(ls, 0, 4, "123456789"), {"ACH-FILE-HEADER"}),
        (
            lambda ls: _set(
                ls, len([x for x in ls if x[0] != "9" or set(x) != {"9"}]) - 1, 1, "000009"
            ),
            {"ACH-FILE-CONTROL"},
        ),
        (lambda ls: ls.append("9" * 94), {"ACH-BLOCKING", "ACH-FILE-CONTROL"}),
    ],
    ids=[
        "amount",
        "check-digit",
        "trace-order",
        "transaction-code",
        "blank-name",
        "no-batch-header",
        "long-record",
        "control-char",
        "destination",
        "batch-count",
        "blocking",
    ],
)
def test_each_kind_of_damage_has_its_code(change: object, expected: set[str]) -> None:
    data = ach_file(5)
    assert codes(damaged(data, change)) == expected


def test_truncated_empty_and_binary_files() -> None:
    data = ach_file(12)
    assert codes(data[: len(data) // 2]) == {"ACH-RECORD-ORDER"}
    assert codes(b"") == {"ACH-EMPTY"}
    assert codes(b"\x89PNG\r\n\x1a\n") == {"ACH-NOT-ASCII"}
    one_line = data.replace(b"\n", b"")
    assert check_nacha(one_line) == []  # fixed-length records without newlines
    assert check_nacha(data.replace(b"\n", b"\r\n")) == []


@pytest.mark.skipif(not MOOV.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("examples/testdata/ppd-credit.ach", set()),
        ("examples/testdata/ppd-debit.ach", set()),
        ("examples/testdata/ppd-mixedDebitCredit.ach", set()),
        ("examples/testdata/web-credit.ach", set()),
        ("test/testdata/ppd-debit-invalid-entryDetail-checkDigit.ach", {"ACH-ROUTING"}),
        ("test/testdata/adv-noFileControl.ach", {"ACH-RECORD-ORDER"}),
        ("test/testdata/return-no-batch-controls.ach", {"ACH-RECORD-ORDER"}),
        ("test/testdata/extended-ascii.ach", {"ACH-NOT-ASCII"}),
    ],
)
def test_moov_files(name: str, expected: set[str]) -> None:
    assert codes((MOOV / name).read_bytes()) == expected


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (123456, "1,234.56"),
        (-5, "-0.05"),
        (2**53 + 1, "90,071,992,547,409.93"),
    ],
)
def test_cents_are_shown_exactly(cents: int, text: str) -> None:
    """``2**53 + 1`` cents divided as a float would show ``...409.92``."""
    assert cents_text(cents) == text


def test_describe_nacha_shows_the_entries_totals() -> None:
    data = ach_file(3)
    amounts = [int(line[29:39]) for line in data.decode().splitlines() if line.startswith("6")]
    assert f"credits {cents_text(sum(amounts))}, debits 0.00" in describe_nacha(data)


_ENTRIES = st.lists(st.integers(min_value=0, max_value=2)).map(
    lambda addenda: "".join("6" + "7" * k for k in addenda)
)
#: Files of the right shape: a header, batches of a header, entries and a control, a control.
_SHAPES = st.lists(_ENTRIES, max_size=4).map(lambda bs: "1" + "".join(f"5{b}8" for b in bs) + "9")


@st.composite
def _record_types(draw: st.DrawFn) -> str:
    """A file's record types: of the right shape, or one edit away from it."""
    kinds = draw(_SHAPES)
    at = draw(st.integers(min_value=0, max_value=len(kinds)))
    edit = draw(st.sampled_from(["none", "insert", "delete", "replace"]))
    other = draw(st.sampled_from("1567892"))
    if edit == "insert":
        return kinds[:at] + other + kinds[at:]
    if edit == "delete":
        return kinds[:at] + kinds[at + 1 :]
    if edit == "replace":
        return kinds[:at] + other + kinds[at + 1 :]
    return kinds


@settings(max_examples=500, deadline=None)
@given(kinds=st.one_of(_record_types(), st.text(alphabet="1567892", max_size=12)))
def test_record_order_is_the_file_shape(kinds: str) -> None:
    assert well_ordered(kinds) == (_SHAPE.fullmatch(kinds) is not None)


def ach_records(n: int) -> pl.Series:
    batch = extract_payroll(payroll_csv(payroll_rows(n)), "b.csv", CTX)
    [records] = nacha.ppd_records(batch.valid_records(), AchOriginator(), created_at=WHEN)
    return records


_AMOUNT = slice(29, 39)  # an entry's amount: positions 30-39


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=12),
    where=st.integers(min_value=0),
    change=st.one_of(
        # another amount, of 10 digits (the controls no longer agree) or more (overflow)
        st.tuples(st.just(_AMOUNT), st.from_regex(r"[0-9]{10,12}", fullmatch=True)),
        # any printable text anywhere in the record, of the field's width or not
        st.tuples(
            st.integers(min_value=0, max_value=93).map(lambda i: slice(i, i + 3)),
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=5),
        ),
        # a control character or a letter no bank takes
        st.tuples(st.just(slice(60, 61)), st.sampled_from(["\x00", "\t", "\x7f", "é"])),
    ),
)
def test_the_records_are_refused_as_their_file_is(
    n: int, where: int, change: tuple[slice, str]
) -> None:
    """The check of a file's records before it is written refuses whatever the check of the
    written file refuses, with the same codes while every record keeps its 94 characters."""
    records = ach_records(n).to_list()
    assert check_nacha(pl.Series(records)) == []
    span, text = change
    i = where % len(records)
    records[i] = records[i][: span.start] + text + records[i][span.stop :]
    from_records = {p.code for p in check_nacha(pl.Series(records))}
    data = ("\n".join(records) + "\n").encode("utf-8")
    from_file = {p.code for p in check_nacha(data)}
    assert from_records or not from_file
    if all(len(r) == nacha.RECORD_LENGTH for r in records) and data.isascii():
        assert from_records == from_file


def test_a_written_file_is_its_records() -> None:
    records = ach_records(7)
    data = nacha.file_bytes(records)
    assert data == ("\n".join(records.to_list()) + "\n").encode("ascii")
    assert check_nacha(data) == check_nacha(records) == []
