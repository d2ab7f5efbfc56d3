"""UN/CEFACT Cross Industry Invoice (Factur-X / ZUGFeRD 2.x, XRechnung CII) and ZUGFeRD 1.0.

Elements are found by local name so the 1.0 names (``HeaderExchangedDocument``,
``ApplicableSupplyChainTradeSettlement``...) and the 2.x names share one reader.
"""

from __future__ import annotations

from decimal import Decimal
from xml.etree.ElementTree import Element

from tasks.invoices.candidate import Candidate, TaxSubtotal, line
from tasks.invoices.dates import parse_date
from tasks.invoices.xml_safe import (
    amount_text,
    in_currency,
    ns_any,
    per_unit_price,
    tax_total_issue,
    text,
    xml_decimal,
)

_DOC = ("ExchangedDocument", "HeaderExchangedDocument")
_TRANSACTION = ("SupplyChainTradeTransaction", "SpecifiedSupplyChainTradeTransaction")
_AGREEMENT = ("ApplicableHeaderTradeAgreement", "ApplicableSupplyChainTradeAgreement")
_SETTLEMENT = ("ApplicableHeaderTradeSettlement", "ApplicableSupplyChainTradeSettlement")
_SUMMATION = (
    "SpecifiedTradeSettlementHeaderMonetarySummation",
    "SpecifiedTradeSettlementMonetarySummation",
)


def _first(el: Element | None, names: tuple[str, ...]) -> Element | None:
    if el is None:
        return None
    for name in names:
        found = el.find(ns_any(name))
        if found is not None:
            return found
    return None


def _date(el: Element | None, path: str) -> str | None:
    raw = text(el, path + "/DateTimeString")
    if raw and len(raw) == 8 and raw.isdigit():
        return f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    return raw


def _party(cand: Candidate, party: Element | None, prefix: str) -> None:
    cand.set_text(f"{prefix}_name", text(party, "Name"))
    if prefix == "vendor":
        tax_id = None
        for reg in (
            party.findall(ns_any("SpecifiedTaxRegistration/ID")) if party is not None else []
        ):
            if reg.get("schemeID") == "VA" or tax_id is None:
                tax_id = (reg.text or "").strip() or tax_id
        cand.set_text("vendor_tax_id", tax_id)
        country = text(party, "PostalTradeAddress/CountryID")
        if country:
            cand.raw["vendor_country"] = country.upper()


def parse_cii(root: Element) -> Candidate:
    cand = Candidate(source="cii")
    doc = _first(root, _DOC)
    cand.set_text("invoice_number", text(doc, "ID"))
    cand.set_text("document_type", text(doc, "TypeCode"))
    cand.set_date("invoice_date", _date(doc, "IssueDateTime"))
    tx = _first(root, _TRANSACTION)
    agreement = _first(tx, _AGREEMENT)
    settlement = _first(tx, _SETTLEMENT)
    _party(cand, _first(agreement, ("SellerTradeParty",)), "vendor")
    _party(cand, _first(agreement, ("BuyerTradeParty",)), "buyer")
    cand.set_text("po_number", text(agreement, "BuyerOrderReferencedDocument/IssuerAssignedID"))
    currency = text(settlement, "InvoiceCurrencyCode")
    cand.set_text("currency", currency)
    cand.set_text(
        "vendor_iban",
        text(
            settlement,
            "SpecifiedTradeSettlementPaymentMeans/PayeePartyCreditorFinancialAccount/IBANID",
        ),
    )
    due = _date(settlement, "SpecifiedTradePaymentTerms/DueDateDateTime")
    if due and parse_date(due).value is not None:
        cand.set_date("due_date", due)
    summation = _first(settlement, _SUMMATION)
    cand.set_amount("subtotal", amount_text(summation, "TaxBasisTotalAmount", currency))
    taxes = summation.findall(ns_any("TaxTotalAmount")) if summation is not None else []
    own_tax = in_currency(taxes, currency)
    cand.set_amount("tax_total", own_tax[0].text if own_tax else None)
    if (problem := tax_total_issue(taxes, currency)) is not None:
        cand.issues.append(problem)
    cand.set_amount("total", amount_text(summation, "GrandTotalAmount", currency))
    cand.set_amount("allowance_total", amount_text(summation, "AllowanceTotalAmount", currency))
    cand.set_amount("charge_total", amount_text(summation, "ChargeTotalAmount", currency))
    cand.line_total = xml_decimal(amount_text(summation, "LineTotalAmount", currency))
    for tax in settlement.findall(ns_any("ApplicableTradeTax")) if settlement is not None else []:
        cand.tax_breakdown.append(
            TaxSubtotal(
                category=text(tax, "CategoryCode"),
                rate=xml_decimal(
                    text(tax, "RateApplicablePercent") or text(tax, "ApplicablePercent")
                ),
                taxable=xml_decimal(text(tax, "BasisAmount")),
                tax=xml_decimal(text(tax, "CalculatedAmount")),
            )
        )
    items = tx.findall(ns_any("IncludedSupplyChainTradeLineItem")) if tx is not None else []
    cand.values["lines"] = [_line(item) for item in items if not _text_only(item)]
    return cand


def _text_only(item: Element) -> bool:
    """A ZUGFeRD 1.0 text line: a note in the line list with no product, quantity or amount
    (``<SpecifiedSupplyChainTradeSettlement />``). It carries information, not a sale."""
    return not any(
        item.find(f".//{ns_any(tag)}") is not None
        for tag in ("SpecifiedTradeProduct", "BilledQuantity", "LineTotalAmount", "ChargeAmount")
    )


def _line(item: Element) -> dict[str, object]:
    settle = _first(item, ("SpecifiedLineTradeSettlement", "SpecifiedSupplyChainTradeSettlement"))
    delivery = _first(item, ("SpecifiedLineTradeDelivery", "SpecifiedSupplyChainTradeDelivery"))
    agreement = _first(item, ("SpecifiedLineTradeAgreement", "SpecifiedSupplyChainTradeAgreement"))
    price_el = _first(agreement, ("NetPriceProductTradePrice",))
    tax = _first(settle, ("ApplicableTradeTax",))
    amount = xml_decimal(
        text(settle, "SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount")
        or text(settle, "SpecifiedTradeSettlementMonetarySummation/LineTotalAmount")
    )
    quantity = xml_decimal(text(delivery, "BilledQuantity"))
    return line(
        adjustment=line_adjustment(
            settle, "SpecifiedTradeAllowanceCharge", "ChargeIndicator/Indicator"
        ),
        description=text(item, "SpecifiedTradeProduct/Name"),
        quantity=quantity,
        unit_price=per_unit_price(
            xml_decimal(text(price_el, "ChargeAmount")),
            xml_decimal(text(price_el, "BasisQuantity")),
            quantity,
            amount,
        ),
        amount=amount,
        tax_category=text(tax, "CategoryCode"),
        tax_rate=xml_decimal(text(tax, "RateApplicablePercent") or text(tax, "ApplicablePercent")),
    )


def line_adjustment(el: Element | None, tag: str, indicator: str) -> Decimal | None:
    """Charges minus allowances of a line (CII and UBL use the same shape, other names)."""
    if el is None:
        return None
    total: Decimal | None = None
    for ac in el.findall(ns_any(tag)):
        amount = xml_decimal(text(ac, "ActualAmount") or text(ac, "Amount"))
        if amount is None:
            continue
        charge = (text(ac, indicator) or "").lower() == "true"
        total = (total or Decimal(0)) + (amount if charge else -amount)
    return total
