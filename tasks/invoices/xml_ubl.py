"""UBL 2.1 Invoice and CreditNote (Peppol BIS Billing 3, XRechnung UBL)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from schemas.issue import Issue
from tasks.invoices.candidate import Candidate, TaxSubtotal, line
from tasks.invoices.xml_cii import line_adjustment
from tasks.invoices.xml_safe import (
    amount_text,
    in_currency,
    ns_any,
    per_unit_price,
    tax_total_issue,
    text,
    xml_decimal,
)


def _party_name(party: Element | None) -> str | None:
    return text(party, "Party/PartyLegalEntity/RegistrationName") or text(
        party, "Party/PartyName/Name"
    )


def parse_ubl(root: Element) -> Candidate:
    cand = Candidate(source="ubl")
    credit = root.tag.endswith("CreditNote")
    cand.set_text("invoice_number", text(root, "ID"))
    type_code = text(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode")
    cand.set_text("document_type", type_code or ("381" if credit else None))
    if credit and not type_code:  # read as a credit note all the same; BR-04 still applies
        cand.issues.append(
            Issue(
                code="BR-04",
                field="document_type",
                message="The credit note has no CreditNoteTypeCode (381 is assumed); add it.",
            )
        )
    cand.set_date("invoice_date", text(root, "IssueDate"))
    cand.set_date("due_date", text(root, "DueDate") or text(root, "PaymentMeans/PaymentDueDate"))
    currency = text(root, "DocumentCurrencyCode")
    cand.set_text("currency", currency)
    seller = root.find(ns_any("AccountingSupplierParty"))
    cand.set_text("vendor_name", _party_name(seller))
    cand.set_text("vendor_tax_id", text(seller, "Party/PartyTaxScheme/CompanyID"))
    country = text(seller, "Party/PostalAddress/Country/IdentificationCode")
    if country:
        cand.raw["vendor_country"] = country.upper()
    cand.set_text("buyer_name", _party_name(root.find(ns_any("AccountingCustomerParty"))))
    cand.set_text("po_number", text(root, "OrderReference/ID"))
    cand.set_text("vendor_iban", text(root, "PaymentMeans/PayeeFinancialAccount/ID"))
    totals = root.find(ns_any("LegalMonetaryTotal"))
    cand.set_amount("subtotal", amount_text(totals, "TaxExclusiveAmount", currency))
    cand.set_amount("total", amount_text(totals, "TaxInclusiveAmount", currency))
    cand.set_amount("allowance_total", amount_text(totals, "AllowanceTotalAmount", currency))
    cand.set_amount("charge_total", amount_text(totals, "ChargeTotalAmount", currency))
    cand.line_total = xml_decimal(amount_text(totals, "LineExtensionAmount", currency))
    tax_totals = root.findall(ns_any("TaxTotal"))
    amounts = [a for t in tax_totals if (a := t.find(ns_any("TaxAmount"))) is not None]
    if (problem := tax_total_issue(amounts, currency)) is not None:
        cand.issues.append(problem)
    # The invoice-currency TaxTotal (another may restate the VAT in the accounting currency);
    # one without a TaxAmount still carries its breakdown.
    for tax_total in tax_totals:
        amount = tax_total.find(ns_any("TaxAmount"))
        if amount is not None and not in_currency([amount], currency):
            continue
        if amount is not None:
            cand.set_amount("tax_total", amount.text)
        for sub in tax_total.findall(ns_any("TaxSubtotal")):
            cand.tax_breakdown.append(
                TaxSubtotal(
                    category=text(sub, "TaxCategory/ID"),
                    rate=xml_decimal(text(sub, "TaxCategory/Percent")),
                    taxable=xml_decimal(text(sub, "TaxableAmount")),
                    tax=xml_decimal(text(sub, "TaxAmount")),
                )
            )
        break
    tag = "CreditNoteLine" if credit else "InvoiceLine"
    cand.values["lines"] = [_line(item, credit) for item in root.findall(ns_any(tag))]
    return cand


def _line(item: Element, credit: bool) -> dict[str, object]:
    quantity = xml_decimal(text(item, "CreditedQuantity" if credit else "InvoicedQuantity"))
    amount = xml_decimal(text(item, "LineExtensionAmount"))
    return line(
        adjustment=line_adjustment(item, "AllowanceCharge", "ChargeIndicator"),
        description=text(item, "Item/Name"),
        quantity=quantity,
        unit_price=per_unit_price(
            xml_decimal(text(item, "Price/PriceAmount")),
            xml_decimal(text(item, "Price/BaseQuantity")),
            quantity,
            amount,
        ),
        amount=amount,
        tax_category=text(item, "Item/ClassifiedTaxCategory/ID"),
        tax_rate=xml_decimal(text(item, "Item/ClassifiedTaxCategory/Percent")),
    )
