"""Salaried staff as payroll exports print them, and the employee master's pay terms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samples.payroll import csv_bytes, export_frame
from schemas.batch import RECORD_INDEX
from schemas.config import ClientConfig
from tasks.doctype import ClientContext
from tasks.payroll.extract import extract_payroll
from tests.factories import payroll_csv, payroll_rows

CTX = ClientContext(client=ClientConfig(id="acme", name="Acme"))
DEDUCTIONS = ["federal_tax", "state_tax", "social_security", "medicare", "other_deductions"]


def codes(data: bytes, ctx: ClientContext = CTX) -> dict[int, set[tuple[str, str]]]:
    batch = extract_payroll(data, "batch.csv", ctx)
    assert not batch.file_issues, batch.file_issues
    out: dict[int, set[tuple[str, str]]] = {}
    for row in batch.issues.iter_rows(named=True):
        out.setdefault(row["record_index"], set()).add((row["code"], row["field"]))
    return out


def salaried(gross: str = "2000.00", **extra: str | None) -> dict[str, str | None]:
    """A salaried row as an export prints it: no rate, no hours, net = gross - deductions."""
    return {
        "regular_hours": "",
        "overtime_hours": "",
        "hourly_rate": "",
        "gross_pay": gross,
        **dict.fromkeys(DEDUCTIONS, "0.00"),
        "federal_tax": "200.00",
        "net_pay": str(Decimal(gross) - Decimal("200.00")),
        **extra,
    }


def with_master(tmp_path: Path, rows: dict[str, list[str]], **options: object) -> ClientContext:
    path = tmp_path / "master.csv"
    pl.DataFrame(rows).write_csv(path)
    payroll = {"employee_master": str(path), **options}
    return ClientContext(client=ClientConfig(id="acme", name="Acme", payroll=payroll))


def test_a_real_export_with_a_third_salaried_and_blank_hours_is_clean() -> None:
    frame = export_frame(210)
    blank = frame.filter(pl.col("hourly_rate").is_null() & pl.col("regular_hours").is_null())
    assert blank.height >= 60  # about 30% print neither rate nor hours
    assert codes(csv_bytes(frame, crlf=True)) == {}


def test_a_file_without_hours_columns_is_read() -> None:
    rows = payroll_rows(6, **salaried())
    frame = pl.read_csv(payroll_csv(rows), infer_schema_length=0)
    found = codes(frame.drop("regular_hours", "overtime_hours").write_csv().encode())
    # Salaried rows are complete without hours; hourly rows (a rate) now miss theirs.
    hourly = {i for i, r in enumerate(rows) if r["hourly_rate"]}
    assert hourly
    assert 0 not in hourly
    assert found == {i: {("PAY-REQUIRED", "regular_hours")} for i in hourly}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (salaried(), set()),
        (salaried(regular_hours="80"), set()),  # hours printed, no rate: still salaried
        (salaried(hourly_rate="0.00", regular_hours="80"), set()),  # a zero rate is no rate
        (salaried(pay_type="Salaried", hourly_rate="25.00"), set()),  # the row says salaried
        (salaried(hourly_rate="25.00"), {("PAY-REQUIRED", "regular_hours")}),
        (salaried(pay_type="hourly", regular_hours="80"), {("PAY-REQUIRED", "hourly_rate")}),
        (salaried(net_pay="1.00"), {("PAY-NET-MISMATCH", "net_pay")}),
    ],
)
def test_who_is_salaried_and_what_they_may_leave_blank(
    row: dict[str, str | None], expected: set[tuple[str, str]]
) -> None:
    assert codes(payroll_csv(payroll_rows(2, **row))).get(0, set()) == expected


def test_hourly_rows_need_hours_but_blank_overtime_is_none() -> None:
    rows = payroll_rows(12)
    hourly = next(i for i, r in enumerate(rows) if r["hourly_rate"] and r["overtime_hours"] == "0")
    rows[hourly]["overtime_hours"] = ""
    assert codes(payroll_csv(rows)) == {}
    rows[hourly]["regular_hours"] = ""
    assert codes(payroll_csv(rows)) == {hourly: {("PAY-REQUIRED", "regular_hours")}}


def test_the_master_says_who_is_hourly(tmp_path: Path) -> None:
    rows = payroll_rows(3, **salaried(regular_hours="80"))
    ctx = with_master(
        tmp_path,
        {
            "Employee ID": [r["employee_id"] or "" for r in rows],
            "Pay Type": ["Hourly", "S", "H"],
        },
    )
    found = codes(payroll_csv(rows), ctx)
    assert found.get(0) == {("PAY-REQUIRED", "hourly_rate")}


def test_a_salaried_gross_is_checked_against_the_masters_salary(tmp_path: Path) -> None:
    rows = [
        {**payroll_rows(1)[0], "employee_id": f"S{i}", **salaried(gross)}
        for i, gross in enumerate(["2000.00", "2015.00", "2500.00", "1923.08", "900.00"])
    ]
    ctx = with_master(
        tmp_path,
        {
            "employee_id": ["S0", "S1", "S2", "S3", "S4"],
            "Annual Salary": ["52,000.00", "52000", "$52,000.00", "50000", "52000"],
            "pay_frequency": ["Bi-Weekly", "26", "biweekly", "biweekly", ""],
        },
        pay_frequency="monthly",
    )
    found = codes(payroll_csv(rows), ctx)
    # 2000.00 exactly; 2015.00 within 1% of 2000.00; 1923.08 = 50,000 / 26 half-up.
    assert found == {
        2: {("PAY-SALARY-MISMATCH", "gross_pay")},
        4: {("PAY-SALARY-MISMATCH", "gross_pay")},  # monthly: 4,333.33 expected
    }
    batch = extract_payroll(payroll_csv(rows), "b.csv", ctx)
    message = batch.issues.filter(pl.col(RECORD_INDEX) == 4)["message"][0]
    assert "4333.33" in message


def test_without_a_frequency_the_gross_is_taken_as_sent(tmp_path: Path) -> None:
    rows = [{**payroll_rows(1)[0], "employee_id": "S0", **salaried("2500.00")}]
    ctx = with_master(tmp_path, {"employee_id": ["S0"], "salary": ["52000"]})
    assert codes(payroll_csv(rows), ctx) == {}


@settings(max_examples=40, deadline=None)
@given(
    salary=st.integers(min_value=1_000_000, max_value=50_000_000),  # cents a year
    off=st.integers(min_value=-3_000, max_value=3_000),  # cents away from the period's pay
    periods=st.sampled_from([("weekly", 52), ("biweekly", 26), ("monthly", 12)]),
)
def test_salary_tolerance_is_one_percent_of_the_periods_pay(
    tmp_path_factory: pytest.TempPathFactory,
    salary: int,
    off: int,
    periods: tuple[str, int],
) -> None:
    name, count = periods
    per_period = (2 * salary + count) // (2 * count)  # half-up, in cents
    gross = Decimal(per_period + off) / 100
    row = {**payroll_rows(1)[0], "employee_id": "S0", **salaried(f"{gross:.2f}")}
    ctx = with_master(
        tmp_path_factory.mktemp("m"),
        {"employee_id": ["S0"], "salary": [f"{Decimal(salary) / 100:.2f}"], "frequency": [name]},
    )
    found = codes(payroll_csv([row]), ctx).get(0, set())
    leeway = max(Decimal(per_period) / 100 * Decimal("0.01"), Decimal("0.01"))
    mismatch = abs(gross - Decimal(per_period) / 100) > leeway
    assert (("PAY-SALARY-MISMATCH", "gross_pay") in found) is mismatch
