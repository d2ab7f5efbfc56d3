"""The seller's VAT id against the seller's printed country: the finder's choice between
two VAT ids, and the ``INV-VAT-COUNTRY`` rule."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from schemas.config import ClientConfig
from schemas.invoice_options import InvoiceOptions
from tasks.doctype import ClientContext
from tasks.invoices.handler import InvoiceHandler
from tasks.invoices.vat_country import country_in, vat_country, vat_country_issue


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("20457 Hamburg, Deutschland", "DE"),
        ("84340 Malaucène - France", "FR"),
        ("D-07545 GERA", "DE"),
        ("DE 80333 München", "DE"),
        ("20121 Milano, Italia", "IT"),
        ("1011 AB Amsterdam, Nederland", "NL"),
        ("28001 Madrid, España", "ES"),
        ("SW1A 1AA London, United Kingdom", "GB"),
        ("Jersey Road 4", None),
        ("France Boissons SA", None),
        ("Hafenstraße 12", None),
    ],
)
def test_country_printed_in_an_address_line(text: str, country: str | None) -> None:
    assert country_in(text) == country


def test_vat_prefixes() -> None:
    assert vat_country("EL 123456789") == "GR"
    assert vat_country("XI123456789") == "GB"
    assert vat_country("201/113/40209") is None


def test_the_rule_names_both_countries_and_stays_silent_when_they_agree() -> None:
    issue = vat_country_issue("FR11999999998", "DE")
    assert issue is not None
    assert (issue.code, issue.field) == ("INV-VAT-COUNTRY", "vendor_tax_id")
    assert "FR" in issue.message
    assert "DE" in issue.message
    assert vat_country_issue("DE136695976", "DE") is None
    assert vat_country_issue("201/113/40209", "DE") is None
    assert vat_country_issue("DE136695976", None) is None


def _pdf(seller_vat: str, buyer_vat: str | None) -> bytes:
    from samples.invoice_layouts import _font

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", "", _font())
    pdf.set_font("dejavu", "", 9)
    rows = [
        (("Rechnung", 15),),
        (("Rechnung Nr.:", 110), ("RE-2026-77", 150)),
        (("Datum:", 110), ("05.03.2026", 150)),
        (("Käufer", 15), ("Verkäufer", 110)),
        (("Kestrel Retail SA", 15), ("Nordlicht Systems GmbH", 110)),
        (("12 rue de la Paix", 15), ("Hafenstraße 12", 110)),
        (("75002 Paris", 15), ("20457 Hamburg, Deutschland", 110)),
        (("VAT no " + buyer_vat if buyer_vat else "", 15), ("VAT no " + seller_vat, 110)),
        (("Nettobetrag", 110), ("100,00", 160)),
        (("USt. 19%", 110), ("19,00", 160)),
        (("Gesamtbetrag", 110), ("119,00 EUR", 160)),
    ]
    for i, row in enumerate(rows):
        for text, x in row:
            pdf.set_xy(x, 15 + 6 * i)
            pdf.cell(0, 5, text)
    return bytes(pdf.output())


def _two_ids_pdf() -> bytes:
    """The buyer's VAT id printed first, beside the title; the seller's further down."""
    from samples.invoice_layouts import _font

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", "", _font())
    rows = [
        (("Nordlicht Systems GmbH", 15), ("Rechnung", 110)),
        (("Hafenstraße 12", 15), ("VAT no FR11999999998", 110)),
        (("20457 Hamburg, Deutschland", 15), ("Rechnung Nr.: RE-2026-77", 110)),
        (("VAT no DE136695976", 15), ("Datum: 05.03.2026", 110)),
        (("Nettobetrag", 110), ("100,00", 160)),
        (("USt. 19%", 110), ("19,00", 160)),
        (("Gesamtbetrag", 110), ("119,00 EUR", 160)),
    ]
    for i, row in enumerate(rows):
        for text, x in row:
            pdf.set_font("dejavu", "", 14 if i == 0 else 9)
            pdf.set_xy(x, 15 + 6 * i)
            pdf.cell(0, 5, text)
    return bytes(pdf.output())


def test_the_vat_id_that_fits_the_sellers_country_wins_over_one_printed_first() -> None:
    row, codes = _read(_two_ids_pdf())
    assert row["vendor_tax_id"] == "DE136695976"
    assert "INV-VAT-COUNTRY" not in codes


def _read(data: bytes) -> tuple[dict[str, object], list[str]]:
    ctx = ClientContext(client=ClientConfig(id="acme", name="Acme", invoices=InvoiceOptions()))
    batch = InvoiceHandler().extract(data, "x.pdf", ctx)
    row = batch.records.row(0, named=True)
    return row, batch.issues.get_column("code").to_list()


def test_of_two_vat_ids_the_one_of_the_sellers_country_is_the_sellers() -> None:
    row, codes = _read(_pdf("DE136695976", "FR11999999998"))
    assert row["vendor_tax_id"] == "DE136695976"
    assert "INV-VAT-COUNTRY" not in codes


def test_a_seller_vat_id_of_another_country_goes_to_review() -> None:
    row, codes = _read(_pdf("FR11999999998", None))
    assert row["vendor_tax_id"] == "FR11999999998"
    assert "INV-VAT-COUNTRY" in codes
