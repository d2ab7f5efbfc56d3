from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from pydantic import ValidationError

from schemas.invoice import (
    CANONICAL_FIELDS,
    INVOICE_REQUIRED,
    INVOICE_SCHEMA,
    LINE_SCHEMA,
    LINES_DTYPE,
    Invoice,
    InvoiceLine,
)


def test_polars_schema_derives_from_the_model() -> None:
    assert set(INVOICE_SCHEMA) == set(Invoice.model_fields) - {"lines"}
    assert INVOICE_SCHEMA["total"] == pl.Decimal(18, 2)
    assert INVOICE_SCHEMA["invoice_date"] == pl.Date()
    assert pl.List(pl.Struct(LINE_SCHEMA)) == LINES_DTYPE
    assert list(LINE_SCHEMA) == list(InvoiceLine.model_fields)
    assert LINE_SCHEMA["amount"] == pl.Decimal(18, 2)


def test_canonical_fields_are_model_fields() -> None:
    assert set(CANONICAL_FIELDS) <= set(Invoice.model_fields)
    assert INVOICE_REQUIRED == [
        "invoice_number",
        "invoice_date",
        "vendor_name",
        "buyer_name",
        "currency",
        "total",
    ]


def test_model_is_frozen_and_strict() -> None:
    inv = Invoice(
        invoice_number="1",
        invoice_date=dt.date(2026, 1, 1),
        vendor_name="V",
        buyer_name="B",
        currency="EUR",
        total=Decimal("-10.00"),
        document_type="381",
    )
    with pytest.raises(ValidationError):
        Invoice.model_validate({**inv.model_dump(), "surprise": 1})
    with pytest.raises(ValidationError):
        Invoice.model_validate({**inv.model_dump(), "total": Decimal("1.005")})
