"""What may stand as a party's name in a PDF, and the sender line above a windowed address."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from tasks.invoices.pdf_extract import extract_pdf
from tasks.invoices.pdf_fields import plausible_name, separated
from tasks.invoices.pdf_text import Cell, PageText, TextLine


@pytest.mark.parametrize(
    "text",
    ["Lieferant GmbH", "Au bon moulin SARL", "3M Deutschland GmbH", "Herrn Max Mustermann", "Zoë"],
)
def test_names(text: str) -> None:
    assert plausible_name(text)


@pytest.mark.parametrize(
    "text",
    [
        "RECHNUNGS-KORREKTUR",
        "W A R E N R E C H N U N G",
        "Herr",
        "+33 4 50 44 68 99 - http://www.aubonmoulin.fr",
        "info@example.com",
        "DE21860000000086001055",
        "GLN 4333741000005 Lief-Nr: 549910",
        "Warenempfänger",
        "Invoice",
        "12",
        "Your order AB321",
        "Ihr Zeichen: AB-312",
        "Date of delivery 2019-06-10",
    ],
)
def test_not_names(text: str) -> None:
    assert not plausible_name(text)


def test_sender_line_with_dot_separators_names_both_parties() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 8)
    pdf.set_xy(25, 45)
    # Separate cells, as some renderers place each part of the sender line on its own.
    for part in ("Bei Spiel GmbH", "\u00b7", "Ecke 12", "\u00b7", "12345 Stadthausen"):
        pdf.cell(pdf.get_string_width(part) + 3, 5, part)
    pdf.set_xy(120, 45)
    pdf.cell(40, 5, "fon (555) 23 78 -0")
    pdf.set_font("Helvetica", "", 12)
    pdf.set_xy(20, 52)
    pdf.cell(60, 6, "Theodor Est", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.cell(60, 6, "Bahnstr. 42", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.cell(60, 6, "88802 Spielkreis", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.cell(0, 6, "Rechnung Nr. RE-1 vom 09.05.2017", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "Gesamtbetrag 160,00 EUR", new_x="LMARGIN", new_y="NEXT")
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    values = found[0].values
    assert values["vendor_name"] == "Bei Spiel GmbH"
    assert values["buyer_name"] == "Theodor Est"


def test_party_blocks_side_by_side_are_read_in_their_own_column() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    for left, right in (
        ("Lieferant", "Käufer"),
        ("GLN 4333741000005", "GLN 4304171000002"),
        ("MUSTERLIEFERANT GMBH", "MUSTER-KUNDE GMBH"),
        ("BAHNHOFSTRASSE 99", "KUNDENWEG 88"),
    ):
        pdf.set_x(20)
        pdf.cell(70, 6, left)
        pdf.cell(70, 6, right, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.cell(0, 6, "Rechnung Nr. R-1 vom 06.08.2013", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "Gesamtbetrag 119,00 EUR", new_x="LMARGIN", new_y="NEXT")
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    values = found[0].values
    assert (values["vendor_name"], values["buyer_name"]) == (
        "MUSTERLIEFERANT GMBH",
        "MUSTER-KUNDE GMBH",
    )


def test_a_customer_number_glued_to_its_label_is_no_party_heading() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    for text in (
        "Bei Spiel GmbH - Ecke 12 - 12345 Stadthausen",
        "Theodor Est",
        "Bahnstr. 42",
        "88802 Spielkreis",
        "",
        "Customer:2",
        "Your order AB321",
        "Invoice # RE-20190610/507 issued at 2019-06-10",
        "Date of delivery 2019-06-10",
        "Total 160,00 EUR",
    ):
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    found = extract_pdf(bytes(pdf.output()), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    values = found[0].values
    assert (values["vendor_name"], values["buyer_name"]) == ("Bei Spiel GmbH", "Theodor Est")


def _page_pdf(
    rows: list[tuple[tuple[str, float], ...]], sizes: dict[int, int] | None = None
) -> bytes:
    """Rows of (text, x in mm) cells, 6 mm apart, in a Unicode font."""
    from samples.invoice_layouts import _font

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dejavu", "", _font())
    for i, row in enumerate(rows):
        pdf.set_font("dejavu", "", (sizes or {}).get(i, 9))
        for text, x in row:
            pdf.set_xy(x, 15 + 6 * i)
            pdf.cell(0, 5, text)
    return bytes(pdf.output())


def _values(data: bytes) -> dict[str, object]:
    found = extract_pdf(data, max_pages=5, currency="EUR")
    assert isinstance(found, list)
    return found[0].values


TOTALS = (
    (("Nettobetrag", 110), ("100,00", 160)),
    (("USt. 19%", 110), ("19,00", 160)),
    (("Gesamtbetrag", 110), ("119,00 EUR", 160)),
)


def test_a_name_wrapped_beside_its_label_is_read_whole() -> None:
    values = _values(
        _page_pdf(
            [
                (("Rechnung Nr. 4711 vom 05.03.2026", 15),),
                (("Verkäufer", 15),),
                (("Nummer", 15), (": 549910", 60)),
                (("MVM Musterhafter", 60),),
                (("Name:", 15), ("Versicherungsverein Musterstadt a.G.", 60)),
                (("Anschrift:", 15), ("Musterstr. 12", 60)),
                *TOTALS,
            ]
        )
    )
    assert values["vendor_name"] == "MVM Musterhafter Versicherungsverein Musterstadt a.G."


def test_a_letterhead_over_two_lines_is_one_name_and_a_key_row_is_none() -> None:
    values = _values(
        _page_pdf(
            [
                (("Nordlicht Energie", 15),),
                (("Versorgung Hamburg GmbH", 15),),
                (("Hafenstraße 12, 20457 Hamburg", 15),),
                (("Rechnung Nr. 4711 vom 05.03.2026", 15),),
                (("Käufer", 15),),
                (("Nummer", 15), (": GE2020211", 45)),
                (("Kunden AG Mitte", 15),),
                *TOTALS,
            ],
            sizes={0: 14, 1: 14},
        )
    )
    assert values["vendor_name"] == "Nordlicht Energie Versorgung Hamburg GmbH"
    assert values["buyer_name"] == "Kunden AG Mitte"


def test_the_seller_named_only_in_the_footer_legal_line() -> None:
    values = _values(
        _page_pdf(
            [
                (("NORDLICHT", 15), ("Rechnung", 120)),
                (("Kestrel Retail AG", 15),),
                (("7 Market Street", 15),),
                (("1000 Midtown", 15),),
                (("Rechnung Nr.:", 110), ("RE-2026-77", 150)),
                (("Datum:", 110), ("05.03.2026", 150)),
                *TOTALS,
                (
                    (
                        "Nordlicht Systems GmbH · Hafenstraße 12 · 20457 Hamburg · "
                        "USt-IdNr. DE136695976 · Amtsgericht Hamburg HRB 12345",
                        15,
                    ),
                ),
            ],
            sizes={0: 16},
        )
    )
    assert values["vendor_name"] == "Nordlicht Systems GmbH"
    assert values["vendor_tax_id"] == "DE136695976"


def _one_cell_page(text: str) -> PageText:
    cell = Cell(text=text, x0=100.0, x1=100.0 + 5.0 * len(text), top=800.0, bottom=808.0)
    return PageText(number=1, lines=(TextLine(cells=(cell,)),), width=595.0, height=842.0, images=0)


def test_a_footer_line_cut_at_spaced_dashes() -> None:
    line = "Hoogland Software B.V. - Kade 12 - 1011 AB Amsterdam - BTW NL123456789B01"
    (cut,) = separated(_one_cell_page(line)).lines
    assert [c.text for c in cut.cells] == [
        "Hoogland Software B.V.",
        "Kade 12",
        "1011 AB Amsterdam",
        "BTW NL123456789B01",
    ]
    assert cut.cells[1].x0 > cut.cells[0].x1 - 1  # each part placed where it stands


@pytest.mark.parametrize("text", ["Müller - Bau GmbH", "Invoice - March 2026", "Kade 12-14"])
def test_one_dash_does_not_cut_a_name(text: str) -> None:
    (line,) = separated(_one_cell_page(text)).lines
    assert [c.text for c in line.cells] == [text]
