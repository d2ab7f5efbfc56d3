"""Line-item tables read from a PDF without a template: which columns count, where they end."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fpdf import FPDF

from tasks.invoices.pdf_extract import extract_pdf


def _lines(widths: tuple[int, ...], rows: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 7, "Muster GmbH", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, "Rechnungsnummer: R-9", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for row in rows:
        for w, text in zip(widths, row, strict=True):
            pdf.cell(w, 6, text)
        pdf.ln()
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    lines = found[0].values["lines"]
    assert isinstance(lines, list)
    return lines


def test_values_under_a_column_that_is_no_line_field_are_not_a_neighbours() -> None:
    lines = _lines(
        (25, 70, 20, 30, 30),
        [
            ("Menge", "Produkt", "USt.", "Preis", "Gesamtbetrag"),
            ("1,00", "Künstlerische Gestaltung", "7%", "160,00 EUR", "160,00 EUR"),
            ("400,00", "Luftballon: Bunt", "19%", "0,79 EUR", "316,00 EUR"),
            ("", "Nettobetrag: 476,00 EUR", "", "", ""),
        ],
    )
    got = [(ln["description"], ln["quantity"], ln["unit_price"], ln["amount"]) for ln in lines]
    assert got == [
        ("Künstlerische Gestaltung", Decimal("1.00"), Decimal("160.00"), Decimal("160.00")),
        ("Luftballon: Bunt", Decimal("400.00"), Decimal("0.79"), Decimal("316.00")),
    ]


def test_of_two_price_columns_the_right_most_is_the_amount_and_totals_mid_line_end_it() -> None:
    lines = _lines(
        (60, 25, 30, 20, 35),
        [
            ("Description", "Quantité", "Prix unitaire", "Rem.", "Prix HT"),
            ("Nougat de l'Abbaye 250g", "50", "4,55 EUR", "10%", "204,75 EUR"),
            ("Biscuits aux raisins 300g", "40", "3,20 EUR", "", "128,00 EUR"),
            ("Taxe", "Base", "Montant", "Total HT", "332,75 EUR"),
            ("TVA 20%", "332,75 EUR", "66,55 EUR", "", ""),
        ],
    )
    assert [(ln["description"], ln["quantity"], ln["amount"]) for ln in lines] == [
        ("Nougat de l'Abbaye 250g", Decimal("50"), Decimal("204.75")),
        ("Biscuits aux raisins 300g", Decimal("40"), Decimal("128.00")),
    ]
    assert lines[0]["unit_price"] == Decimal("4.55")


def test_a_discount_row_reduces_the_item_above_it() -> None:
    lines = _lines(
        (70, 20, 30, 30),
        [
            ("Artikelbeschreibung", "Menge", "Preis", "Entgelt"),
            ("Kunstrasen grün 3m breit", "3", "4,00", "12,00"),
            ("abzgl. 16,7% Rabatt", "", "", "-2,00"),
            ("Schweinesteak", "5", "5,50", "27,50"),
            ("Rechnungssumme Netto", "", "", "37,50"),
        ],
    )
    assert [(ln["description"], ln["amount"], ln["adjustment"]) for ln in lines] == [
        ("Kunstrasen grün 3m breit", Decimal("10.00"), Decimal("-2.00")),
        ("Schweinesteak", Decimal("27.50"), None),
    ]


def test_a_stacked_header_ending_in_a_tax_word_keeps_its_items() -> None:
    lines = _lines(
        (15, 70, 30, 25, 30),
        [
            ("Pos", "Beschreibung", "Nettopreis", "Menge", "Positionsbetrag"),
            ("Art-Nr", "", "", "", "USt."),  # "Positionsbetrag" / "USt.": no totals line
            ("1", "Trennblätter A4", "9,90", "20", "198,00"),
            ("2", "Joghurt Banane", "5,50", "50", "275,00"),
            ("", "Gesamtbetrag", "", "", "473,00"),
        ],
    )
    assert [(ln["description"], ln["amount"]) for ln in lines] == [
        ("Trennblätter A4", Decimal("198.00")),
        ("Joghurt Banane", Decimal("275.00")),
    ]
