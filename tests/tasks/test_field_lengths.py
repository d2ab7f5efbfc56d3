"""Values longer than the record model allows are refused with a reason that does not carry
them (a 30 MB invoice number, a 20 MB member id), and zero-total invoices are never billed
silently."""

from __future__ import annotations

import polars as pl
import pytest

from readers.budget import BudgetExceededError, reading_under
from samples.claims import ClaimSpec, simple_file
from schemas.claim import Claim
from schemas.claim_options import ClaimOptions
from schemas.config import ClientConfig
from schemas.invoice import Invoice
from schemas.lengths import text_limits
from schemas.limits import ReadingLimits
from tasks.claims.handler import ClaimsHandler
from tasks.doctype import ClientContext
from tasks.invoices.handler import InvoiceHandler

INVOICE_CTX = ClientContext(ClientConfig(id="acme", name="Acme", currency="USD"))
CLAIM_CTX = ClientContext(
    ClientConfig(id="acme", name="Acme", claims=ClaimOptions(structure_check_max_bytes=0))
)
MB = 1024 * 1024


def _invoice_csv(**overrides: str) -> bytes:
    row = {
        "invoice_number": "C-1",
        "invoice_date": "2026-03-01",
        "vendor_name": "Acme Supplies",
        "buyer_name": "Globex",
        "currency": "USD",
        "subtotal": "30.00",
        "tax_total": "0.00",
        "total": "30.00",
        "description": "Widgets",
        "quantity": "3",
        "unit_price": "10.00",
        "amount": "30.00",
    }
    row.update(overrides)
    return pl.DataFrame([row]).write_csv().encode()


def _issues(batch: pl.DataFrame, code: str) -> pl.DataFrame:
    return batch.filter(pl.col("code") == code)


def test_limits_come_from_the_models() -> None:
    assert text_limits(Invoice)["invoice_number"] == 100
    assert text_limits(Claim)["member_id"] == 80


def test_a_30_mb_invoice_number_is_refused_without_holding_it() -> None:
    data = _invoice_csv(invoice_number="7" * (30 * MB))
    # Under the default budgets the table is refused before it is read: one cell over
    # max_cell_chars (the file is quarantined FILE-TOO-LARGE, naming the budget).
    with pytest.raises(BudgetExceededError) as refused:
        InvoiceHandler().extract(data, "b.csv", INVOICE_CTX)
    assert refused.value.budget == "max_cell_chars"
    # A client whose budget admits the cell still gets the field refused, not stored.
    with reading_under(ReadingLimits(max_cell_chars=64 * MB)):
        batch = InvoiceHandler().extract(data, "b.csv", INVOICE_CTX)
    [message] = _issues(batch.issues, "INV-TOO-LONG").get_column("message")
    assert "31,457,280 characters" in message
    assert len(message) < 200
    assert batch.flagged_indexes.to_list() == [0]


@pytest.mark.parametrize(
    ("field", "limit"), [("vendor_name", 200), ("po_number", 100), ("description", 1000)]
)
def test_each_limited_invoice_field_is_checked(field: str, limit: int) -> None:
    batch = InvoiceHandler().extract(
        _invoice_csv(**{field: "x" * (limit + 1)}), "b.csv", INVOICE_CTX
    )
    found = _issues(batch.issues, "INV-TOO-LONG").get_column("field").to_list()
    assert found == [field if field != "description" else "lines[0].description"]
    ok = InvoiceHandler().extract(_invoice_csv(**{field: "x" * limit}), "b.csv", INVOICE_CTX)
    assert _issues(ok.issues, "INV-TOO-LONG").height == 0


def test_a_20_mb_member_id_in_an_837_is_refused() -> None:
    data = simple_file([ClaimSpec(member_id="M" * (20 * MB))])
    batch = ClaimsHandler().extract(data, "claims.x12", CLAIM_CTX)
    found = _issues(batch.issues, "CLM-TOO-LONG")
    assert found.get_column("field").to_list() == ["member_id"]
    assert all(len(m) < 200 for m in found.get_column("message"))


def test_a_long_member_id_in_a_csv_claim_batch_is_refused() -> None:
    data = (
        b"claim_id,billing_npi,payer_id,member_id,total_charge,diagnosis_codes,procedure_code,"
        b"charge,units,service_date\n"
        b"A1,1234567893,P1," + b"M" * 81 + b",40.00,E1165,99213,40.00,1,2024-01-05\n"
    )
    batch = ClaimsHandler().extract(data, "claims.csv", CLAIM_CTX)
    assert _issues(batch.issues, "CLM-TOO-LONG").get_column("field").to_list() == ["member_id"]


@pytest.mark.parametrize("total", ["0.00", "-0.00", "0"])
def test_a_zero_total_invoice_is_flagged(total: str) -> None:
    data = _invoice_csv(subtotal=total, total=total, unit_price="0.00", amount="0.00")
    batch = InvoiceHandler().extract(data, "b.csv", INVOICE_CTX)
    assert _issues(batch.issues, "INV-ZERO-TOTAL").get_column("field").to_list() == ["total"]
    assert batch.flagged_indexes.to_list() == [0]


def test_a_non_zero_invoice_is_not_flagged_as_zero() -> None:
    batch = InvoiceHandler().extract(_invoice_csv(), "b.csv", INVOICE_CTX)
    assert _issues(batch.issues, "INV-ZERO-TOTAL").height == 0
