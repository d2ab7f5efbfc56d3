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


def test_a_heading_run_together_with_its_neighbours_names_its_last_column() -> None:
    lines = _lines(
        (70, 25, 25, 30),
        [
            ("Pos Art-Nr Beschreibung", "Menge", "Preis", "MwSt-% Nettowert"),
            ("Kunstrasen grün", "3", "3,50", "10,50"),
            ("Schweinesteak", "5", "5,50", "27,50"),
            ("Nettobetrag", "", "", "38,00"),
        ],
    )
    assert [ln["amount"] for ln in lines] == [Decimal("10.50"), Decimal("27.50")]


def test_an_amount_on_the_second_text_line_completes_the_item_above() -> None:
    lines = _lines(
        (70, 25, 25, 30),
        [
            ("Description", "Qty", "Price", "Amount"),
            ("Cloud hosting, dedicated", "2", "150,00", ""),
            ("cluster with backup", "", "", "300,00"),
            ("Support hours", "3", "80,00", ""),
            ("remote", "", "", "240,00"),
            ("Subtotal", "", "", "540,00"),
        ],
    )
    assert [(ln["quantity"], ln["amount"]) for ln in lines] == [
        (Decimal(2), Decimal("300.00")),
        (Decimal(3), Decimal("240.00")),
    ]
    assert lines[0]["description"] == "Cloud hosting, dedicated cluster with backup"


def test_a_group_subtotal_is_no_item_and_does_not_end_the_table() -> None:
    lines = _lines(
        (70, 25, 25, 30),
        [
            ("Description", "Qty", "Price", "Amount"),
            ("Hardware", "", "", ""),
            ("Server", "1", "900,00", "900,00"),
            ("Subtotal Hardware", "", "", "900,00"),
            ("Services", "", "", ""),
            ("Installation", "2", "50,00", "100,00"),
            ("Subtotal Services", "", "", "100,00"),
            ("Total net", "", "", "1.000,00"),
            ("VAT 20%", "", "", "200,00"),
            ("Payment terms", "30", "days", "1.200,00"),
        ],
    )
    assert [ln["amount"] for ln in lines] == [Decimal("900.00"), Decimal("100.00")]


def test_a_rate_under_a_merged_amount_heading_is_no_item() -> None:
    lines = _lines(
        (70, 25, 25, 30),
        [
            ("Description", "Qty", "Price", "Amount"),
            ("Joghurt Karton", "2", "29,10", "58,20"),
            ("Erdbeer 20 x 150g", "20", "", "7,0"),
            ("Banane 20 x 150g", "20", "", "7,0"),
            ("Mineralwasser", "20", "5,49", "109,80"),
            ("Pfand", "20", "2,77", "55,40"),
        ],
    )
    assert [ln["amount"] for ln in lines] == [
        Decimal("58.20"),
        Decimal("109.80"),
        Decimal("55.40"),
    ]


def _pages(rows_per_page: list[list[tuple[str, ...]]]) -> list[dict[str, Any]]:
    pdf = FPDF()
    pdf.set_font("Helvetica", "", 9)
    for rows in rows_per_page:
        pdf.add_page()
        pdf.cell(0, 7, "Rechnungsnummer: R-9", new_x="LMARGIN", new_y="NEXT")
        for row in rows:
            for w, text in zip((70, 25, 25, 30), row, strict=True):
                pdf.cell(w, 6, text)
            pdf.ln()
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    assert len(found) == 1
    lines = found[0].values["lines"]
    assert isinstance(lines, list)
    return lines


def test_a_table_over_two_pages_with_carried_sums_counts_each_item_once() -> None:
    head = ("Beschreibung", "Menge", "Preis", "Betrag")
    lines = _pages(
        [
            [head, ("Kabel", "2", "10,00", "20,00"), ("Stecker", "1", "5,00", "5,00")],
            [head, ("Übertrag", "", "", "25,00"), ("Dose", "3", "2,00", "6,00")],
            [("Nettobetrag", "", "", "31,00")],
        ]
    )
    assert [ln["description"] for ln in lines] == ["Kabel", "Stecker", "Dose"]


def test_a_table_goes_on_onto_the_next_page_without_its_header() -> None:
    head = ("Description", "Qty", "Price", "Amount")
    lines = _pages(
        [
            [head, ("Cable", "2", "10,00", "20,00")],
            [("Plug", "1", "5,00", "5,00"), ("Total net", "", "", "25,00")],
        ]
    )
    assert [ln["description"] for ln in lines] == ["Cable", "Plug"]
