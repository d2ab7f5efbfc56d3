# ruff: noqa: E501  (XML templates read best unwrapped)
"""Generated invoice files for the demo, tests and benchmarks: PDFs in four layouts and six languages (fpdf2), XML
(UBL, CII), CSV/JSON batches, and hostile files. Nothing here reads the corpus."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from fpdf import FPDF

from schemas.money import to_cents

MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "INVOICE",
        "credit": "CREDIT NOTE",
        "number": "Invoice No",
        "date": "Invoice Date",
        "due": "Due Date",
        "from": "From",
        "to": "Bill To",
        "name": "Name",
        "vat": "VAT ID",
        "po": "PO Number",
        "desc": "Description",
        "qty": "Qty",
        "price": "Unit Price",
        "amount": "Amount",
        "subtotal": "Subtotal",
        "tax": "VAT",
        "total": "Total",
    },
    "de": {
        "title": "RECHNUNG",
        "credit": "GUTSCHRIFT",
        "number": "Rechnungsnummer",
        "date": "Rechnungsdatum",
        "due": "Fällig am",
        "from": "Lieferant",
        "to": "Kunde",
        "name": "Name",
        "vat": "USt-IdNr",
        "po": "Bestellnummer",
        "desc": "Bezeichnung",
        "qty": "Menge",
        "price": "Einzelpreis",
        "amount": "Betrag",
        "subtotal": "Nettobetrag",
        "tax": "MwSt",
        "total": "Gesamtbetrag",
    },
    "fr": {
        "title": "FACTURE",
        "credit": "AVOIR",
        "number": "Facture n°",
        "date": "Date de facture",
        "due": "Échéance",
        "from": "Fournisseur",
        "to": "Client",
        "name": "Nom",
        "vat": "N° TVA",
        "po": "Bon de commande",
        "desc": "Désignation",
        "qty": "Quantité",
        "price": "Prix unitaire",
        "amount": "Montant",
        "subtotal": "Total HT",
        "tax": "TVA",
        "total": "Total TTC",
    },
    "nl": {
        "title": "FACTUUR",
        "credit": "CREDITNOTA",
        "number": "Factuurnummer",
        "date": "Factuurdatum",
        "due": "Vervaldatum",
        "from": "Leverancier",
        "to": "Klant",
        "name": "Naam",
        "vat": "BTW-nummer",
        "po": "Bestelnummer",
        "desc": "Omschrijving",
        "qty": "Aantal",
        "price": "Prijs",
        "amount": "Bedrag",
        "subtotal": "Subtotaal",
        "tax": "BTW",
        "total": "Totaal",
    },
    "es": {
        "title": "FACTURA",
        "credit": "NOTA DE CRÉDITO",
        "number": "Número de factura",
        "date": "Fecha de factura",
        "due": "Vencimiento",
        "from": "Proveedor",
        "to": "Cliente",
        "name": "Nombre",
        "vat": "NIF",
        "po": "Pedido",
        "desc": "Descripción",
        "qty": "Cantidad",
        "price": "Precio unitario",
        "amount": "Importe",
        "subtotal": "Base imponible",
        "tax": "IVA",
        "total": "Importe total",
    },
    "it": {
        "title": "FATTURA",
        "credit": "NOTA DI CREDITO",
        "number": "Fattura n.",
        "date": "Data fattura",
        "due": "Scadenza",
        "from": "Fornitore",
        "to": "Cliente",
        "name": "Nome",
        "vat": "Partita IVA",
        "po": "Ordine",
        "desc": "Descrizione",
        "qty": "Quantità",
        "price": "Prezzo unitario",
        "amount": "Importo",
        "subtotal": "Imponibile",
        "tax": "IVA",
        "total": "Totale",
    },
}


def q2(v: Decimal) -> Decimal:
    return to_cents(v)


class PricedLines:
    """Subtotal, tax and total of ``lines`` (description, quantity, unit price) at
    ``tax_rate`` percent, each rounded half-up to cents as an invoice prints them."""

    lines: Sequence[tuple[str, Decimal, Decimal]]
    tax_rate: Decimal

    @property
    def subtotal(self) -> Decimal:
        return sum((q2(q * p) for _, q, p in self.lines), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return q2(self.subtotal * self.tax_rate / 100)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


@dataclass
class Spec(PricedLines):
    number: str = "INV-2026-001"
    date: dt.date = dt.date(2026, 3, 12)
    due: dt.date | None = dt.date(2026, 4, 11)
    vendor: str = "Acme Supplies GmbH"
    vendor_vat: str = "DE136695976"
    buyer: str = "Globex Corporation"
    po: str | None = "PO-7781"
    currency: str = "EUR"
    lines: list[tuple[str, Decimal, Decimal]] = field(
        default_factory=lambda: [
            ("Steel bolts M8", Decimal("100"), Decimal("0.45")),
            ("Consulting hours", Decimal("2.5"), Decimal("120.00")),
        ]
    )
    tax_rate: Decimal = Decimal("19")
    credit: bool = False
    #: Printed instead of the computed value (to break a rule on purpose).
    total_text: str | None = None
    date_text: str | None = None


def money_text(v: Decimal, lang: str) -> str:
    s = f"{abs(v):,.2f}"
    if lang in ("de", "nl", "es", "it"):
        s = s.replace(",", "_").replace(".", ",").replace("_", ".")
    elif lang == "fr":
        s = s.replace(",", " ").replace(".", ",")
    return ("-" if v < 0 else "") + s


def date_text(d: dt.date, lang: str) -> str:
    if lang == "en":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    if lang == "de":
        return d.strftime("%d.%m.%Y")
    if lang == "nl":
        return d.strftime("%d-%m-%Y")
    return d.strftime("%d/%m/%Y")


def _page(pdf: FPDF, spec: Spec, layout: str, lang: str) -> None:
    t = LABELS[lang]
    pdf.add_page()

    def money(v: Decimal) -> str:
        return money_text(v, lang)

    issued = spec.date_text or date_text(spec.date, lang)
    header = [
        (t["number"], spec.number),
        (t["date"], issued),
        *([(t["due"], date_text(spec.due, lang))] if spec.due else []),
        *([(t["po"], spec.po)] if spec.po else []),
        (t["vat"], spec.vendor_vat),
    ]
    if layout == "above":
        pdf.set_font("Helvetica", "B", 20)
        pdf.cell(0, 12, spec.vendor, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, "Industriestrasse 1, 10115 Berlin", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 14)
        pdf.cell(0, 10, t["credit"] if spec.credit else t["title"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        y = pdf.get_y()
        for k, (label, value) in enumerate(header):
            pdf.set_xy(10 + 38 * k, y)
            pdf.cell(36, 6, label)
            pdf.set_xy(10 + 38 * k, y + 6)
            pdf.cell(36, 6, value)
        pdf.set_xy(10, y + 18)
        pdf.cell(60, 6, t["to"] + ":", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(60, 6, spec.buyer, new_x="LMARGIN", new_y="NEXT")
    elif layout == "blocks":
        # Party blocks under headings, identifiers first (a layout common in German e-invoice
        # renderings): the name is a "Name:" row for the seller and a plain line for the buyer,
        # and the buyer's heading shares its line with another column's label.
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, t["credit"] if spec.credit else t["title"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for label, value in header:
            pdf.cell(50, 6, label + ":")
            pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.cell(0, 6, t["from"], new_x="LMARGIN", new_y="NEXT")
        for key, value in (("ID", "549910"), ("GLN", "4000001123452"), (t["name"], spec.vendor)):
            pdf.cell(50, 6, key + ":")
            pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, "Industriestrasse 1, 10115 Berlin", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        pdf.cell(100, 6, t["to"])
        pdf.cell(0, 6, "ID GE2020211", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(50, 6, "GLN")
        pdf.cell(0, 6, ": 4000001987658", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, spec.buyer, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, "Kundenstrasse 15, 69876 Frankfurt", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, t["credit"] if spec.credit else t["title"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        rows = [(t["from"], spec.vendor), *header, (t["to"], spec.buyer)]
        for label, value in rows:
            pdf.cell(50, 6, label + ":")
            pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    sign = Decimal(-1) if spec.credit else Decimal(1)
    widths = (80, 25, 40, 40)
    head = (t["desc"], t["qty"], t["price"], t["amount"])
    border: Literal[0, 1] = 1 if layout == "table" else 0
    pdf.set_font("Helvetica", "B", 10)
    for w, h in zip(widths, head, strict=True):
        pdf.cell(w, 7, h, border=border, align="L" if h == head[0] else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for desc, qty, price in spec.lines:
        cells = (desc, str(qty), money(price), money(sign * q2(qty * price)))
        for w, c in zip(widths, cells, strict=True):
            pdf.cell(w, 7, c, border=border, align="L" if c == desc else "R")
        pdf.ln()
    pdf.ln(4)
    totals = [
        (t["subtotal"], money(sign * spec.subtotal)),
        (f"{t['tax']} {spec.tax_rate}%", money(sign * spec.tax)),
        (t["total"] + f" {spec.currency}", spec.total_text or money(sign * spec.total)),
    ]
    for label, value in totals:
        pdf.set_x(105)
        pdf.cell(45, 7, label, border=border)
        pdf.cell(40, 7, value, border=border, align="R", new_x="LMARGIN", new_y="NEXT")


def make_pdf(specs: list[Spec] | Spec, layout: str = "right", lang: str = "en") -> bytes:
    pdf = FPDF()
    for spec in specs if isinstance(specs, list) else [specs]:
        _page(pdf, spec, layout, lang)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 10, "Invoice No: X-1")
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A 'scan': one raster image and no text."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 8 for _ in range(8))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(png), x=10, y=10, w=180)
    return bytes(pdf.output())


def blank_text_pdf(pages: int, text: str = "") -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", "", 8)
    for i in range(pages):
        pdf.add_page()
        if text:
            pdf.cell(0, 5, f"{text} {i}")
    return bytes(pdf.output())


def ubl_xml(spec: Spec, *, credit: bool = False) -> bytes:
    root = "CreditNote" if credit else "Invoice"
    ns = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    qty_tag = "CreditedQuantity" if credit else "InvoicedQuantity"
    lines = "".join(
        f"<cac:{root}Line><cbc:ID>{i}</cbc:ID><cbc:{qty_tag}>{q}</cbc:{qty_tag}>"
        f"<cbc:LineExtensionAmount currencyID='{spec.currency}'>{q2(q * p)}</cbc:LineExtensionAmount>"
        f"<cac:Item><cbc:Name>{d}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID>"
        f"<cbc:Percent>{spec.tax_rate}</cbc:Percent></cac:ClassifiedTaxCategory></cac:Item>"
        f"<cac:Price><cbc:PriceAmount currencyID='{spec.currency}'>{p}</cbc:PriceAmount></cac:Price>"
        f"</cac:{root}Line>"
        for i, (d, q, p) in enumerate(spec.lines, start=1)
    )
    type_tag = "CreditNoteTypeCode" if credit else "InvoiceTypeCode"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="{ns}"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>{spec.number}</cbc:ID><cbc:IssueDate>{spec.date}</cbc:IssueDate>
{f"<cbc:DueDate>{spec.due}</cbc:DueDate>" if spec.due else ""}
<cbc:{type_tag}>{"381" if credit else "380"}</cbc:{type_tag}>
<cbc:DocumentCurrencyCode>{spec.currency}</cbc:DocumentCurrencyCode>
{f"<cac:OrderReference><cbc:ID>{spec.po}</cbc:ID></cac:OrderReference>" if spec.po else ""}
<cac:AccountingSupplierParty><cac:Party><cac:PartyTaxScheme><cbc:CompanyID>{spec.vendor_vat}</cbc:CompanyID>
<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyLegalEntity>
<cbc:RegistrationName>{spec.vendor}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party>
</cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>{spec.buyer}</cbc:RegistrationName>
</cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
<cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode><cac:PayeeFinancialAccount>
<cbc:ID>DE89370400440532013000</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
<cac:TaxTotal><cbc:TaxAmount currencyID="{spec.currency}">{spec.tax}</cbc:TaxAmount>
<cac:TaxSubtotal><cbc:TaxableAmount currencyID="{spec.currency}">{spec.subtotal}</cbc:TaxableAmount>
<cbc:TaxAmount currencyID="{spec.currency}">{spec.tax}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID>
<cbc:Percent>{spec.tax_rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
</cac:TaxSubtotal></cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="{spec.currency}">{spec.subtotal}</cbc:LineExtensionAmount>
<cbc:TaxExclusiveAmount currencyID="{spec.currency}">{spec.subtotal}</cbc:TaxExclusiveAmount>
<cbc:TaxInclusiveAmount currencyID="{spec.currency}">{spec.total_text or spec.total}</cbc:TaxInclusiveAmount>
<cbc:PayableAmount currencyID="{spec.currency}">{spec.total}</cbc:PayableAmount></cac:LegalMonetaryTotal>
{lines}
</{root}>""".encode()


