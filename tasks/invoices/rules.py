"""Per-invoice business rules. Codes are the EN 16931 ids where one exists.

A rule only speaks when the data it needs is there: ``BR-CO-15`` (subtotal + tax = total)
is silent when the subtotal is missing, because ``BR-02``..``BR-14`` already name what is
missing. Example: subtotal 100.00, tax 19.00, total 118.00 gives ``BR-CO-15`` on ``total``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from schemas.invoice import CREDIT_NOTE_TYPE_CODES, INVOICE_TYPE_CODES, MONEY_FIELDS
from schemas.issue import Issue
from schemas.money import CENT, decimal_places, to_cents
from tasks.invoices.amounts import is_currency
from tasks.invoices.candidate import TaxSubtotal
from tasks.invoices.identifiers import iban_issue, vat_id_issue

#: Required field -> (EN 16931 rule id, what it is called on the document).
REQUIRED: dict[str, tuple[str, str]] = {
    "invoice_number": ("BR-02", "invoice number"),
    "invoice_date": ("BR-03", "invoice issue date"),
    "document_type": ("BR-04", "document type code"),
    "currency": ("BR-05", "invoice currency code"),
    "vendor_name": ("BR-06", "seller name"),
    "buyer_name": ("BR-07", "buyer name"),
    "total": ("BR-14", "invoice total amount with VAT"),
}
LINE_TOLERANCE = CENT


def _dec(values: Mapping[str, Any], name: str) -> Decimal | None:
    v = values.get(name)
    return v if isinstance(v, Decimal) else None


def required_issues(values: Mapping[str, Any]) -> list[Issue]:
    out = []
    for name, (code, label) in REQUIRED.items():
        v = values.get(name)
        if v is None or (isinstance(v, str) and not v.strip()):
            out.append(Issue(code=code, field=name, message=f"The {label} is missing; enter it."))
    return out


def format_issues(values: Mapping[str, Any]) -> list[Issue]:
    out = []
    doc_type = values.get("document_type")
    if isinstance(doc_type, str) and doc_type not in INVOICE_TYPE_CODES | CREDIT_NOTE_TYPE_CODES:
        out.append(
            Issue(
                code="BR-CL-01",
                field="document_type",
                message=f"Document type {doc_type!r} is not an invoice (380) or credit note (381).",
            )
        )
    currency = values.get("currency")
    if isinstance(currency, str) and currency and not is_currency(currency):
        out.append(
            Issue(
                code="BR-CL-04",
                field="currency",
                message=f"{currency!r} is not an ISO 4217 currency code (EUR, USD, GBP...).",
            )
        )
    for name in MONEY_FIELDS:
        v = _dec(values, name)
        if v is not None and decimal_places(v) > 2:
            out.append(_decimals_issue(name, v))
    for i, ln in enumerate(values.get("lines") or ()):
        amount = ln.get("amount")
        if isinstance(amount, Decimal) and decimal_places(amount) > 2:
            out.append(_decimals_issue(f"lines[{i}].amount", amount))
    tax_id = values.get("vendor_tax_id")
    if isinstance(tax_id, str) and (issue := vat_id_issue(tax_id)) is not None:
        out.append(issue)
    iban = values.get("vendor_iban")
    if isinstance(iban, str) and (issue := iban_issue(iban)) is not None:
        out.append(issue)
    return out


def _decimals_issue(field: str, value: Decimal) -> Issue:
    return Issue(
        code="INV-AMOUNT-DECIMALS",
        field=field,
        message=f"{value} has more than two decimals; check the amount and enter it in cents.",
    )


def date_issues(values: Mapping[str, Any]) -> list[Issue]:
    issued, due = values.get("invoice_date"), values.get("due_date")
    if isinstance(issued, dt.date) and isinstance(due, dt.date) and due < issued:
        return [
            Issue(
                code="INV-DUE-BEFORE-ISSUE",
                field="due_date",
                message=f"Due date {due} is before the invoice date {issued}.",
            )
        ]
    return []


def line_issues(lines: Sequence[Mapping[str, Any]], *, credit: bool = False) -> list[Issue]:
    """``INV-LINE-AMOUNT``: amount = quantity x unit price (+ adjustment), within a cent. A credit
    note, or a return line of an invoice (a negative amount), may print positive quantities and
    prices."""
    out = []
    for i, ln in enumerate(lines):
        qty, price, amount = ln.get("quantity"), ln.get("unit_price"), ln.get("amount")
        if amount is None:
            out.append(
                Issue(
                    code="BR-24",
                    field=f"lines[{i}].amount",
                    message="The line net amount is missing; enter it.",
                )
            )
            continue
        if isinstance(qty, Decimal) and isinstance(price, Decimal):
            adjustment = ln.get("adjustment")
            expected = qty * price + (adjustment if isinstance(adjustment, Decimal) else 0)
            off = abs(expected - amount)
            if credit or amount < 0:
                off = min(off, abs(abs(expected) - abs(amount)))
            if off > LINE_TOLERANCE:
                out.append(
                    Issue(
                        code="INV-LINE-AMOUNT",
                        field=f"lines[{i}].amount",
                        message=(
                            f"Line amount {amount} is not quantity {qty} x unit price {price}"
                            f" = {to_cents(expected)}."
                        ),
                    )
                )
    return out


def total_issues(
    values: Mapping[str, Any],
    *,
    line_total: Decimal | None = None,
    breakdown: Sequence[TaxSubtotal] = (),
    vat_tolerance: Decimal = CENT,
) -> list[Issue]:
    """BR-CO-10 (lines), BR-CO-13 (allowances/charges), BR-CO-14/15/17 (tax and total).

    ``vat_tolerance`` is how far a declared VAT category amount may stand from its taxable
    amount x rate (BR-CO-17): a cent, or what the syntax's official rule allows (CII accepts
    1.00, which currencies rounded to whole units need: 69180 HUF x 27% = 18678.60, billed
    18679)."""
    out: list[Issue] = []
    subtotal, tax, total = (
        _dec(values, "subtotal"),
        _dec(values, "tax_total"),
        _dec(values, "total"),
    )
    allowances = _dec(values, "allowance_total") or Decimal(0)
    charges = _dec(values, "charge_total") or Decimal(0)
    lines = list(values.get("lines") or ())
    amounts = [ln.get("amount") for ln in lines]
    line_sum = sum((a for a in amounts if isinstance(a, Decimal)), Decimal(0))
    if lines and all(isinstance(a, Decimal) for a in amounts):
        target = line_total
        if target is None and subtotal is not None:
            target = subtotal + allowances - charges
        if target is not None and line_sum != target:
            out.append(
                Issue(
                    code="BR-CO-10",
                    field="subtotal",
                    message=f"The lines add up to {line_sum}, the invoice says {target}.",
                )
            )
    if line_total is not None and subtotal is not None:
        expected = line_total - allowances + charges
        if expected != subtotal:
            out.append(
                Issue(
                    code="BR-CO-13",
                    field="subtotal",
                    message=(
                        f"Subtotal {subtotal} is not line total {line_total} - allowances"
                        f" {allowances} + charges {charges} = {expected}."
                    ),
                )
            )
    if subtotal is not None and tax is not None and total is not None and subtotal + tax != total:
        out.append(
            Issue(
                code="BR-CO-15",
                field="total",
                message=f"Total {total} is not subtotal {subtotal} + tax {tax} = {subtotal + tax}.",
            )
        )
    out.extend(_tax_issues(tax, lines, breakdown, allowances + charges != 0, vat_tolerance))
    return out


def _tax_issues(
    tax: Decimal | None,
    lines: Sequence[Mapping[str, Any]],
    breakdown: Sequence[TaxSubtotal],
    has_allowances: bool,
    vat_tolerance: Decimal,
) -> list[Issue]:
    out: list[Issue] = []
    if breakdown:
        declared = [b.tax for b in breakdown if b.tax is not None]
        if tax is not None and declared and sum(declared, Decimal(0)) != tax:
            out.append(
                Issue(
                    code="BR-CO-14",
                    field="tax_total",
                    message=f"Tax total {tax} is not the sum of the VAT breakdown {sum(declared)}.",
                )
            )
        for i, b in enumerate(breakdown):
            if b.rate is None or b.taxable is None or b.tax is None:
                continue
            expected = to_cents(b.taxable * b.rate / 100)
            if abs(expected - b.tax) > vat_tolerance:
                out.append(
                    Issue(
                        code="BR-CO-17",
                        field=f"tax_breakdown[{i}]",
                        message=(
                            f"VAT {b.category or ''} {b.rate}%: {b.tax} is not {b.taxable} x"
                            f" {b.rate}% = {expected}."
                        ),
                    )
                )
        return out
    rated = [ln for ln in lines if isinstance(ln.get("tax_rate"), Decimal)]
    if tax is None or has_allowances or not lines or len(rated) != len(lines):
        return out
    groups: dict[tuple[str, Decimal], Decimal] = {}
    for ln in rated:
        key = (str(ln.get("tax_category") or ""), ln["tax_rate"])
        amount = ln.get("amount")
        groups[key] = groups.get(key, Decimal(0)) + (amount if isinstance(amount, Decimal) else 0)
    expected = sum((to_cents(v * rate / 100) for (_, rate), v in groups.items()), Decimal(0))
    if abs(expected - tax) > CENT * len(groups):
        out.append(
            Issue(
                code="BR-CO-17",
                field="tax_total",
                message=f"Tax total {tax} is not line amounts x their VAT rates = {expected}.",
            )
        )
    return out


def check(
    values: Mapping[str, Any],
    *,
    line_total: Decimal | None = None,
    breakdown: Sequence[TaxSubtotal] = (),
    vat_tolerance: Decimal = CENT,
) -> list[Issue]:
    """Every rule that needs only the invoice itself."""
    return [
        *required_issues(values),
        *format_issues(values),
        *date_issues(values),
        *line_issues(
            list(values.get("lines") or ()),
            credit=values.get("document_type") in CREDIT_NOTE_TYPE_CODES,
        ),
        *total_issues(
            values, line_total=line_total, breakdown=breakdown, vat_tolerance=vat_tolerance
        ),
        *zero_total_issues(values),
    ]


def zero_total_issues(values: Mapping[str, Any]) -> list[Issue]:
    """A total of zero (``0.00``, ``-0.00``) bills a transaction that moves no money: a person
    confirms it (a fully credited invoice, a placeholder) before it completes."""
    total = _dec(values, "total")
    if total is None or total != 0:
        return []
    return [
        Issue(
            code="INV-ZERO-TOTAL",
            field="total",
            message=(
                f"The invoice total is {total}: nothing is payable. Approve it if the invoice is"
                " meant to be zero (with the reason), or correct the total."
            ),
        )
    ]
