"""Totals read from a PDF's text: the tax that makes the printed sums agree."""

from __future__ import annotations

from decimal import Decimal

from fpdf import FPDF

from tasks.invoices.pdf_extract import extract_pdf


def _totals_page(rows: list[tuple[str, ...]]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, "Rechnung Nr. RE-7 vom 09.05.2017", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for row in rows:
        for i, text in enumerate(row):
            pdf.set_x(20 + (45 * i + 40 if i else 0))
            pdf.cell(40, 6, text)
        pdf.ln(6)
    return bytes(pdf.output())


def _totals(rows: list[tuple[str, ...]]) -> dict[str, object]:
    """The values read from a page that prints ``rows`` under an invoice title."""
    found = extract_pdf(_totals_page(rows), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    return found[0].values


def test_tax_is_the_printed_difference_when_its_label_is_not_read() -> None:
    values = _totals(
        [
            ("Rechnungssumme Netto", "496,00"),
            ("Steuerbasis 7%", "160,00", "11,20"),
            ("Steuerbasis 19%", "336,00", "63,84"),
            ("Summe Steuern", "", "75,04"),
            ("Gesamtbetrag", "571,04"),
            ("USt.-Identnr.:", "DE123456789"),
        ]
    )
    assert (values["subtotal"], values["total"]) == (Decimal("496.00"), Decimal("571.04"))
    assert values["tax_total"] == Decimal("75.04")


def test_an_unprinted_difference_is_not_made_up() -> None:
    values = _totals(
        [("Rechnungssumme Netto", "496,00"), ("Gesamtbetrag", "571,04"), ("Seite", "1")]
    )
    assert "tax_total" not in values


def test_after_a_prepayment_the_total_is_the_one_net_and_tax_make() -> None:
    values = _totals(
        [
            ("Nettobetrag", "193,77"),
            ("Steuerbetrag", "21,30"),
            ("Gesamtbetrag", "215,07"),
            ("Erhaltene Anzahlungen", "-50,00"),
            ("Zahlbetrag", "165,07"),
        ]
    )
    assert (values["subtotal"], values["tax_total"], values["total"]) == (
        Decimal("193.77"),
        Decimal("21.30"),
        Decimal("215.07"),
    )


def test_payable_and_tax_total_labels_in_english() -> None:
    values = _totals(
        [("Net total:", "496.00"), ("VAT total:", "75.04"), ("Due payable:", "571.04")]
    )
    assert (values["tax_total"], values["total"]) == (Decimal("75.04"), Decimal("571.04"))


def test_a_net_total_qualified_exkl_ust_is_the_subtotal_after_a_running_sum() -> None:
    values = _totals(
        [
            ("Zwischensumme", "202,76"),
            ("abzgl. Sondernachlass 10%", "-14,73"),
            ("zzgl. Versandkosten", "5,80"),
            ("Rechnungssumme Netto (exkl. USt.)", "193,83"),
            ("Summe Umsatzsteuer", "21,31"),
            ("Rechnungssumme Brutto (inkl. USt.)", "215,14"),
        ]
    )
    assert (values["subtotal"], values["tax_total"], values["total"]) == (
        Decimal("193.83"),
        Decimal("21.31"),
        Decimal("215.14"),
    )


def test_per_rate_tax_lines_that_add_up_give_the_tax_when_no_label_names_it() -> None:
    values = _totals(
        [
            ("Rechnungssumme Netto", "473,00"),
            ("Steuerbasisbetrag USt. 7%", "275,00", "19,25"),
            ("Steuerbasisbetrag USt. 19%", "198,00", "37,62"),
            ("Rechnungssumme Brutto", "529,87"),
        ]
    )
    assert values["tax_total"] == Decimal("56.87")
    assert values["total"] == Decimal("529.87")


def test_a_totals_table_with_a_row_per_rate_gives_its_sum_row() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 6, "Rechnung Nr. RE-7 vom 09.05.2017", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for row in (
        ("Warenwert", "Nettobetrag", "MwSt-Betrag", "Endbetrag"),
        ("326,50", "321,40", "61,07", "382,47"),
        ("130,70", "127,59", "8,93", "136,52"),
        ("457,20", "448,99", "70,00", "518,99"),
        ("Amtsgericht", "HRB Nr. 372876", "", ""),
    ):
        for text in row:
            pdf.cell(40, 6, text)
        pdf.ln(6)
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    values = found[0].values
    assert (values["subtotal"], values["tax_total"], values["total"]) == (
        Decimal("448.99"),
        Decimal("70.00"),
        Decimal("518.99"),
    )
