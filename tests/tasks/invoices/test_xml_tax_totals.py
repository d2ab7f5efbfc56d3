"""How the XML readers take the VAT total and its breakdown, as EN 16931's rules read them."""

from __future__ import annotations

from decimal import Decimal

from tasks.invoices.candidate import Candidate
from tasks.invoices.validate import own_issues
from tasks.invoices.xml_cii import parse_cii
from tasks.invoices.xml_safe import parse_xml
from tasks.invoices.xml_ubl import parse_ubl

UBL = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:{kind}-2"'
    ' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"'
    ' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
)
CII = (
    'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"'
    ' xmlns:ram="urn:un:unece:uncefact:data:standard:'
    'ReusableAggregateBusinessInformationEntity:100"'
)


def _ubl(body: str, kind: str = "Invoice") -> Candidate:
    root = parse_xml(f"<{kind} {UBL.format(kind=kind)}>{body}</{kind}>".encode())
    return parse_ubl(root)  # type: ignore[arg-type]


def _cii(summation: str) -> Candidate:
    xml = (
        f"<rsm:CrossIndustryInvoice {CII}><rsm:SupplyChainTradeTransaction>"
        "<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>DKK</ram:InvoiceCurrencyCode>"
        "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
        f"{summation}"
        "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
        "</ram:ApplicableHeaderTradeSettlement>"
        "</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"
    )
    return parse_cii(parse_xml(xml.encode()))  # type: ignore[arg-type]


def _codes(cand: Candidate) -> list[str]:
    return [i.code for i in own_issues(cand)]


_TOTALS = (
    "<cac:LegalMonetaryTotal>"
    '<cbc:TaxExclusiveAmount currencyID="EUR">5000.00</cbc:TaxExclusiveAmount>'
    '<cbc:TaxInclusiveAmount currencyID="EUR">5700.00</cbc:TaxInclusiveAmount>'
    "</cac:LegalMonetaryTotal>"
)


def test_two_vat_totals_in_the_invoice_currency_are_an_error() -> None:
    cand = _ubl(
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>"
        '<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">700.00</cbc:TaxAmount></cac:TaxTotal>'
        '<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">715</cbc:TaxAmount></cac:TaxTotal>' + _TOTALS
    )
    assert "BR-CO-15" in _codes(cand)


def test_a_vat_total_restated_in_the_accounting_currency_is_fine() -> None:
    cand = _ubl(
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>"
        '<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">700.00</cbc:TaxAmount></cac:TaxTotal>'
        '<cac:TaxTotal><cbc:TaxAmount currencyID="DKK">5215.00</cbc:TaxAmount></cac:TaxTotal>'
        + _TOTALS
    )
    assert cand.values["tax_total"] == Decimal("700.00")
    assert "BR-CO-15" not in _codes(cand)


def test_a_vat_total_only_in_another_currency_is_missing_in_the_invoice_currency() -> None:
    cand = _cii(
        '<ram:TaxBasisTotalAmount currencyID="DKK">4000.00</ram:TaxBasisTotalAmount>'
        '<ram:TaxTotalAmount currencyID="EUR">675.00</ram:TaxTotalAmount>'
        '<ram:GrandTotalAmount currencyID="DKK">4675.00</ram:GrandTotalAmount>'
    )
    assert "tax_total" not in cand.values  # EUR is not the invoice's VAT total
    issues = [i for i in own_issues(cand) if i.code == "BR-CO-15"]
    assert len(issues) == 1
    assert "DKK" in issues[0].message


def test_a_breakdown_without_a_tax_total_is_still_checked() -> None:
    cand = _ubl(
        "<cac:TaxTotal><cac:TaxSubtotal>"
        "<cbc:TaxableAmount>1000</cbc:TaxableAmount><cbc:TaxAmount>251</cbc:TaxAmount>"
        "<cac:TaxCategory><cbc:Percent>25</cbc:Percent></cac:TaxCategory>"
        "</cac:TaxSubtotal></cac:TaxTotal>"
    )
    assert "BR-CO-17" in _codes(cand)


def test_a_credit_note_without_its_type_code_is_read_as_one_and_flagged() -> None:
    cand = _ubl("<cbc:ID>CN-1</cbc:ID>", kind="CreditNote")
    assert cand.values["document_type"] == "381"
    assert "BR-04" in _codes(cand)
    typed = _ubl("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>", kind="CreditNote")
    assert "BR-04" not in _codes(typed)


def _cii_breakdown(calculated: str) -> Candidate:
    xml = (
        f"<rsm:CrossIndustryInvoice {CII}><rsm:SupplyChainTradeTransaction>"
        "<ram:ApplicableHeaderTradeSettlement><ram:ApplicableTradeTax>"
        f"<ram:CalculatedAmount>{calculated}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>"
        "<ram:BasisAmount>69180.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>"
        "<ram:RateApplicablePercent>27.00</ram:RateApplicablePercent>"
        "</ram:ApplicableTradeTax></ram:ApplicableHeaderTradeSettlement>"
        "</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"
    )
    return parse_cii(parse_xml(xml.encode()))  # type: ignore[arg-type]


def _ubl_breakdown(tax: str) -> Candidate:
    return _ubl(
        "<cac:TaxTotal><cac:TaxSubtotal>"
        f"<cbc:TaxableAmount>69180.00</cbc:TaxableAmount><cbc:TaxAmount>{tax}</cbc:TaxAmount>"
        "<cac:TaxCategory><cbc:Percent>27</cbc:Percent></cac:TaxCategory>"
        "</cac:TaxSubtotal></cac:TaxTotal>"
    )


def test_vat_rounded_to_whole_forints_passes_the_cii_rule_as_the_official_one_does() -> None:
    # 69180.00 x 27% = 18678.60; CII's BR-CO-17 accepts within 1.00, UBL's to the cent.
    assert "BR-CO-17" not in _codes(_cii_breakdown("18679.00"))
    assert "BR-CO-17" in _codes(_cii_breakdown("18679.61"))
    assert "BR-CO-17" in _codes(_ubl_breakdown("18679.00"))
    assert "BR-CO-17" not in _codes(_ubl_breakdown("18678.60"))
