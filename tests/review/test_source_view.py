"""The source beside a review item: boxes on PDF pages (reported or found by value), the
claim's X12 segments, the row as the client sent it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from readers.pdf_pages import page_sizes, render_png, words
from review.source_view import parse_sources, pdf_pages, sent_row, x12_segments
from samples.invoices import Spec, make_pdf
from schemas.config import ClientConfig


@pytest.fixture(scope="module")
def invoice_pdf() -> bytes:
    return make_pdf(Spec(total_text="999.99"))


def _fields() -> dict[str, object]:
    return {
        "invoice_number": "INV-2026-001",
        "invoice_date": "2026-03-12",
        "vendor_name": "Acme Supplies GmbH",
        "subtotal": "345.00",
        "tax_total": "65.55",
        "total": "999.99",
        "lines": [{"description": "Steel bolts M8", "amount": "45.00"}],
    }


def test_reported_boxes_land_where_the_reader_said(invoice_pdf: bytes) -> None:
    (size,) = page_sizes(invoice_pdf)
    sources = {
        "total": {"page": 0, "bbox": [400, 700, 460, 712], "label": "Total", "confidence": 0.9}
    }
    (page,) = pdf_pages([size], fields=_fields(), sources=sources, flagged={"total"}, words=None)
    (box,) = page.boxes
    assert box.field == "total"
    assert box.flagged
    assert box.found_by == "extraction"
    assert box.left == pytest.approx((400 - 1.5) / size[0] * 100, abs=0.01)
    assert box.top == pytest.approx((700 - 1.5) / size[1] * 100, abs=0.01)
    assert (box.label, box.confidence) == ("Total", 0.9)
    # a source on a page the document does not have, or without a box, is ignored
    odd = {"total": {"page": 3, "bbox": [1, 2, 3, 4]}, "subtotal": {"page": 0, "bbox": None}}
    assert pdf_pages([size], fields={}, sources=odd, flagged=set(), words=None)[0].boxes == []


def test_fields_without_a_source_are_found_by_their_printed_value(invoice_pdf: bytes) -> None:
    printed = words(invoice_pdf)
    (page,) = pdf_pages(
        page_sizes(invoice_pdf),
        fields=_fields(),
        sources={},
        flagged={"total"},
        words=printed,
    )
    found = {b.field: b for b in page.boxes}
    assert {
        "total",
        "subtotal",
        "tax_total",
        "invoice_number",
        "invoice_date",
        "vendor_name",
    } <= set(found)
    assert found["total"].flagged
    assert found["total"].found_by == "value"
    total_words = [w for w in printed if w.text.endswith("999.99")]
    assert total_words
    # the box is around the printed 999.99
    assert found["total"].top < total_words[0].top / page.height * 100 + 1
    assert found["total"].top + found["total"].height > total_words[0].bottom / page.height * 100
    assert found["lines[0].amount"].found_by == "value"
    assert not found["subtotal"].flagged


def test_pii_is_never_looked_for(invoice_pdf: bytes) -> None:
    (page,) = pdf_pages(
        page_sizes(invoice_pdf),
        fields={"vendor_name": "Acme Supplies GmbH"},
        sources={},
        flagged=set(),
        words=words(invoice_pdf),
        pii=frozenset({"vendor_name"}),
    )
    assert page.boxes == []


def test_a_page_renders_as_png(invoice_pdf: bytes) -> None:
    png = render_png(invoice_pdf, 0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 5000


def test_parse_sources_takes_only_objects() -> None:
    assert parse_sources(None) == {}
    assert parse_sources("[1]") == {}
    assert parse_sources("not json") == {}
    assert parse_sources(json.dumps({"total": {"page": 0}, "x": 3})) == {"total": {"page": 0}}


def test_x12_segments_mark_where_flagged_fields_live() -> None:
    raw = json.dumps(
        [
            "HL*1**20*1",
            "NM1*85*2*CLINIC*****XX*1234567890",
            "HL*2*1*22*0",
            "NM1*IL*1*D***~****MI*****2345",
            "NM1*PR*2*PAYER*****PI*PAYER01",
            "CLM*PCN1*999.99***11:B:1",
            "HI*ABK:E1165",
            "LX*1",
            "SV1*HC:99213*40.00*UN*1***1",
            "DTP*472*D8*20240105",
            "LX*2",
            "SV1*HC:XYZ*40.00*UN*1***1",
        ]
    )
    segments = x12_segments(raw, {"billing_npi", "lines[1].procedure_code", "total_charge"})
    assert segments is not None
    marked = [s.text for s in segments if s.flagged]
    assert marked == [
        "NM1*85*2*CLINIC*****XX*1234567890",
        "CLM*PCN1*999.99***11:B:1",
        "LX*2",
        "SV1*HC:XYZ*40.00*UN*1***1",
    ]
    by_text = {s.text: s.fields for s in segments}
    assert by_text["DTP*472*D8*20240105"] == ("lines[0]",)
    assert by_text["NM1*PR*2*PAYER*****PI*PAYER01"] == ("payer_id",)
    assert x12_segments(json.dumps({"a": 1}), set()) is None
    assert x12_segments(None, set()) is None


def test_the_row_as_sent_uses_the_clients_headers_and_masks_pii() -> None:
    client = ClientConfig.model_validate(
        {"id": "globex", "name": "Globex", "payroll": {"columns": {"Emp #": "employee_id"}}}
    )
    raw = json.dumps({"employee_id": "E7", "routing_number": "123456789", "gross_pay": "1,000.00"})
    cells = sent_row(raw, doc_type="payroll", client=client, flagged={"routing_number"})
    assert cells is not None
    shown = {c.header: (c.value, c.flagged) for c in cells}
    assert shown == {
        "Emp #": ("E7", False),
        "routing_number": ("*****6789", True),
        "gross_pay": ("1,000.00", False),
    }
    assert sent_row("[]", doc_type="payroll", client=client, flagged=set()) is None
    assert Decimal(shown["gross_pay"][0].replace(",", "")) == Decimal("1000.00")
