"""A few generated invoices of each unseen-producer family (``samples/invoice_unseen.py``) read
right end to end, through the production path with the embedded XML ignored."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from bench.eval_invoices import read_page_only, score_invoice
from samples.invoice_unseen import UNSEEN, unseen_invoices


def test_each_family_draws_the_habit_it_names() -> None:
    (receipt,) = unseen_invoices("retail_receipt", 1)
    with pdfplumber.open(io.BytesIO(receipt.pdf)) as pdf:
        page = pdf.pages[0]
        assert page.width < 300  # an 80 mm roll
        fonts = {w["fontname"] for w in page.extract_words(extra_attrs=["fontname"])}
    assert all("Courier" in f for f in fonts)
    (facture,) = unseen_invoices("facture", 1)
    with pdfplumber.open(io.BytesIO(facture.pdf)) as pdf:
        text = pdf.pages[0].extract_text() or ""
    assert "TOTAL HT" in text
    assert f"TVA : {facture.truth['buyer_tax_id']}" in text


@pytest.mark.parametrize("family", UNSEEN)
def test_an_unseen_family_is_read_right(family: str) -> None:
    for item in unseen_invoices(family, 3):
        got, completed = read_page_only(item.pdf, f"{family}.pdf")
        scored = score_invoice(item.truth, got, completed, family)
        assert all(scored.right.values()), (item.layout, scored.right)