def cii_xml(spec: Spec, *, type_code: str = "380", sign: Decimal = Decimal(1)) -> bytes:
    lines = "".join(
        f"""<ram:IncludedSupplyChainTradeLineItem>
<ram:AssociatedDocumentLineDocument><ram:LineID>{i}</ram:LineID></ram:AssociatedDocumentLineDocument>
<ram:SpecifiedTradeProduct><ram:Name>{d}</ram:Name></ram:SpecifiedTradeProduct>
<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{p}</ram:ChargeAmount>
</ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">{sign * q}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
<ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode>
<ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{spec.tax_rate}</ram:RateApplicablePercent>
</ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation>
<ram:LineTotalAmount>{sign * q2(q * p)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>"""
        for i, (d, q, p) in enumerate(spec.lines, start=1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocument><ram:ID>{spec.number}</ram:ID><ram:TypeCode>{type_code}</ram:TypeCode>
<ram:IssueDateTime><udt:DateTimeString format="102">{spec.date:%Y%m%d}</udt:DateTimeString></ram:IssueDateTime>
</rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>{lines}
<ram:ApplicableHeaderTradeAgreement>
<ram:SellerTradeParty><ram:Name>{spec.vendor}</ram:Name>
<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{spec.vendor_vat}</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
<ram:BuyerTradeParty><ram:Name>{spec.buyer}</ram:Name></ram:BuyerTradeParty>
</ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeDelivery/>
<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>{spec.currency}</ram:InvoiceCurrencyCode>
<ram:ApplicableTradeTax><ram:CalculatedAmount>{sign * spec.tax}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
<ram:BasisAmount>{sign * spec.subtotal}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
<ram:RateApplicablePercent>{spec.tax_rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
{f'<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">{spec.due:%Y%m%d}</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>' if spec.due else ""}
<ram:SpecifiedTradeSettlementHeaderMonetarySummation>
<ram:LineTotalAmount>{sign * spec.subtotal}</ram:LineTotalAmount>
<ram:TaxBasisTotalAmount>{sign * spec.subtotal}</ram:TaxBasisTotalAmount>
<ram:TaxTotalAmount currencyID="{spec.currency}">{sign * spec.tax}</ram:TaxTotalAmount>
<ram:GrandTotalAmount>{sign * spec.total}</ram:GrandTotalAmount>
<ram:DuePayableAmount>{sign * spec.total}</ram:DuePayableAmount>
</ram:SpecifiedTradeSettlementHeaderMonetarySummation>
</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>""".encode()


def facturx_pdf(spec: Spec, xml: bytes, printed: Spec | None = None) -> bytes:
    """A PDF showing ``printed`` (default ``spec``) with ``xml`` embedded as factur-x.xml."""
    pdf = FPDF()
    _page(pdf, printed or spec, "right", "en")
    pdf.embed_file(basename="factur-x.xml", bytes=xml, desc="Factur-X invoice")
    return bytes(pdf.output())


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol3;</Invoice>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&ext;</ID></Invoice>"""

WRONG_NAMESPACE = b"""<?xml version="1.0"?>
<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>"""
