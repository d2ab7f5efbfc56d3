"""Scanned invoices (image-only PDF, PNG, JPEG, TIFF) are OCR'd and read by the same finder;
low OCR confidence sends the field to review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from readers.ocr import OcrWord
from samples.invoice_families import family_invoices
from samples.invoices import Spec, image_only_pdf, make_pdf
from samples.scans import SCANNER, scan, scanned_pdf
from schemas.config import ClientConfig
from tasks.doctype import ClientContext
from tasks.invoices.candidate import Candidate
from tasks.invoices.detect import sniff
from tasks.invoices.handler import InvoiceHandler
from tasks.invoices.pdf_extract import candidates_from_pages
from tasks.invoices.pdf_text import PageText, page_lines
from tasks.invoices.scan_extract import ScannedPages, cap_by_ocr
from tasks.invoices.validate import candidate_issues

SPEC = Spec(number="INV-2026-314", vendor="Acme Supplies GmbH", buyer="Globex Corporation")


@pytest.fixture(scope="module")
def original() -> bytes:
    return make_pdf(SPEC, layout="right", lang="en")


@pytest.mark.parametrize(
    ("fmt", "dpi", "rotate", "noise"),
    [
        ("png", 200, 0.0, 0.0),
        ("jpeg", 150, 0.0, 0.0),
        ("tiff", 200, 1.0, 0.002),
        ("pdf", 200, -1.5, 0.001),
    ],
)
def test_a_scan_is_read_like_its_text_pdf(
    original: bytes, ctx: ClientContext, fmt: str, dpi: int, rotate: float, noise: float
) -> None:
    data = scan(original, fmt=fmt, dpi=dpi, rotate=rotate, noise=noise)  # type: ignore[arg-type]
    assert sniff(data, "scan.bin") == ("pdf" if fmt == "pdf" else "image")
    batch = InvoiceHandler().extract(data, f"scan.{fmt}", ctx)
    assert not batch.file_issues
    (row,) = batch.records.to_dicts()
    assert row["source_format"] == "ocr"
    assert row["invoice_number"] == SPEC.number
    assert row["invoice_date"] == SPEC.date
    assert row["total"] == SPEC.total
    assert row["subtotal"] == SPEC.subtotal
    if not noise:  # a speck beside a name is read as a full stop now and then
        assert row["vendor_name"] == SPEC.vendor


def test_an_image_only_pdf_without_readable_text_still_asks_for_ocr_or_keying(
    ctx: ClientContext,
) -> None:
    batch = InvoiceHandler().extract(image_only_pdf(), "grey.pdf", ctx)
    assert [i.code for i in batch.file_issues] == ["INV-PDF-NEEDS-OCR"]


def test_a_decompression_bomb_is_quarantined_with_a_reason(ctx: ClientContext) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 60_000, 60_000, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )
    batch = InvoiceHandler().extract(bomb, "invoice.png", ctx)
    assert [i.code for i in batch.file_issues] == ["INV-IMAGE-TOO-LARGE"]
    assert batch.records.height == 0


def _scanned(words: list[OcrWord]) -> ScannedPages:
    return ScannedPages(pages=[], words={1: tuple(words)})


def test_low_ocr_confidence_lowers_the_field_and_sends_it_to_review() -> None:
    cand = Candidate(source="ocr", pages=[1])
    cand.set_amount("total", "1,234.50", 0.9)
    cand.set_text("invoice_number", "A-17", 0.95)
    cand.set_date("invoice_date", "2026-03-12", 0.95)
    cand.set_text("vendor_name", "Acme GmbH", 0.95)
    words = [
        OcrWord("Invoice", 0, 30, 0, 10, 0.99),
        OcrWord("A-17", 35, 60, 0, 10, 0.98),
        OcrWord("Acme", 0, 20, 20, 30, 0.97),
        OcrWord("GmbH", 22, 40, 20, 30, 0.96),
        OcrWord("1,234.50", 100, 140, 50, 60, 0.55),
    ]
    cap_by_ocr(cand, _scanned(words))
    assert cand.confidence["total"] == pytest.approx(0.55)
    assert cand.confidence["invoice_number"] == pytest.approx(0.95)  # read cleanly: unchanged
    ctx = ClientContext(ClientConfig(id="acme", name="Acme", currency="EUR"))
    low = [i for i in candidate_issues(cand, ctx) if i.code == "INV-LOW-CONFIDENCE"]
    assert [i.field for i in low] == ["total"]
    # each field keeps the box of the words it was read from, on its page (0-based)
    assert cand.boxes["total"] == (0, (100.0, 50.0, 140.0, 60.0))
    assert cand.boxes["vendor_name"] == (0, (0.0, 20.0, 40.0, 30.0))


def test_a_field_printed_on_a_later_page_is_boxed_there() -> None:
    cand = Candidate(source="ocr", pages=[1, 2])
    cand.set_amount("total", "99.00", 0.9)
    scanned = ScannedPages(
        pages=[],
        words={
            1: (OcrWord("Carried", 0, 30, 0, 10, 0.99),),
            2: (OcrWord("Total", 0, 30, 700, 710, 0.99), OcrWord("99.00", 80, 110, 700, 710, 0.7)),
        },
    )
    cap_by_ocr(cand, scanned)
    assert cand.boxes["total"] == (1, (80.0, 700.0, 110.0, 710.0))
    assert cand.confidence["total"] == pytest.approx(0.7)


def test_a_scans_records_say_where_each_field_was_read(original: bytes, ctx: ClientContext) -> None:
    import io
    import json

    import pdfplumber

    batch = InvoiceHandler().extract(scan(original, fmt="png", dpi=150), "s.png", ctx)
    (row,) = batch.records.to_dicts()
    sources = json.loads(row["sources"])
    with pdfplumber.open(io.BytesIO(original)) as pdf:
        printed = [w for w in pdf.pages[0].extract_words() if w["text"] == SPEC.number]
    assert printed
    where = sources["invoice_number"]
    assert where["page"] == 0
    x0, top, x1, bottom = where["bbox"]
    assert any(
        abs(x0 - w["x0"]) < 8
        and abs(x1 - w["x1"]) < 15
        and abs(top - w["top"]) < 5
        and abs(bottom - w["bottom"]) < 5
        for w in printed
    )
    assert 0 < where["confidence"] <= 1
    # a text PDF reports none (its words are searched by value on the review page)
    text = InvoiceHandler().extract(original, "o.pdf", ctx)
    assert text.records.to_dicts()[0]["sources"] is None


def test_records_of_a_scan_keep_decimal_money_and_dates(
    original: bytes, ctx: ClientContext
) -> None:
    batch = InvoiceHandler().extract(scan(original, fmt="png"), "s.png", ctx)
    row = batch.records.to_dicts()[0]
    assert isinstance(row["total"], Decimal)
    assert isinstance(row["invoice_date"], dt.date)


def test_a_multipage_scan_with_scanner_faults_is_one_invoice_with_its_totals(
    ctx: ClientContext,
) -> None:
    """Page 2 repeats the number in a header beside its page number ("Nr.F-2026-99318",
    "Seite 2"): the pages stay one invoice, and the totals on the last page are its own."""
    (invoice,) = family_invoices("multipage", 1, seed=41)
    data = scanned_pdf(invoice.pdf, dpi=200, **SCANNER)
    batch = InvoiceHandler().extract(data, "scan.pdf", ctx)
    assert not batch.file_issues
    (row,) = batch.records.to_dicts()
    for field in ("invoice_number", "invoice_date", "subtotal", "tax_total", "total"):
        assert row[field] == invoice.truth[field], field


def _line(text: str, top: float, height: float, x0: float = 60.0) -> list[dict[str, object]]:
    words, x = [], x0
    for token in text.split():
        width = len(token) * height * 0.5
        words.append({"text": token, "x0": x, "x1": x + width, "top": top, "bottom": top + height})
        x += width + height * 0.3
    return words


@pytest.mark.parametrize("separator", [" ", " \u2022 "])
def test_a_sender_line_whose_dots_were_not_read_still_names_the_seller(separator: str) -> None:
    """The small sender line over the address window, its bullets lost by the recogniser."""
    sender = separator.join(["Bei Spiel GmbH", "Ecke 12", "12345 Stadthausen"])
    words = [
        *_line(sender, 150.0, 6.0),
        *_line("Theodor Est", 170.0, 10.0),
        *_line("Bahnstr. 42", 185.0, 10.0),
        *_line("88802 Spielkreis", 200.0, 10.0),
        *_line("Rechnung Nr. RE-20151008/504", 350.0, 10.0),
        *_line("Gesamtbetrag: 571,04", 590.0, 10.0),
    ]
    page = PageText(1, page_lines(words), 595.0, 842.0, 1)
    found = candidates_from_pages([page], "EUR")
    assert isinstance(found, list)
    assert found[0].values["vendor_name"] == "Bei Spiel GmbH"
    assert found[0].values["buyer_name"] == "Theodor Est"


def test_a_name_line_in_body_type_is_not_taken_for_a_sender_line() -> None:
    words = [
        *_line("Theodor Est", 150.0, 10.0),
        *_line("Bei Spiel GmbH Ecke 12 12345 Stadthausen", 170.0, 10.0),
        *_line("Rechnung Nr. RE-20151008/504", 350.0, 10.0),
        *_line("Gesamtbetrag: 571,04", 590.0, 10.0),
    ]
    page = PageText(1, page_lines(words), 595.0, 842.0, 1)
    found = candidates_from_pages([page], "EUR")
    assert isinstance(found, list)
    assert found[0].values.get("vendor_name") != "Bei Spiel GmbH"


def test_a_box_half_a_line_off_does_not_take_a_label_from_its_value() -> None:
    """OCR boxes as read from a scan: a telephone number in the next column sits half a line
    above the due date and its label; the label and the date stay one line."""
    words = [
        {"text": "+33472070856", "x0": 335.0, "x1": 434.0, "top": 256.9, "bottom": 271.6},
        {"text": "13/12/2017", "x0": 164.0, "x1": 218.0, "top": 262.4, "bottom": 277.0},
        {"text": "Date", "x0": 43.0, "x1": 65.0, "top": 262.9, "bottom": 277.2},
        {"text": "d'echeance", "x0": 71.0, "x1": 126.0, "top": 262.9, "bottom": 277.2},
    ]
    lines = [ln.text for ln in page_lines(words, mean_top=True)]
    assert any("Date d'echeance" in text and "13/12/2017" in text for text in lines)
