"""Invoice numbers and dates written in a title line rather than under a label."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from fpdf import FPDF

from tasks.invoices.pdf_extract import extract_pdf


def _values(*lines: str) -> dict[str, object]:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    for text in (*lines, "Total 160,00 EUR"):
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    return found[0].values


def _letter(size: int = 11) -> FPDF:
    """A page that already names its seller and its number."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", size)
    pdf.cell(0, 7, "Muster GmbH", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, "Rechnungsnummer: R-9", new_x="LMARGIN", new_y="NEXT")
    return pdf


def _read(pdf: FPDF) -> dict[str, object]:
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    return found[0].values


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("Facture FA-2017-0010", "FA-2017-0010"),
        ("Invoice INV/2026/77", "INV/2026/77"),
        ("Gutschrift GS-12", "GS-12"),
    ],
)
def test_document_word_and_number_alone(title: str, number: str) -> None:
    assert _values("Au bon moulin SARL", title)["invoice_number"] == number


def test_a_title_with_a_date_or_a_year_is_not_a_number() -> None:
    assert "invoice_number" not in _values("Au bon moulin SARL", "Rechnung 05.03.2018")
    assert "invoice_number" not in _values("Au bon moulin SARL", "Invoice 2026")


def test_number_and_date_in_a_sentence_with_von() -> None:
    values = _values("Bei Spiel GmbH", "Rechnung # RE-20170509/505 von 09.05.2017")
    assert values["invoice_number"] == "RE-20170509/505"
    assert values["invoice_date"] == dt.date(2017, 5, 9)


def test_beleg_labels() -> None:
    values = _values("Muster GmbH", "Beleg-Nr : R87654321012345", "Beleg-Datum : 06.08.2013")
    assert values["invoice_number"] == "R87654321012345"
    assert values["invoice_date"] == dt.date(2013, 8, 6)


def test_tax_printed_per_rate_is_the_sum_that_closes_the_invoice() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    rows = [
        ("Invoice No", "A-77"),
        ("Subtotal", "496.00"),
        ("VAT 7%", "11.20"),
        ("VAT 19%", "63.84"),
        ("Total EUR", "571.04"),
    ]
    pdf.cell(0, 7, "Muster GmbH", new_x="LMARGIN", new_y="NEXT")
    for label, value in rows:
        pdf.cell(60, 7, label)
        pdf.cell(40, 7, value, align="R", new_x="LMARGIN", new_y="NEXT")
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    values = found[0].values
    assert (values["subtotal"], values["total"]) == (Decimal("496.00"), Decimal("571.04"))
    assert values["tax_total"] == Decimal("75.04")


@pytest.mark.parametrize(
    ("sentence", "due"),
    [
        ("Bitte überweisen Sie bis zum 30.05.2017.", dt.date(2017, 5, 30)),
        (
            "Zahlbar innerhalb 30 Tagen netto bis 04.07.2013, 3% Skonto innerhalb 10 Tagen bis"
            " 15.06.2013",
            dt.date(2013, 7, 4),
        ),
        ("Please pay the full amount by 30 June 2026.", dt.date(2026, 6, 30)),
        ("Règlement à réception, au plus tard le 15/01/2026.", dt.date(2026, 1, 15)),
    ],
)
def test_due_date_in_a_payment_sentence(sentence: str, due: dt.date) -> None:
    values = _values("Muster GmbH", "Rechnung Nr. R-1 vom 01.01.2013", sentence)
    assert values["due_date"] == due


def test_a_date_in_another_sentence_is_not_a_due_date() -> None:
    values = _values("Muster GmbH", "Invoice No: R-1", "Delivered to site by 04.07.2013")
    assert "due_date" not in values


def test_a_total_qualified_as_gross_is_the_total() -> None:
    pdf = _letter()
    pdf.cell(90, 7, "Rechnungssumme Brutto (inkl. USt.)")
    pdf.cell(40, 7, "529,87", align="R", new_x="LMARGIN", new_y="NEXT")
    assert _read(pdf)["total"] == Decimal("529.87")


