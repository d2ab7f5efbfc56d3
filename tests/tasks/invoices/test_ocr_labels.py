"""Labels the recogniser read without their spaces are split again by the finder's labels."""

from __future__ import annotations

import pytest

from readers.ocr import OcrWord
from tasks.invoices.labels import match_label
from tasks.invoices.ocr_labels import form_dash_spaces, glued_label_spaces, split_glued_labels


@pytest.mark.parametrize(
    ("read", "meant", "field"),
    [
        ("TOTALTTC", "TOTAL TTC", "total"),
        ("NETAPAYER", "NET A PAYER", "total"),
        ("TOTALH.T.", "TOTAL H.T.", "subtotal"),
        ("FACTUREN\u00b0:", "FACTURE N\u00b0:", "invoice_number"),
        ("USt.Gesamt:", "USt. Gesamt:", "tax_total"),
        ("Summenetto:496,00", "Summe netto:496,00", "subtotal"),
        ("USt-IdNr.DE604621160", "USt-IdNr. DE604621160", "vendor_tax_id"),
        ("P.IVAIT184443530", "P. IVA IT184443530", "vendor_tax_id"),
        ("IBANDE88200800000970375700", "IBAN DE88200800000970375700", "vendor_iban"),
    ],
)
def test_a_glued_label_is_split_where_the_label_has_its_spaces(
    read: str, meant: str, field: str
) -> None:
    spaced = glued_label_spaces(read)
    assert spaced == meant
    found = match_label(spaced)
    assert found is not None
    assert found[0] == field


@pytest.mark.parametrize(
    "word",
    ["TOTALENERGIES", "SELLERTRADENAME", "INV-2024-35038", "DE604621160", "Total:100,00", "Vat"],
)
def test_a_word_that_only_starts_like_a_label_stays_whole(word: str) -> None:
    assert glued_label_spaces(word) == word


def test_the_split_words_share_the_box_and_keep_the_confidence() -> None:
    words = (
        OcrWord("TOTALTTC", 300.0, 380.0, 500.0, 510.0, 0.8),
        OcrWord("671,15", 500.0, 540.0, 500.0, 510.0, 0.95),
    )
    total, ttc, amount = split_glued_labels(words)
    assert (total.text, ttc.text, amount) == ("TOTAL", "TTC", words[1])
    assert total.x0 == 300.0
    assert ttc.x1 == pytest.approx(380.0)
    assert total.x1 < ttc.x0
    assert {total.confidence, ttc.confidence} == {0.8}


def test_a_legal_form_glued_to_the_address_is_spaced_after_a_name_only() -> None:
    words = (
        OcrWord("Au", 60.0, 70.0, 40.0, 50.0, 0.9),
        OcrWord("moulin", 72.0, 100.0, 40.0, 50.0, 0.9),
        OcrWord("SARL-1242", 102.0, 150.0, 40.0, 50.0, 0.9),
        OcrWord("chemin", 152.0, 180.0, 40.0, 50.0, 0.9),
        OcrWord("Nr.:", 60.0, 75.0, 80.0, 90.0, 0.9),
        OcrWord("SARL-1242", 77.0, 120.0, 80.0, 90.0, 0.9),
    )
    texts = [w.text for w in split_glued_labels(words)]
    assert texts == ["Au", "moulin", "SARL", "-", "1242", "chemin", "Nr.:", "SARL-1242"]


@pytest.mark.parametrize("word", ["INV-2026", "SA-2024", "SAS-2024-1", "AB-123"])
def test_an_identifier_keeps_its_dash(word: str) -> None:
    assert form_dash_spaces(word) == word
