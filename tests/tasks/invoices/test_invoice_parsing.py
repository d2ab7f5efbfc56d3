from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.money import decimal_places, parse_amount
from tasks.invoices.amounts import find_currency, last_amount
from tasks.invoices.dates import month_first_document, parse_date, slash_order
from tests.tasks.invoices.tests_locale import format_amount


@given(
    st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"), places=2),
    st.sampled_from(["en", "de", "fr", "ch", "plain"]),
)
def test_amount_round_trips_in_every_locale(value: Decimal, locale: str) -> None:
    assert parse_amount(format_amount(value, locale)) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("EUR 12,00", "12.00"),
        ("(5.00)", "-5.00"),
        ("12.345", "12.345"),
        ("-0,50", "-0.50"),
    ],
)
def test_amounts(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


def test_three_decimals_are_counted() -> None:
    assert decimal_places(Decimal("1.005")) == 3
    assert decimal_places(Decimal("1.50")) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.03.2026", dt.date(2026, 3, 12)),
        ("12/03/2026", dt.date(2026, 3, 12)),
        ("2026-03-12", dt.date(2026, 3, 12)),
        ("20260312", dt.date(2026, 3, 12)),
        ("12 March 2026", dt.date(2026, 3, 12)),
        ("12. März 2026", dt.date(2026, 3, 12)),
        ("March 12, 2026", dt.date(2026, 3, 12)),
        ("12 mars 2026", dt.date(2026, 3, 12)),
        ("12 de marzo de 2026", dt.date(2026, 3, 12)),
        ("12 maart 2026", dt.date(2026, 3, 12)),
        ("12 marzo 2026", dt.date(2026, 3, 12)),
        ("03/25/2026", dt.date(2026, 3, 25)),
    ],
)
def test_dates(text: str, expected: dt.date) -> None:
    assert parse_date(text).value == expected


def test_impossible_date_is_a_problem_not_a_crash() -> None:
    parsed = parse_date("31/02/2026")
    assert parsed.value is None
    assert parsed.problem == "31/02/2026 is not a calendar date"


def test_currency_and_last_amount() -> None:
    assert find_currency("Total € 5") == "EUR"
    assert find_currency("VAT 19% total") is None
    assert last_amount("MwSt 19 % 1.234,50") == ("1.234,50", Decimal("1234.50"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USt.-Identnr.: DE123456789", None),  # an identifier's digits are not an amount
        ("Kunde K2024", None),
        ("INV2024 12,50", ("12,50", Decimal("12.50"))),
        ("EUR125.00", ("125.00", Decimal("125.00"))),  # a currency code written against it
        ("Total 1.234,56 EUR", ("1.234,56", Decimal("1234.56"))),
    ],
)
def test_amounts_never_come_out_of_a_word(text: str, expected: tuple[str, Decimal] | None) -> None:
    assert last_amount(text) == expected


@pytest.mark.parametrize(
    ("texts", "order"),
    [
        (["Invoice Date 11/03/2017", "paid 11/17/2017"], "month"),
        (["Date 11/03/2017", "paid 17/11/2017"], "day"),
        (["11/03/2017", "11/17/2017", "17/11/2017"], "day"),  # contradicts itself: day first
        (["11/03/2017", "2017-11-17", "17.11.2017"], None),  # only slash dates decide
        ([], None),
    ],
)
def test_a_document_is_month_first_only_on_evidence(texts: list[str], order: str | None) -> None:
    assert slash_order(texts) == order
    assert month_first_document(texts) is (order == "month")
    assert month_first_document(texts, "EUR") is (order == "month")


def test_without_evidence_dollars_read_month_first() -> None:
    assert month_first_document(["03/04/2026"], "USD") is True
    assert month_first_document(["03/04/2026", "17/04/2026"], "USD") is False
