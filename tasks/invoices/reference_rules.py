"""Rules against the client's reference data: vendor master and open purchase orders."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import polars as pl

from schemas.invoice_options import InvoiceOptions
from schemas.issue import Issue
from schemas.money import parse_amount
from tasks.invoices.identifiers import compact_tax_id

_LEGAL_FORMS = re.compile(
    r"\b(gmbh|ag|kg|ohg|ug|sa|sas|sarl|srl|spa|bv|nv|sl|ltd|limited|llc|inc|corp|co|plc)\b\.?"
)


def normalise_name(name: str) -> str:
    """Vendor names compared without case, punctuation or legal form (``ACME GmbH`` = ``Acme``)."""
    s = _LEGAL_FORMS.sub(" ", name.lower())
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def _column(frame: pl.DataFrame, name: str) -> list[str]:
    if name not in frame.columns:
        return []
    return [v for v in frame.get_column(name).to_list() if v]


def vendor_issues(values: Mapping[str, Any], master: pl.DataFrame) -> list[Issue]:
    """``INV-VENDOR-UNKNOWN`` unless the tax id (else the name) is in the vendor master."""
    tax_ids = {compact_tax_id(v) for v in _column(master, "vendor_tax_id")}
    names = {normalise_name(v) for v in _column(master, "vendor_name")}
    tax_id, name = values.get("vendor_tax_id"), values.get("vendor_name")
    if isinstance(tax_id, str) and compact_tax_id(tax_id) in tax_ids:
        return []
    if isinstance(name, str) and normalise_name(name) in names:
        return []
    shown = tax_id or name or "(no vendor)"
    return [
        Issue(
            code="INV-VENDOR-UNKNOWN",
            field="vendor_tax_id" if tax_id else "vendor_name",
            message=f"Vendor {shown!r} is not in the vendor master; add the vendor or reject.",
        )
    ]


def po_issues(values: Mapping[str, Any], pos: pl.DataFrame, tolerance: Decimal) -> list[Issue]:
    """``INV-PO-MISSING`` / ``INV-PO-UNKNOWN`` / ``INV-PO-TOTAL`` against open purchase orders."""
    po = values.get("po_number")
    if not isinstance(po, str) or not po.strip():
        return [
            Issue(
                code="INV-PO-MISSING",
                field="po_number",
                message="No purchase order number on the invoice; ask the requester for it.",
            )
        ]
    amounts = (
        dict(zip(_column(pos, "po_number"), pos.get_column("amount").to_list(), strict=True))
        if "amount" in pos.columns and "po_number" in pos.columns
        else {}
    )
    key = po.strip()
    if key not in amounts:
        return [
            Issue(
                code="INV-PO-UNKNOWN",
                field="po_number",
                message=f"Purchase order {key!r} is not in the open PO list.",
            )
        ]
    po_amount = parse_amount(amounts[key] or "")
    total = values.get("total")
    if po_amount is None or not isinstance(total, Decimal):
        return []
    if abs(total - po_amount) > abs(po_amount) * tolerance:
        return [
            Issue(
                code="INV-PO-TOTAL",
                field="total",
                message=(
                    f"Total {total} differs from PO {key} amount {po_amount} by more than"
                    f" {tolerance * 100}%."
                ),
            )
        ]
    return []


def reference_issues(values: Mapping[str, Any], options: InvoiceOptions, load: Any) -> list[Issue]:
    """Run the reference rules the client configured; ``load(path)`` gives a string frame."""
    out: list[Issue] = []
    if options.vendor_master:
        out.extend(vendor_issues(values, load(options.vendor_master)))
    if options.po_list:
        out.extend(po_issues(values, load(options.po_list), options.po_tolerance))
    return out
