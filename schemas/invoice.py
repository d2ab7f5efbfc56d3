"""The invoice: the one truth about an accounts-payable record.

Canonical fields are those of DESIGN.md plus ``document_type`` (UNTDID 1001: ``380`` invoice,
``381`` credit note...), the seller's IBAN and the document-level allowance/charge totals that
EN 16931 needs to tie the line sum to the subtotal (BR-CO-13). The Polars dtypes of the records
frame (``INVOICE_SCHEMA``, ``LINE_SCHEMA``) derive from these models;
``tests/schemas/test_invoice.py`` proves they agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from schemas.frames import dtype_for, polars_schema, required_fields

Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]
Quantity = Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
UnitPrice = Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
Percent = Annotated[Decimal, Field(max_digits=7, decimal_places=3)]

#: UNTDID 1001 document type codes for invoices (BR-CL-01 subset) and credit notes.
_INVOICE_CODES = (
    "71 80 82 84 102 218 219 326 331 380 382 383 384 386 387 388 389 390 393 394 395 470 471"
    " 472 473 500 501 502 503 527 553 575 623 751 780 817 870 875 876 877 935"
)
INVOICE_TYPE_CODES = frozenset(_INVOICE_CODES.split())
CREDIT_NOTE_TYPE_CODES = frozenset(
    ["81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"]
)


class InvoiceLine(BaseModel):
    """One line item; ``amount`` is the line net amount (EN 16931 BT-131)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: Annotated[str, Field(max_length=1000)] | None = None
    quantity: Quantity | None = None
    unit_price: UnitPrice | None = None
    amount: Money
    #: Line-level charges minus allowances (BT-141 - BT-136), so amount = qty x price + this.
    adjustment: Money | None = None
    #: UNCL 5305 VAT category (S, Z, E, AE, K, G, O, L, M) and rate in percent, where known.
    tax_category: str | None = None
    tax_rate: Percent | None = None


class Invoice(BaseModel):
    """One invoice or credit note (EN 16931 core, as much as AP processing needs)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_type: Annotated[str, Field(pattern=r"^\d{3}$")] = "380"
    invoice_number: Annotated[str, Field(min_length=1, max_length=100)]
    invoice_date: dt.date
    due_date: dt.date | None = None
    vendor_name: Annotated[str, Field(min_length=1, max_length=200)]
    vendor_tax_id: Annotated[str, Field(max_length=50)] | None = None
    vendor_iban: Annotated[str, Field(max_length=50)] | None = None
    buyer_name: Annotated[str, Field(min_length=1, max_length=200)]
    po_number: Annotated[str, Field(max_length=100)] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    subtotal: Money | None = None
    tax_total: Money | None = None
    total: Money
    allowance_total: Money | None = None
    charge_total: Money | None = None
    lines: tuple[InvoiceLine, ...] = ()


#: Canonical field names of DESIGN.md, in order (``record_json`` always carries these).
CANONICAL_FIELDS: tuple[str, ...] = (
    "invoice_number",
    "invoice_date",
    "due_date",
    "vendor_name",
    "vendor_tax_id",
    "buyer_name",
    "po_number",
    "currency",
    "subtotal",
    "tax_total",
    "total",
    "lines",
)
#: Fields ``record_json`` adds only when they hold a value (XML invoices mostly).
OPTIONAL_EXTRA_FIELDS: tuple[str, ...] = ("vendor_iban", "allowance_total", "charge_total")

LINE_SCHEMA: dict[str, pl.DataType] = polars_schema(InvoiceLine)
#: Scalar columns of the records frame, derived from :class:`Invoice` (``lines`` excluded).
INVOICE_SCHEMA: dict[str, pl.DataType] = {
    name: dtype_for(info) for name, info in Invoice.model_fields.items() if name != "lines"
}
#: ``lines`` column: a list of structs with the :class:`InvoiceLine` fields.
LINES_DTYPE = pl.List(pl.Struct(LINE_SCHEMA))
INVOICE_REQUIRED: list[str] = required_fields(Invoice)
MONEY_FIELDS: tuple[str, ...] = tuple(
    n for n, t in INVOICE_SCHEMA.items() if isinstance(t, pl.Decimal) and t.scale == 2
)
DATE_FIELDS: tuple[str, ...] = tuple(n for n, t in INVOICE_SCHEMA.items() if t == pl.Date())
