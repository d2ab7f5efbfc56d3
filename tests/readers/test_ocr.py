"""The OCR reader: words with boxes in PDF points and confidences, and refusals of hostile
images before their pixels are decoded."""

from __future__ import annotations

import io
import itertools
import struct
import zlib

import pdfplumber
import pytest
from PIL import Image

from readers.ocr import (
    MAX_PIXELS,
    OcrRefusal,
    OcrWord,
    _join_decimals,
    fix_digits,
    image_kind,
    image_pages,
    pdf_pages,
    respace,
    split_line,
)
from samples.invoices import Spec, make_pdf
from samples.scans import image_pdf, render_page, save_image


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels (its data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\nrest", "png"),
        (b"\xff\xd8\xff\xe0rest", "jpeg"),
        (b"II*\x00rest", "tiff"),
        (b"MM\x00*rest", "tiff"),
        (b"%PDF-1.7", None),
        (b"GIF89a", None),
    ],
)
def test_images_are_known_by_their_magic_bytes(data: bytes, kind: str | None) -> None:
    assert image_kind(data) == kind


def test_a_line_splits_into_words_by_their_length() -> None:
    words = split_line("Total  due 12.50", (100.0, 10.0, 260.0, 20.0), 0.9)
    assert [w.text for w in words] == ["Total", "due", "12.50"]
    assert words[0].x0 == 100.0
    assert words[-1].x1 == pytest.approx(260.0)
    assert all(a.x1 < b.x0 for a, b in itertools.pairwise(words))
    assert {w.confidence for w in words} == {0.9}


@pytest.mark.parametrize("size", [(100_000, 100_000), (8_000, 8_000)])
def test_an_image_over_the_pixel_budget_is_refused_unread(size: tuple[int, int]) -> None:
    # 100k x 100k trips Pillow's own bomb check; 8k x 8k (64 M pixels) only our budget.
    assert size[0] * size[1] > MAX_PIXELS
    answer = image_pages(_png_header(*size), max_pages=5)
    assert isinstance(answer, OcrRefusal)
    assert answer.reason == "too-large"


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\ngarbage", b"\xff\xd8\xff\xe0\x00\x10JFIF"])
def test_a_broken_image_is_refused(data: bytes) -> None:
    answer = image_pages(data, max_pages=5)
    assert isinstance(answer, OcrRefusal)
    assert answer.reason == "unreadable"


def test_too_many_tiff_pages_are_refused() -> None:
    frames = [Image.new("L", (50, 50), 255) for _ in range(4)]
    buf = io.BytesIO()
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:])
    answer = image_pages(buf.getvalue(), max_pages=3)
    assert isinstance(answer, OcrRefusal)
    assert answer.reason == "too-many-pages"


