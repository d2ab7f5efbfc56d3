"""The finder on habits of producers it was first measured on blind (``samples/invoice_unseen``):
one habit per test, each page built by code and read through the production reader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from samples.invoice_canvas import Canvas, render
from tasks.invoices.candidate import Candidate
from tasks.invoices.labels import match_label
from tasks.invoices.pdf_extract import UNCONFIRMED, extract_pdf
from tasks.invoices.pdf_text import Cell, TextLine
from tasks.invoices.receipt_lines import receipt_lines
from tasks.invoices.traps import is_other_invoice_reference

Rows = list[tuple[str, float, float]]


def _read(rows: Rows, *, big: tuple[str, ...] = (), generator: str = "reportlab") -> Candidate:
    """Text items (text, x mm, y mm) on one A4 page; ``big`` ones printed at 18 pt."""
    c = Canvas()
    for text, x, y in rows:
        c.text(text, x, y, 18 if text in big else 9, align="right" if x > 150 else "left")
    found = extract_pdf(render(c, generator), max_pages=2, currency="EUR")
    assert isinstance(found, list)
    return found[0]


TOTALS: Rows = [
    ("Subtotal", 120, 200),
    ("100.00", 190, 200),
    ("VAT 20%", 120, 206),
    ("20.00", 190, 206),
    ("Total", 120, 212),
    ("120.00 GBP", 190, 212),
]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Date due", "due_date"),
        ("Rechnung an:", "buyer_name"),
        ("Spett.le", "buyer_name"),
        ("Datos del cliente", "buyer_name"),
        ("Aan", "buyer_name"),
        ("Número:", "invoice_number"),
        ("Ticket n° 4711", "invoice_number"),
        ("Net", "subtotal"),
        ("Total credit GBP", "total"),
        ("Date de l'avoir :", "invoice_date"),
        ("Credit note date", "invoice_date"),
    ],
)
def test_labels_of_other_producers(text: str, field: str) -> None:
    hit = match_label(text)
    assert hit is not None
    assert hit[0] == field


def test_a_brand_logo_gives_way_to_the_seller_block_with_its_vat_id() -> None:
    cand = _read(
        [
            ("cirrusbyte", 18, 20),
            ("Invoice number", 18, 36),
            ("A12F-0003", 60, 36),
            ("Date of issue", 18, 41),
            ("March 3, 2026", 60, 41),
            ("Date due", 18, 46),
            ("March 17, 2026", 60, 46),
            ("Cirrus Byte Ltd", 18, 60),
            ("Bill to", 90, 60),
            ("14 Wharf Lane", 18, 65),
            ("Hollis & Crane LLP", 90, 65),
            ("Bristol BS1 4DJ", 18, 70),
            ("3 Albion Court", 90, 70),
            ("GB VAT GB123456789", 18, 75),
            *TOTALS,
        ],
        big=("cirrusbyte",),
    )
    v = cand.values
    assert v["vendor_name"] == "Cirrus Byte Ltd"
    assert v["vendor_tax_id"] == "GB123456789"
    assert v["buyer_name"] == "Hollis & Crane LLP"
    assert v["due_date"] == dt.date(2026, 3, 17)


def test_a_one_word_brand_without_a_legal_name_is_left_for_review() -> None:
    cand = _read(
        [
            ("cirrusbyte", 18, 20),
            ("Invoice number", 18, 36),
            ("A12F-0003", 60, 36),
            ("Bill to", 90, 60),
            ("Hollis & Crane LLP", 90, 65),
            *TOTALS,
        ],
        big=("cirrusbyte",),
    )
    assert cand.values["vendor_name"] == "cirrusbyte"
    assert cand.confidence["vendor_name"] <= UNCONFIRMED


def test_a_seller_named_only_in_footer_columns_and_the_buyer_under_its_heading() -> None:
    cand = _read(
        [
            ("RECHNUNG", 150, 25),
            ("Rechnung an:", 18, 45),
            ("Bäckerei Lindner KG", 18, 51),
            ("Am Markt 17", 18, 56),
            ("Rechnungs-Nr.", 120, 45),
            ("R2026-118", 190, 45),
            *TOTALS,
            ("Holzbau Kranich GmbH", 18, 268),
            ("Tel 0800 123 456", 80, 268),
            ("USt-IdNr. DE123456789", 142, 268),
            ("Lindenweg 4", 18, 272),
            ("HRB 12345", 142, 272),
        ]
    )
    assert cand.values["vendor_name"] == "Holzbau Kranich GmbH"
    assert cand.values["buyer_name"] == "Bäckerei Lindner KG"


def test_a_heading_word_above_a_name_is_not_the_first_half_of_the_name() -> None:
    cand = _read(
        [
            ("Rechnung", 15, 22),
            ("Von", 15, 38),
            ("An", 110, 38),
            ("Holzbau Kranich GmbH", 15, 44),
            ("Bäckerei Lindner KG", 110, 44),
            ("Lindenweg 4", 15, 49),
            ("Am Markt 17", 110, 49),
            ("USt-IdNr. DE123456789", 15, 54),
            ("Rechnungsnr.", 15, 70),
            ("R2026-118", 60, 70),
            *TOTALS,
        ]
    )
    assert cand.values["vendor_name"] == "Holzbau Kranich GmbH"


def test_a_sentence_title_gives_number_and_date() -> None:
    cand = _read(
        [
            ("Fonderia Adriatica S.p.A.", 18, 20),
            ("Fattura n. 123/2026 del 20/05/2026", 18, 60),
            *TOTALS,
        ]
    )
    assert cand.values["invoice_number"] == "123/2026"
    assert cand.values["invoice_date"] == dt.date(2026, 5, 20)


@pytest.mark.parametrize(
    "text",
    [
        "Avoir sur facture FA-12 du 26/09/2026",
        "Credit note for invoice 4711 dated 2026-09-26",
        "Rectifica la factura 2026-05680 de fecha 26/09/2026",
    ],
)
def test_a_credit_note_names_the_invoice_it_corrects(text: str) -> None:
    assert is_other_invoice_reference(text)


def test_the_corrected_invoices_date_labelled_again_is_not_the_credit_notes() -> None:
    cand = _read(
        [
            ("Transports Girard SA", 16, 18),
            ("AVOIR", 190, 22),
            ("Avoir sur facture FA-12 du 26/09/2026", 16, 50),
            ("Date de la facture :", 120, 60),
            ("26/09/2026", 190, 60),
            ("Avoir n° :", 120, 65),
            ("AV-2026-7", 190, 65),
            ("Date de l'avoir :", 120, 70),
            ("15/10/2026", 190, 70),
            *TOTALS,
        ]
    )
    assert cand.values["invoice_number"] == "AV-2026-7"
    assert cand.values["invoice_date"] == dt.date(2026, 10, 15)


def test_a_colon_label_takes_the_name_further_right_on_its_line() -> None:
    cand = _read(
        [
            ("Kiosko Sol S.L.", 18, 20),
            ("Invoice no:", 18, 40),
            ("R20266520", 190, 40),
            ("Customer:", 18, 45),
            ("Anna Keller", 190, 45),
            ("Cable duct 2m", 18, 52),
            ("2 x 3.50", 18, 56),
            ("7.00", 190, 56),
            *TOTALS,
        ]
    )
    assert cand.values["buyer_name"] == "Anna Keller"


def _line(*cells: tuple[str, float]) -> TextLine:
    return TextLine(cells=tuple(Cell(t, x, x + 6 * len(t), 0, 8) for t, x in cells))


def test_receipt_items_are_read_where_quantity_times_price_is_the_amount() -> None:
    items = receipt_lines(
        [
            _line(("Espresso beans 1kg", 10)),
            _line(("2 x 3,50", 10), ("7,00", 200)),
            _line(("Filter cartridges", 10)),
            _line(("1 x 12,90", 10), ("12,90", 200)),
            _line(("Cable 3 x 1,00", 10), ("3,00", 200)),
            _line(("TOTAL EUR", 10), ("22,90", 200)),
            _line(("VISA ****1234", 10), ("22,90", 200)),
            _line(("2 x 3,50", 10), ("7,10", 200)),  # 2 x 3,50 is not 7,10: no item
        ]
    )
    assert [(i["description"], i["quantity"], i["amount"]) for i in items] == [
        ("Espresso beans 1kg", Decimal(2), Decimal("7.00")),
        ("Filter cartridges", Decimal(1), Decimal("12.90")),
        ("Cable", Decimal(3), Decimal("3.00")),
    ]
