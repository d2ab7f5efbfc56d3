"""The field finder on the failures seen on unseen producers, one trap per test, and the
finder's input (words with boxes, text layer or OCR) and the one supplier memory applied to it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fpdf import FPDF

from tasks.invoices.amounts import find_currency
from tasks.invoices.candidate import Candidate
from tasks.invoices.memory import apply_memory, learn
from tasks.invoices.page_words import PageWords, Word
from tasks.invoices.pdf_extract import extract_pdf, find_invoices
from tasks.invoices.pdf_text import page_text

Row = tuple[tuple[str, float], ...]


def _pdf(rows: list[Row], *, sizes: dict[int, int] | None = None) -> bytes:
    """Rows of (text, x in mm) cells, one row per line."""
    pdf = FPDF()
    pdf.add_page()
    for i, row in enumerate(rows):
        pdf.set_font("Helvetica", "", (sizes or {}).get(i, 10))
        y = 15 + 7 * i
        for text, x in row:
            pdf.set_xy(x, y)
            pdf.cell(0, 6, text)
    return bytes(pdf.output())


def _read(rows: list[Row], **kw: dict[int, int]) -> Candidate:
    found = extract_pdf(_pdf(rows, **kw), max_pages=5, currency="EUR")
    assert isinstance(found, list)
    return found[0]


HEAD: list[Row] = [
    (("Muster Handel GmbH", 10),),
    (("Invoice No:", 10), ("R-2026-17", 60)),
    (("Invoice date:", 10), ("12.03.2026", 60)),
    (("Bill to:", 10), ("Globex AG", 60)),
]
TOTALS: list[Row] = [
    (("Subtotal", 110), ("100,00", 160)),
    (("VAT 20%", 110), ("20,00", 160)),
    (("Total", 110), ("120,00 EUR", 160)),
]


def test_an_associated_invoice_gives_neither_number_nor_date() -> None:
    rows: list[Row] = [
        (("Muster Handel GmbH", 10),),
        (("Associated invoice: R-2025-99 of 02.01.2026", 10),),
        *HEAD[1:],
        *TOTALS,
    ]
    values = _read(rows).values
    assert values["invoice_number"] == "R-2026-17"
    assert values["invoice_date"] == dt.date(2026, 3, 12)


def test_a_reference_alone_is_kept_but_goes_to_review() -> None:
    rows: list[Row] = [
        (("Muster Handel GmbH", 10),),
        (("Rechnungsnummer der Ursprungsrechnung:", 10), ("FA-2025-99", 90)),
        (("Client :", 10), ("Globex AG", 60)),
        *TOTALS,
    ]
    cand = _read(rows)
    assert cand.confidence["invoice_number"] < 0.8


def test_a_logo_alt_text_is_not_the_seller() -> None:
    rows: list[Row] = [(("LOGO LE FOURNISSEUR", 10),), (("Atelier Vauban SARL", 10),), *TOTALS]
    assert _read(rows, sizes={1: 18}).values["vendor_name"] == "Atelier Vauban SARL"


def test_a_courtesy_sentence_is_not_the_buyer() -> None:
    rows: list[Row] = [
        HEAD[0],
        HEAD[1],
        (("Bill to:", 10),),
        (("Thank you for your business!", 10),),
        (("Kestrel Retail Inc", 10),),
        *TOTALS,
    ]
    assert _read(rows).values["buyer_name"] == "Kestrel Retail Inc"


@pytest.mark.parametrize(
    "net_label",
    [
        (("TOTAL H.T.", 110),),
        (("TOTAL", 110), ("HT", 135)),
    ],
)
def test_the_net_total_is_not_the_total(net_label: tuple[tuple[str, float], ...]) -> None:
    rows: list[Row] = [
        *HEAD,
        (*net_label, ("100,00", 160)),
        (("TVA 20%", 110), ("20,00", 160)),
        (("TOTAL T.T.C.", 110), ("120,00", 160)),
    ]
    values = _read(rows).values
    assert (values["subtotal"], values["tax_total"], values["total"]) == (
        Decimal("100.00"),
        Decimal("20.00"),
        Decimal("120.00"),
    )


def test_amounts_whose_labels_disagree_are_chosen_so_they_add_up() -> None:
    # The grand total printed under a bare "Total" first, the net after it under "Total".
    rows: list[Row] = [
        *HEAD,
        (("Total", 110), ("120,00", 160)),
        (("VAT", 110), ("20,00", 160)),
        (("Total", 110), ("100,00", 160)),
    ]
    values = _read(rows).values
    assert values["total"] == Decimal("120.00")
    assert values["tax_total"] == Decimal("20.00")


def test_the_buyers_vat_id_in_its_block_is_not_the_sellers() -> None:
    rows: list[Row] = [
        *HEAD[:3],
        (("Client", 10),),
        (("Maison Ardent SA", 10),),
        (("TVA : FR40303265045", 10),),
        *TOTALS,
    ]
    alone = _read(rows)
    assert alone.confidence["vendor_tax_id"] < 0.8  # only the buyer's: not completed on it
    rows.append((("USt-IdNr:", 10), ("DE136695976", 60)))
    assert _read(rows).values["vendor_tax_id"].replace(" ", "") == "DE136695976"


def test_an_article_number_is_not_a_currency() -> None:
    assert find_currency("BWP12J Widget 2 pcs") is None
    assert find_currency("EUR125.00") == "EUR"
    rows: list[Row] = [*HEAD, (("BWP12J Widget", 10), ("100,00", 160)), *TOTALS]
    cand = _read(rows)
    assert cand.values["currency"] == "EUR"


def test_a_total_nothing_confirms_goes_to_review() -> None:
    rows: list[Row] = [*HEAD, (("Total", 110), ("120,00", 160))]
    cand = _read(rows)
    assert cand.values["total"] == Decimal("120.00")
    assert cand.confidence["total"] < 0.8
    assert _read([*HEAD, *TOTALS]).confidence["total"] >= 0.8


def _words(texts: list[tuple[str, float, float]], confidence: float = 1.0) -> PageWords:
    """OCR-like words: (text, x0, top), 10 pt high, 6 pt per character."""
    words = []
    for text, x, top in texts:
        for part in text.split():
            words.append(Word(part, x, x + 6 * len(part), top, top + 10, 10, "", confidence))
            x += 6 * len(part) + 3
    return PageWords(1, 595, 842, tuple(words), reader="ocr")


PAGE = [
    ("Muster Handel GmbH", 40, 40),
    ("Invoice No: R-7", 40, 70),
    ("Invoice date: 12.03.2026", 40, 85),
    ("Bill to: Globex AG", 40, 100),
    ("Subtotal", 300, 200),
    ("100,00", 450, 200),
    ("VAT", 300, 215),
    ("20,00", 450, 215),
    ("Total", 300, 230),
    ("120,00", 450, 230),
]


def test_words_from_any_reader_are_read_by_the_same_finder() -> None:
    (cand,) = find_invoices([_words(PAGE)], currency="EUR")  # type: ignore[misc]
    assert cand.values["invoice_number"] == "R-7"
    assert cand.values["total"] == Decimal("120.00")
    assert cand.confidence["total"] >= 0.8


def test_low_reader_confidence_lowers_the_fields() -> None:
    (cand,) = find_invoices([_words(PAGE, confidence=0.6)], currency="EUR")  # type: ignore[misc]
    assert cand.values["invoice_number"] == "R-7"
    assert cand.confidence["invoice_number"] < 0.8


def _learned(page: PageWords, fields: dict[str, str], corrected: list[str]) -> list[Any]:
    return learn(
        client_id="acme",
        fields=fields,
        corrected=corrected,
        pages=[page_text(page)],
        source_item=3,
        learned_by="ann",
        at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )


def test_one_memory_reads_a_corrected_place_on_the_next_invoice() -> None:
    """The finder has no memory of its own: what a correction taught is applied to its
    candidates by ``apply_memory``, and a place that prints nothing of the field's type, or
    another supplier's memory, changes nothing."""
    seller = ("USt-IdNr. DE123456789", 40, 55)
    first = _words([*PAGE, seller, ("Ref 4711-A", 400, 40)])
    memory = _learned(
        first, {"invoice_number": "4711-A", "vendor_tax_id": "DE123456789"}, ["invoice_number"]
    )
    assert [m.field for m in memory] == ["invoice_number"]
    nxt = _words([*PAGE, seller, ("Ref 4812-B", 400, 40)])
    (cand,) = find_invoices([nxt], currency="EUR")  # type: ignore[misc]
    assert cand.values["invoice_number"] == "R-7"
    assert apply_memory(cand, [page_text(nxt)], memory) == {"invoice_number": 3}
    assert cand.values["invoice_number"] == "4812-B"
    assert cand.origin["invoice_number"] == "memory"
    other = _words([*PAGE, ("USt-IdNr. DE999999999", 40, 55), ("Ref 4812-B", 400, 40)])
    (plain,) = find_invoices([other], currency="EUR")  # type: ignore[misc]
    assert apply_memory(plain, [page_text(other)], memory) == {}
    assert plain.values["invoice_number"] == "R-7"
    blank = _words([*PAGE, seller])
    (kept,) = find_invoices([blank], currency="EUR")  # type: ignore[misc]
    apply_memory(kept, [page_text(blank)], memory)
    assert kept.values["invoice_number"] == "R-7"