def _plumber_words(pdf: bytes) -> dict[str, tuple[float, float]]:
    """Words printed once on the page, and where."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words = doc.pages[0].extract_words()
    texts = [str(w["text"]) for w in words]
    return {
        t: (w["x0"], w["top"]) for t, w in zip(texts, words, strict=True) if texts.count(t) == 1
    }


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_scanned_words_land_where_the_text_layer_puts_them(fmt: str) -> None:
    """Boxes are PDF points from the top-left corner, for a scanned PDF and for an image that
    states its resolution alike: a word read by OCR sits within a few points of the same word
    in the original's text layer."""
    pdf = make_pdf(Spec(number="INV-7731"))
    image = render_page(pdf, dpi=200)
    pages = (
        image_pages(save_image(image, "png", dpi=200), max_pages=5)
        if fmt == "png"
        else pdf_pages(image_pdf(image, dpi=200), max_pages=5)
    )
    assert not isinstance(pages, OcrRefusal)
    (page,) = pages
    assert page.width == pytest.approx(595.3, abs=1.5)
    truth = _plumber_words(pdf)
    texts = [w.text for w in page.words]
    read = {w.text: w for w in page.words if texts.count(w.text) == 1}
    assert "INV-7731" in read
    compared = [t for t in truth if t in read and len(t) >= 5]
    assert len(compared) >= 5
    for text in compared:
        word = read[text]
        assert abs(word.top - truth[text][1]) < 4, text
        assert abs(word.x0 - truth[text][0]) < 6, text
        assert 0 < word.confidence <= 1


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("12March2026", "12 March 2026"),
        ("InvoiceDate:", "Invoice Date:"),
        ("AcmeSuppliesGmbH", "Acme Supplies GmbH"),
        ("FrischdienstAG|Kaiserstrasse 9", "Frischdienst AG | Kaiserstrasse 9"),
        ("345. 00", "345.00"),
        ("Bei Spiel GmbH\u00b7Ecke 12\u00b712345", "Bei Spiel GmbH \u00b7 Ecke 12 \u00b7 12345"),
        ("Beleg-Nr \uff1aR87654321", "Beleg-Nr :R87654321"),  # a full-width colon
        ("Rabatt:-0,02\u2208/Stk.", "Rabatt:-0,02\u20ac/Stk."),  # the euro sign
        ("NF26100", "NF26100"),
        ("INV-2026-314", "INV-2026-314"),
        ("McKay", "McKay"),
        ("DE136695976", "DE136695976"),
        ("1 538.38", "1 538.38"),
        ("Summe inkl.USt:571,04", "Summe inkl. USt:571,04"),  # after an abbreviation's dot
        ("Bahnstr.42", "Bahnstr. 42"),
        ("Rechnung Nr.F-2026-99318", "Rechnung Nr. F-2026-99318"),
        ("z.B. S.r.l.", "z.B. S.r.l."),
        ("max.muster@example.com", "max.muster@example.com"),
        ("Bei Spiel GmbHEcke 12", "Bei Spiel GmbH Ecke 12"),
        ("N\u00b0de facture:", "N\u00b0 de facture:"),
        ("Date de facture 13/11/20.17", "Date de facture 13/11/2017"),  # a speck in the year
        ("12.11.2017", "12.11.2017"),
        ("v1.2.3", "v1.2.3"),
    ],
)
def test_spaces_the_recogniser_dropped_are_put_back(read: str, meant: str) -> None:
    assert respace(read) == meant


def test_an_amount_read_as_two_boxes_is_one_word() -> None:
    words = [
        OcrWord("Subtotal", 300, 340, 274, 284, 0.99),
        OcrWord("345.", 515.9, 536.4, 274.8, 284.9, 0.97),
        OcrWord("00", 534.0, 547.5, 275.3, 284.4, 0.99),
        OcrWord("00", 534.0, 547.5, 300.0, 310.0, 0.99),  # another line: stays
    ]
    joined = _join_decimals(words)
    assert [w.text for w in joined] == ["Subtotal", "345.00", "00"]
    assert joined[1].confidence == 0.97


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("1O5,0O", "105,00"),  # O for 0
        ("l2.50", "12.50"),  # l for 1
        ("(1O.50)", "(10.50)"),
        ("\u20ac1O.00", "\u20ac10.00"),
        ("1.234.56", "1.234,56"),  # the decimal comma read as a point
        ("1,234,56", "1,234.56"),  # the decimal point read as a comma
        ("O1.O2.2026", "01.02.2026"),
        ("12.03.2026", "12.03.2026"),  # a date is no amount with one separator
        ("1.234.567", "1.234.567"),  # thousands only
        ("Old", "Old"),  # words stay words
        ("ID", "ID"),
        ("DE123", "DE123"),
        ("lO", "lO"),  # no digit: not a number
        ("INV-2O26", "INV-2O26"),  # an identifier is not touched
    ],
)
def test_digits_the_recogniser_read_as_letters_are_put_back(read: str, meant: str) -> None:
    assert fix_digits(read) == meant


def test_a_split_line_carries_fixed_digits_in_its_words() -> None:
    words = split_line("Total 1.O5O.25", (0.0, 0.0, 140.0, 10.0), 0.8)
    assert [w.text for w in words] == ["Total", "1.050,25"]


def test_an_image_is_shown_in_the_points_its_words_are_read_in() -> None:
    from readers.pdf_pages import PdfPagesError, page_sizes, render_png

    pdf = make_pdf(Spec(number="INV-9"), layout="right", lang="en")
    png = save_image(render_page(pdf, dpi=150), "png", 150)
    ((width, height),) = page_sizes(png)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert width == pytest.approx(float(doc.pages[0].width), abs=1)
        assert height == pytest.approx(float(doc.pages[0].height), abs=1)
    shown = Image.open(io.BytesIO(render_png(png, 0, scale=1.0)))
    assert shown.width == pytest.approx(width, abs=2)  # one pixel a point at scale 1
    with pytest.raises(PdfPagesError):
        render_png(png, 1)
    with pytest.raises(PdfPagesError):
        page_sizes(b"\x89PNG\r\n\x1a\ngarbage")
