"""Amounts written in another currency than the invoice's are flagged, never read as its own."""

from __future__ import annotations

import json

import polars as pl
import pytest

from schemas.config import ClientConfig
from tasks.doctype import ClientContext
from tasks.invoices.handler import InvoiceHandler
from tasks.payroll.extract import extract_payroll
from tests.factories import payroll_csv, payroll_rows

CTX = ClientContext(ClientConfig(id="acme", name="Acme", currency="USD"))


def _row(currency: str, total: str, amount: str) -> dict[str, str]:
    return {
        "invoice_number": "C-1",
        "invoice_date": "2026-03-01",
        "vendor_name": "Acme Supplies",
        "buyer_name": "Globex",
        "currency": currency,
        "subtotal": "1200.00",
        "tax_total": "0.00",
        "total": total,
        "description": "Consulting",
        "quantity": "1",
        "unit_price": "1200.00",
        "amount": amount,
    }


def _mismatches(data: bytes, name: str) -> list[str]:
    batch = InvoiceHandler().extract(data, name, CTX)
    found = batch.issues.filter(pl.col("code") == "INV-CURRENCY-MISMATCH")
    return sorted(found.get_column("field").to_list())


@pytest.mark.parametrize(
    ("currency", "total", "amount", "expected"),
    [
        ("EUR", "$1,200.00", "$1,200.00", ["lines[0].amount", "total"]),
        ("EUR", "USD 1200.00", "1200.00", ["total"]),
        ("USD", "£1200.00", "1200.00", ["total"]),
        ("USD", "¥1200", "1200.00", ["total"]),
        ("EUR", "€1.200,00", "1200.00 EUR", []),
        ("CAD", "$1,200.00", "$1,200.00", []),  # the dollar sign is Canada's too
        ("USD", "1200.00", "1200.00", []),
    ],
)
def test_an_amount_in_another_currency_is_flagged_in_a_csv_invoice(
    currency: str, total: str, amount: str, expected: list[str]
) -> None:
    data = pl.DataFrame([_row(currency, total, amount)]).write_csv().encode()
    assert _mismatches(data, "batch.csv") == expected


def test_a_json_invoice_in_euros_with_dollar_amounts_is_flagged() -> None:
    row = _row("EUR", "$1200.00", "1200.00")
    line = {k: row.pop(k) for k in ("description", "quantity", "unit_price", "amount")}
    line["unit_price"] = "$1200.00"
    data = json.dumps({"invoices": [{**row, "lines": [line]}]}).encode()
    assert _mismatches(data, "batch.json") == ["lines[0].unit_price", "total"]


def test_the_message_names_both_currencies() -> None:
    data = pl.DataFrame([_row("EUR", "$1,200.00", "1200.00")]).write_csv().encode()
    batch = InvoiceHandler().extract(data, "batch.csv", CTX)
    [message] = batch.issues.filter(pl.col("code") == "INV-CURRENCY-MISMATCH")["message"]
    assert "USD" in message
    assert "EUR" in message


@pytest.mark.parametrize("text", ["EUR 832.49", "£832.49", "¥832.49"])
def test_payroll_amounts_in_another_currency_than_the_clients_are_flagged(text: str) -> None:
    rows = payroll_rows(2)
    rows[1]["net_pay"] = text
    batch = extract_payroll(payroll_csv(rows), "b.csv", CTX)
    found = batch.issues.filter(pl.col("code") == "PAY-CURRENCY").select("record_index", "field")
    assert found.rows() == [(1, "net_pay")]
