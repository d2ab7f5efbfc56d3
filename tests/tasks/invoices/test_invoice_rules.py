from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tasks.invoices.candidate import TaxSubtotal, line
from tasks.invoices.reference_rules import reference_issues
from tasks.invoices.rules import check
from tasks.invoices.xml_safe import per_unit_price
from tests.factories import make_ctx

D = Decimal


def valid(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "document_type": "380",
        "invoice_number": "A-1",
        "invoice_date": dt.date(2026, 3, 1),
        "due_date": dt.date(2026, 3, 31),
        "vendor_name": "Acme GmbH",
        "vendor_tax_id": "DE136695976",
        "vendor_iban": "DE89370400440532013000",
        "buyer_name": "Globex",
        "po_number": "PO-1",
        "currency": "EUR",
        "subtotal": D("100.00"),
        "tax_total": D("19.00"),
        "total": D("119.00"),
        "lines": [
            line(
                description="a",
                quantity=D(2),
                unit_price=D("25.00"),
                amount=D("50.00"),
                tax_category="S",
                tax_rate=D(19),
            ),
            line(
                description="b",
                quantity=D(1),
                unit_price=D("50.00"),
                amount=D("50.00"),
                tax_category="S",
                tax_rate=D(19),
            ),
        ],
    }
    return {**base, **changes}


def codes(values: dict[str, Any], **kw: Any) -> list[str]:
    return [i.code for i in check(values, **kw)]


def test_valid_invoice_has_no_issues() -> None:
    assert codes(valid()) == []


def test_credit_note_with_negative_totals_is_valid() -> None:
    neg = valid(
        document_type="381",
        subtotal=D("-100.00"),
        tax_total=D("-19.00"),
        total=D("-119.00"),
        lines=[
            line(
                quantity=D(-4),
                unit_price=D(25),
                amount=D("-100.00"),
                tax_category="S",
                tax_rate=D(19),
            )
        ],
    )
    assert codes(neg) == []


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("invoice_number", "BR-02"),
        ("invoice_date", "BR-03"),
        ("currency", "BR-05"),
        ("vendor_name", "BR-06"),
        ("buyer_name", "BR-07"),
        ("total", "BR-14"),
    ],
)
def test_required_fields(field: str, code: str) -> None:
    issues = check(valid(**{field: None}))
    assert [(i.code, i.field) for i in issues if i.code == code] == [(code, field)]


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"currency": "XYZ"}, "BR-CL-04", "currency"),
        ({"document_type": "999"}, "BR-CL-01", "document_type"),
        ({"total": D("119.005"), "tax_total": D("19.005")}, "INV-AMOUNT-DECIMALS", "total"),
        ({"due_date": dt.date(2026, 2, 1)}, "INV-DUE-BEFORE-ISSUE", "due_date"),
        ({"vendor_tax_id": "DE123456789"}, "INV-VAT-ID", "vendor_tax_id"),
        ({"vendor_iban": "DE89370400440532013001"}, "INV-IBAN", "vendor_iban"),
        ({"total": D("120.00")}, "BR-CO-15", "total"),
        ({"subtotal": D("90.00"), "total": D("109.00")}, "BR-CO-10", "subtotal"),
        ({"tax_total": D("20.00"), "total": D("120.00")}, "BR-CO-17", "tax_total"),
    ],
)
def test_each_rule(changes: dict[str, Any], code: str, field: str) -> None:
    issues = check(valid(**changes))
    assert (code, field) in [(i.code, i.field) for i in issues]


def test_line_amount_rule() -> None:
    bad = valid(
        lines=[line(quantity=D(2), unit_price=D(25), amount=D("60.00"))],
        subtotal=D("60.00"),
        tax_total=D("11.40"),
        total=D("71.40"),
    )
    assert [(i.code, i.field) for i in check(bad)] == [("INV-LINE-AMOUNT", "lines[0].amount")]
    rounding = valid(
        lines=[line(quantity=D(3), unit_price=D("0.333"), amount=D("1.00"))],
        subtotal=D("1.00"),
        tax_total=D("0.19"),
        total=D("1.19"),
    )
    assert codes(rounding) == []


def test_a_return_line_prints_its_quantity_positive() -> None:
    lines = [
        line(quantity=D(2), unit_price=D("200.00"), amount=D("400.00")),
        line(quantity=D(6), unit_price=D("18.33"), amount=D("-109.98")),  # "FRITUUR VET RETOUR"
    ]
    ok = valid(lines=lines, subtotal=D("290.02"), tax_total=D("55.10"), total=D("345.12"))
    assert "INV-LINE-AMOUNT" not in codes(ok)
    wrong = [line(quantity=D(6), unit_price=D("18.33"), amount=D("-100.00"))]
    assert "INV-LINE-AMOUNT" in codes(valid(lines=wrong, subtotal=D("-100.00")))


@pytest.mark.parametrize(
    ("price", "basis", "quantity", "amount", "expected"),
    [
        (D("8.80"), D(1000), D(16000), D("140.80"), D("0.0088")),  # a price per 1,000 kWh
        (D("0.00880"), D("0.00880"), D(16000), D("140.80"), D("0.00880")),  # basis = price
        (D("1273"), D("1273"), D(1), D("1273"), D("1273")),
        (D("12.00"), D(1), D(2), D("24.00"), D("12.00")),
        (D("12.00"), None, D(2), D("24.00"), D("12.00")),
        (D("10.00"), D(10), D(5), D("7.00"), D("1.00")),  # fits neither: the standard reading
    ],
)
def test_a_price_is_per_its_base_quantity_unless_that_cannot_be(
    price: Decimal, basis: Decimal | None, quantity: Decimal, amount: Decimal, expected: Decimal
) -> None:
    assert per_unit_price(price, basis, quantity, amount) == expected


def test_declared_breakdown_rules() -> None:
    breakdown = [TaxSubtotal("S", D(19), D("100.00"), D("19.50"))]
    found = codes(valid(), breakdown=breakdown)
    assert "BR-CO-17" in found
    assert "BR-CO-14" in found
    assert (
        codes(valid(), line_total=D("100.00"), breakdown=[TaxSubtotal("S", D(19), D(100), D(19))])
        == []
    )
    assert "BR-CO-13" in codes(valid(allowance_total=D(5)), line_total=D("100.00"))


def test_vendor_master_and_po_list(tmp_path: Path) -> None:
    pl.DataFrame({"vendor_name": ["ACME gmbh"], "vendor_tax_id": ["DE 136 695 976"]}).write_csv(
        tmp_path / "vendors.csv"
    )
    pl.DataFrame({"po_number": ["PO-1"], "amount": ["100.00"]}).write_csv(tmp_path / "pos.csv")
    ctx = make_ctx(
        tmp_path, vendor_master="vendors.csv", po_list="pos.csv", po_tolerance=Decimal("0.25")
    )
    opts = ctx.client.invoices

    def ref(**changes: Any) -> list[str]:
        return [i.code for i in reference_issues(valid(**changes), opts, ctx.reference_frame)]

    assert ref() == []
    assert ref(vendor_tax_id=None, vendor_name="Acme") == []
    assert ref(vendor_tax_id="FR11123456782", vendor_name="Other") == ["INV-VENDOR-UNKNOWN"]
    assert ref(po_number=None) == ["INV-PO-MISSING"]
    assert ref(po_number="PO-9") == ["INV-PO-UNKNOWN"]
    assert ref(total=D("500.00")) == ["INV-PO-TOTAL"]
