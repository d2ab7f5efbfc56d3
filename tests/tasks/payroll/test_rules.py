"""Each payroll rule: a valid row passes; the same row with one field broken gets one code."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.config import ClientConfig
from tasks.doctype import ClientContext
from tasks.payroll.extract import extract_payroll
from tests.factories import payroll_csv, payroll_rows

CTX = ClientContext(client=ClientConfig(id="acme", name="Acme"))


def codes_of(data: bytes, ctx: ClientContext = CTX) -> dict[int, set[tuple[str, str]]]:
    batch = extract_payroll(data, "batch.csv", ctx)
    assert not batch.file_issues, batch.file_issues
    out: dict[int, set[tuple[str, str]]] = {}
    for row in batch.issues.iter_rows(named=True):
        out.setdefault(row["record_index"], set()).add((row["code"], row["field"]))
    return out


def test_valid_batch_has_no_issues() -> None:
    assert codes_of(payroll_csv(payroll_rows(20))) == {}


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"employee_id": ""}, ("PAY-REQUIRED", "employee_id")),
        ({"pay_date": "2026-02-31"}, ("PAY-NOT-A-DATE", "pay_date")),
        ({"gross_pay": "lots"}, ("PAY-NOT-A-NUMBER", "gross_pay")),
        ({"other_deductions": "10.005"}, ("PAY-PRECISION", "other_deductions")),
        ({"net_pay": "1.00"}, ("PAY-NET-MISMATCH", "net_pay")),
        ({"regular_hours": "-1"}, ("PAY-NEGATIVE-HOURS", "regular_hours")),
        ({"regular_hours": "300"}, ("PAY-IMPLAUSIBLE-HOURS", "regular_hours")),
        ({"period_start": "2026-01-20"}, ("PAY-PERIOD-ORDER", "period_end")),
        ({"period_end": "2026-01-20"}, ("PAY-PERIOD-ORDER", "pay_date")),
        ({"routing_number": "091000018"}, ("PAY-ROUTING-CHECKSUM", "routing_number")),
        ({"routing_number": "91000019"}, ("PAY-ROUTING-FORMAT", "routing_number")),
        ({"account_number": ""}, ("PAY-REQUIRED", "account_number")),
        ({"account_number": "12 34/56"}, ("PAY-ACCOUNT-FORMAT", "account_number")),
        ({"account_type": "brokerage"}, ("PAY-ACCOUNT-TYPE", "account_type")),
        ({"employee_name": '=HYPERLINK("x")'}, ("PAY-FORMULA-INJECTION", "employee_name")),
        ({"employee_id": "E" + "9" * 30}, ("PAY-TOO-LONG", "employee_id")),
        ({"employee_name": "李小龍"}, ("PAY-NAME-NOT-ACH", "employee_name")),
        ({"employee_name": "0 0"}, ("PAY-NAME-NOT-ACH", "employee_name")),
        ({"net_pay": "100000000.00"}, ("PAY-AMOUNT-TOO-LARGE", "net_pay")),
        ({"gross_pay": "EUR 832.49"}, ("PAY-CURRENCY", "gross_pay")),
        ({"net_pay": "£1,021.00"}, ("PAY-CURRENCY", "net_pay")),
        ({"pay_type": "contractor"}, ("PAY-PAY-TYPE", "pay_type")),
    ],
)
def test_one_broken_field_gives_its_code(
    override: dict[str, str], expected: tuple[str, str]
) -> None:
    found = codes_of(payroll_csv(payroll_rows(3, **override)))
    assert set(found) == {0}, found
    assert expected in found[0]


def test_hourly_gross_must_match_hours_times_rate() -> None:
    rows = payroll_rows(12)
    hourly = next(i for i, r in enumerate(rows) if r["hourly_rate"])
    rows[hourly] = {**rows[hourly], "hourly_rate": str(Decimal(rows[hourly]["hourly_rate"]) + 1)}
    found = codes_of(payroll_csv(rows))
    assert ("PAY-GROSS-MISMATCH", "gross_pay") in found[hourly]


def test_duplicate_employee_flags_every_copy() -> None:
    rows = payroll_rows(4)
    rows[2] = {**rows[2], "employee_id": rows[0]["employee_id"]}
    found = codes_of(payroll_csv(rows))
    assert ("PAY-DUPLICATE-EMPLOYEE", "employee_id") in found[0]
    assert ("PAY-DUPLICATE-EMPLOYEE", "employee_id") in found[2]


def test_employee_master(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = payroll_rows(3)
    master = tmp_path / "master.csv"
    pl.DataFrame({"employee_id": [rows[0]["employee_id"], rows[1]["employee_id"]]}).write_csv(
        master
    )
    client = ClientConfig(id="acme", name="Acme", payroll={"employee_master": str(master)})
    found = codes_of(payroll_csv(rows), ClientContext(client=client))
    assert found == {2: {("PAY-UNKNOWN-EMPLOYEE", "employee_id")}}


def test_control_row_that_disagrees_holds_the_batch() -> None:
    rows = payroll_rows(3)
    control = dict.fromkeys(rows[0], "")
    control.update(employee_id="TOTAL", employee_name="3", net_pay="1.00")
    batch = extract_payroll(payroll_csv([*rows, control]), "b.csv", CTX)
    assert [i.code for i in batch.file_issues] == ["PAY-CONTROL-TOTAL"]
    assert batch.records.height == 3
    assert set(batch.issues.get_column("record_index")) == {0, 1, 2}


def test_control_row_that_agrees_is_silent() -> None:
    rows = payroll_rows(3)
    total = sum(Decimal(r["net_pay"]) for r in rows)
    control = dict.fromkeys(rows[0], "")
    control.update(employee_id="Batch Total", employee_name="3", net_pay=str(total))
    batch = extract_payroll(payroll_csv([*rows, control]), "b.csv", CTX)
    assert batch.file_issues == ()
    assert batch.issues.height == 0
    assert batch.records.height == 3


cents = st.integers(min_value=0, max_value=10**9)


@settings(max_examples=60, deadline=None)
@given(gross=cents, taxes=st.lists(cents, min_size=5, max_size=5), delta=st.integers(-3, 3))
def test_net_rule_is_exact_decimal_arithmetic(gross: int, taxes: list[int], delta: int) -> None:
    """The vectorised rule agrees with Decimal arithmetic to the cent, for any amounts."""
    net = gross - sum(taxes) + delta
    if net <= 0:
        net = 1  # keep the positive-net rule out of the way; delta still decides the verdict
        delta = net - (gross - sum(taxes))
    fields = ["federal_tax", "state_tax", "social_security", "medicare", "other_deductions"]

    def money(c: int) -> str:
        return str(Decimal(c) / 100)

    row = {
        **dict(zip(fields, map(money, taxes), strict=True)),
        "gross_pay": money(gross),
        "net_pay": money(net),
        "hourly_rate": "",
    }
    found = codes_of(payroll_csv(payroll_rows(1, **row))).get(0, set())
    assert (("PAY-NET-MISMATCH", "net_pay") in found) == (delta != 0)


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(st.sampled_from(["", "E1", "E2", "E3", "e1", "E1 "]), min_size=1, max_size=12))
def test_duplicate_rule_flags_exactly_the_ids_seen_twice(ids: list[str]) -> None:
    """Every row whose employee_id (as cleaned) occurs on another row, and no other row."""
    rows = payroll_rows(len(ids))
    for row, employee in zip(rows, ids, strict=True):
        row["employee_id"] = employee
    found = codes_of(payroll_csv(rows))
    cleaned = [e.strip() or None for e in ids]
    expected = {i for i, e in enumerate(cleaned) if e is not None and cleaned.count(e) > 1}
    flagged = {
        i for i, codes in found.items() if ("PAY-DUPLICATE-EMPLOYEE", "employee_id") in codes
    }
    assert flagged == expected


def test_a_net_pay_that_fits_a_bank_entry_passes() -> None:
    """99,999,999.99 is the largest amount a NACHA entry's 10-digit field holds."""
    fields = ["federal_tax", "state_tax", "social_security", "medicare", "other_deductions"]
    row = {**dict.fromkeys(fields, "0.00"), "hourly_rate": "", "regular_hours": ""}
    fits = payroll_rows(1, **row, gross_pay="99999999.99", net_pay="99999999.99")
    over = payroll_rows(1, **row, gross_pay="100000000.00", net_pay="100000000.00")
    assert codes_of(payroll_csv(fits)) == {}
    assert codes_of(payroll_csv(over)) == {0: {("PAY-AMOUNT-TOO-LARGE", "net_pay")}}


@pytest.mark.parametrize(
    ("currency", "text", "flagged"),
    [
        ("USD", "${}", False),
        ("USD", "USD {}", False),
        ("CAD", "${}", False),  # the dollar sign is Canada's too
        ("CAD", "USD {}", True),
        ("EUR", "EUR {}", False),
        ("EUR", "{} €", False),
        ("USD", "{} €", True),
        ("USD", "¥{}", True),
        ("JPY", "¥{}", False),
        ("USD", "{}", False),
    ],
)
def test_an_amount_in_another_currency_is_flagged(currency: str, text: str, flagged: bool) -> None:
    rows = payroll_rows(2)
    rows[0]["gross_pay"] = text.format(rows[0]["gross_pay"])
    ctx = ClientContext(client=ClientConfig(id="acme", name="Acme", currency=currency))
    found = codes_of(payroll_csv(rows), ctx).get(0, set())
    assert (("PAY-CURRENCY", "gross_pay") in found) is flagged
    assert 1 not in codes_of(payroll_csv(rows), ctx)
    if flagged:
        batch = extract_payroll(payroll_csv(rows), "b.csv", ctx)
        message = batch.issues.filter(pl.col("code") == "PAY-CURRENCY")["message"][0]
        assert currency in message
