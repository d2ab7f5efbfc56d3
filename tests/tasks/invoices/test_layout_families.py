"""The generated layout families the finder is tuned on are read right; the held-out ones are
kept apart (scored by ``bench/eval_invoices.py``, not asserted on here, so no test shapes the
finder to them)."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from bench.eval_invoices import read_page_only, score_invoice
from samples.invoice_families import FAMILIES, HELD_OUT, TUNING, family_invoices


def test_the_splits_are_disjoint_and_cover_every_family() -> None:
    assert not set(TUNING) & set(HELD_OUT)
    assert set(TUNING) | set(HELD_OUT) == set(FAMILIES)


def test_a_multipage_invoice_spans_pages_and_carries_its_sum() -> None:
    (item,) = family_invoices("multipage", 1)
    with pdfplumber.open(io.BytesIO(item.pdf)) as pdf:
        assert len(pdf.pages) >= 2
        second = pdf.pages[1].extract_text() or ""
    assert len(item.truth["lines"]) > 22
    assert any(word in second for word in ("Übertrag", "Brought forward", "Report", "Riporto"))


@pytest.mark.parametrize("family", TUNING)
def test_a_tuning_family_is_read_right(family: str) -> None:
    scored = []
    for item in family_invoices(family, 6):
        got, completed = read_page_only(item.pdf, f"{family}.pdf")
        scored.append(score_invoice(item.truth, got, completed, family))
    fields = sum(len(s.right) for s in scored)
    right = sum(sum(s.right.values()) for s in scored)
    assert right / fields >= 0.95, [s.right for s in scored]
    assert not any(s.silent_error for s in scored)


def test_a_template_series_keeps_its_parties_and_varies_its_invoices() -> None:
    from samples.invoice_families import template_series

    items = template_series("credit", 3)
    assert len({(i.truth["vendor_name"], i.truth["vendor_tax_id"]) for i in items}) == 1
    assert len({i.truth["invoice_number"] for i in items}) == 3
    assert len({(i.layout.lang, i.layout.generator) for i in items}) == 1