def test_a_title_naming_its_issuer_with_the_date_on_the_next_line() -> None:
    rows: list[Row] = [
        (("Rechnung des Versicherers Nr. 00.123.456.7-2018-1 vom", 10),),
        (("11.03.2018", 10),),
        *TOTALS,
    ]
    values = _read(rows).values
    assert values["invoice_number"] == "00.123.456.7-2018-1"
    assert values["invoice_date"] == dt.date(2018, 3, 11)


def test_a_weak_reading_sends_the_invoice_to_review_with_the_field() -> None:
    from schemas.config import ClientConfig
    from tasks.doctype import ClientContext
    from tasks.invoices.handler import InvoiceHandler

    ctx = ClientContext(ClientConfig(id="acme", name="Acme", currency="EUR"))
    handler = InvoiceHandler()
    unconfirmed = handler.extract(_pdf([*HEAD, (("Total", 110), ("120,00", 160))]), "a.pdf", ctx)
    reasons = set(zip(unconfirmed.issues["code"], unconfirmed.issues["field"], strict=True))
    assert ("INV-LOW-CONFIDENCE", "total") in reasons
    # An optional field read weakly (a due date from a payment sentence) is flagged too.
    sentence = (("Please pay by 30 April 2026.", 10),)
    weak = handler.extract(_pdf([*HEAD, sentence, *TOTALS]), "b.pdf", ctx)
    reasons = set(zip(weak.issues["code"], weak.issues["field"], strict=True))
    assert ("INV-LOW-CONFIDENCE", "due_date") in reasons
    assert ("INV-LOW-CONFIDENCE", "total") not in reasons


def test_a_direct_debit_announced_with_its_date_gives_the_due_date() -> None:
    rows: list[Row] = [
        *HEAD,
        *TOTALS,
        (("Der Betrag in Hoehe von EUR 120,00 wird am 20.03.2026 von Ihrem Konto mit IBAN", 10),),
        (("DE21860000000086001055 und BIC MARKDEF1860 per SEPA-Lastschrift eingezogen.", 10),),
    ]
    values = _read(rows).values
    assert values["due_date"] == dt.date(2026, 3, 20)
    assert values["invoice_date"] == dt.date(2026, 3, 12)
