"""The NACHA PPD file: record layout, controls and hashes checked by reading it back."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.us import rtn

from schemas.config import ClientConfig
from schemas.payroll_options import AchOriginator
from tasks.doctype import ClientContext
from tasks.payroll import nacha
from tasks.payroll.extract import extract_payroll
from tests.factories import payroll_csv, payroll_rows

CTX = ClientContext(client=ClientConfig(id="acme", name="Acme"))
WHEN = dt.datetime(2026, 1, 14, 9, 30, tzinfo=dt.UTC)


def ach_for(rows: list[dict[str, str | None]]) -> list[str]:
    batch = extract_payroll(payroll_csv(rows), "b.csv", CTX)
    assert batch.issues.height == 0
    data = nacha.build_ppd_file(batch.valid_records(), AchOriginator(), created_at=WHEN)
    return data.decode("ascii").splitlines()


def test_layout_and_controls() -> None:
    rows = payroll_rows(23)
    lines = ach_for(rows)
    assert all(len(line) == nacha.RECORD_LENGTH for line in lines)
    assert len(lines) % nacha.BLOCKING_FACTOR == 0
    kinds = [line[0] for line in lines]
    assert kinds[0] == "1"
    assert kinds[1] == "5"
    entries = [line for line in lines if line[0] == "6"]
    assert len(entries) == 23
    # Amounts: every entry is the row's net pay in cents, credits only (22/32).
    cents = [int(e[29:39]) for e in entries]
    assert sum(cents) == sum(int(Decimal(r["net_pay"]) * 100) for r in rows)
    assert {e[1:3] for e in entries} <= {"22", "32"}
    # RDFI routing + check digit is a valid ABA number; entry hash sums the 8-digit prefixes.
    assert all(rtn.is_valid(e[3:12]) for e in entries)
    batch_control = next(line for line in lines if line[0] == "8")
    assert int(batch_control[4:10]) == 23
    assert int(batch_control[10:20]) == sum(int(e[3:11]) for e in entries) % 10**10
    assert int(batch_control[20:32]) == 0
    assert int(batch_control[32:44]) == sum(cents)
    file_control = next(line for line in lines if line[0] == "9" and set(line) != {"9"})
    assert int(file_control[1:7]) == 1
    assert int(file_control[7:13]) == len(lines) // 10
    assert int(file_control[13:21]) == 23
    assert int(file_control[31:43]) == 0
    assert int(file_control[43:55]) == sum(cents)
    # Trace numbers: ODFI prefix then ascending sequence.
    traces = [e[79:94] for e in entries]
    assert all(t.startswith(AchOriginator().odfi_routing[:8]) for t in traces)
    assert traces == sorted(traces)
    assert len(set(traces)) == len(traces)


def test_one_batch_per_effective_date_and_split_large_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(nacha, "MAX_ENTRIES_PER_BATCH", 3)
    rows = payroll_rows(7)
    for r in rows[4:]:
        r["pay_date"] = "2026-01-16"
    lines = ach_for(rows)
    headers = [line for line in lines if line[0] == "5"]
    assert [h[69:75] for h in headers] == ["260115", "260115", "260116"]
    assert [int(h[87:94]) for h in headers] == [1, 2, 3]
    controls = [line for line in lines if line[0] == "8"]
    assert [int(c[4:10]) for c in controls] == [3, 1, 3]
    traces = [line[79:94] for line in lines if line[0] == "6"]
    assert traces == sorted(traces)


def test_interleaved_pay_dates_make_one_batch_each_with_its_own_entries() -> None:
    rows = payroll_rows(6)
    for r in rows[1::2]:
        r["pay_date"] = "2026-01-16"  # rows 1, 3, 5 are paid a day later
    lines = ach_for(rows)
    assert [line[69:75] for line in lines if line[0] == "5"] == ["260115", "260116"]
    ids: list[list[str]] = []
    for line in lines:
        if line[0] == "5":
            ids.append([])
        elif line[0] == "6":
            ids[-1].append(line[39:54].strip())
    assert ids == [
        [str(rows[i]["employee_id"]) for i in (0, 2, 4)],
        [str(rows[i]["employee_id"]) for i in (1, 3, 5)],
    ]


def test_same_input_same_bytes() -> None:
    assert ach_for(payroll_rows(5)) == ach_for(payroll_rows(5))


def test_names_are_ascii_upper_case() -> None:
    lines = ach_for(payroll_rows(2, employee_name="Zoë Ångström-Ñúñez the Third of Many"))
    name = next(line for line in lines if line[0] == "6")[54:76]
    assert name == "ZOE ANGSTROM-NUNEZ THE"


def test_empty_payment_frame_is_not_written() -> None:
    from tasks.payroll.handler import PayrollHandler

    empty = pl.DataFrame()
    assert PayrollHandler().write_outputs(None, empty.clear(), None) == []  # type: ignore[arg-type]


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.text(max_size=8)), min_size=1, max_size=6))
def test_ach_text_is_printable_upper_case_ascii_of_the_folded_value(
    values: list[str | None],
) -> None:
    """Whatever a column holds (already upper, lower, accented, control characters, empty)."""

    def expected(value: str | None) -> str:
        if value is None:
            return ""
        if all(" " <= ch <= "~" for ch in value):
            return value.upper()
        folded = unicodedata.normalize("NFKD", value).upper()
        return "".join(ch for ch in folded if " " <= ch <= "~")

    got = nacha.ach_text(pl.Series(values, dtype=pl.String)).to_list()
    assert got == [expected(v) for v in values]