def test_rotated_margin_text_is_not_read_into_the_lines() -> None:
    from tasks.invoices.pdf_text import read_pages

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, "Muster GmbH", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y()
    with pdf.rotation(90, 11, y + 5):
        pdf.text(11, y + 5, "Beispielrechnung")  # runs up the margin, beside the label
    pdf.set_xy(12, y)
    pdf.cell(90, 7, "Rechnungssumme Netto (excl. USt.)")
    pdf.cell(40, 7, "473,00", align="R", new_x="LMARGIN", new_y="NEXT")
    (page,) = read_pages(bytes(pdf.output()), 5)
    text = " ".join(ln.text for ln in page.lines)
    assert "Rechnungssumme Netto" in text
    assert "Beispiel" not in text
    assert "gnunhcer" not in text
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    assert found[0].values["subtotal"] == Decimal("473.00")


def test_a_table_header_stacked_over_two_lines() -> None:
    pdf = _letter(10)
    widths = (80, 25, 35, 40)
    # Only the stacked "Positions-" / "wert" names the amount column.
    for row in (("", "", "", "Positions-"), ("Beschreibung", "Menge", "Rabatt", "wert")):
        for w, text in zip(widths, row, strict=True):
            pdf.cell(w, 5, text, align="L" if w == 80 else "R")
        pdf.ln()
    for row in (
        ("Trennblätter A4", "20", "9,90", "198,00"),
        ("Joghurt Banane", "50", "5,50", "275,00"),
    ):
        for w, text in zip(widths, row, strict=True):
            pdf.cell(w, 6, text, align="L" if w == 80 else "R")
        pdf.ln()
    pdf.cell(140, 6, "Gesamtbetrag")
    pdf.cell(40, 6, "473,00", align="R")
    lines = _read(pdf)["lines"]
    assert isinstance(lines, list)
    assert [(ln["description"], ln["amount"]) for ln in lines] == [
        ("Trennblätter A4", Decimal("198.00")),
        ("Joghurt Banane", Decimal("275.00")),
    ]
    assert lines[0]["quantity"] == Decimal("20")


def test_seller_vat_from_a_letterhead_and_not_from_the_customers_label() -> None:
    pdf = _letter()
    for text in (
        "TVA : FR11999999998 - SIRET : 99999999800010 - APE : 4778C",
        "N° TVA client  FR19787878784",
        "Bon de commande : XXX",
        "Total 120,00",
    ):
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    values = _read(pdf)
    assert values["vendor_tax_id"] == "FR11999999998"
    # "XXX" is ISO 4217's "no currency" (here a placeholder), never the invoice's currency.
    assert values["currency"] == "EUR"


def test_a_document_that_writes_month_first_reads_its_ambiguous_dates_so() -> None:
    values = _values(
        "Invoice FA-2017-0011",
        "Invoice Date: 11/03/2017",
        "Due Date: 12/03/2017",
        "SEPA wire transfer 11/17/2017 623.00",
    )
    assert (values["invoice_date"], values["due_date"]) == (
        dt.date(2017, 11, 3),
        dt.date(2017, 12, 3),
    )


def test_a_document_with_a_day_first_date_reads_its_ambiguous_dates_day_first() -> None:
    values = _values("Facture FA-2017-0011", "Date de facture : 11/03/2017", "Payé le 17/03/2017")
    assert values["invoice_date"] == dt.date(2017, 3, 11)


def test_issued_at_and_remit_until_sentences() -> None:
    values = _values(
        "Invoice # RE-20201121/508 issued at 2020-11-21",
        "Date of delivery 2020-11-10",
        "Please remit until 2020-12-12.",
    )
    assert values["invoice_number"] == "RE-20201121/508"
    assert (values["invoice_date"], values["due_date"]) == (
        dt.date(2020, 11, 21),
        dt.date(2020, 12, 12),
    )


@pytest.mark.parametrize(
    ("total", "expected"),
    [("Total $120.00", dt.date(2026, 3, 4)), ("Total 120,00 EUR", dt.date(2026, 4, 3))],
)
def test_with_no_date_to_tell_a_dollar_invoice_reads_month_first(
    total: str, expected: dt.date
) -> None:
    pdf = _letter()
    for text in ("Invoice Date: 03/04/2026", total):
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    assert _read(pdf)["invoice_date"] == expected
