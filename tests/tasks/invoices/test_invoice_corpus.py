"""A small slice of bench/eval_invoices.py on the shared corpus (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.doctype import ClientContext
from tasks.invoices.facturx import embedded_xml
from tasks.invoices.handler import InvoiceHandler
from tasks.invoices.pdf_extract import extract_pdf

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
FX = CORPUS / "zugferd-corpus" / "XML-Rechnung" / "FX"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not FX.is_dir(), reason="shared corpus not present"),
]

SLICE = ["EN16931_Einfach.pdf", "EN16931_Betriebskostenabrechnung.pdf", "EN16931_Gutschrift.pdf"]


@pytest.mark.parametrize("name", SLICE)
def test_facturx_pdf_reads_embedded_xml(
    handler: InvoiceHandler, ctx: ClientContext, name: str
) -> None:
    data = (FX / name).read_bytes()
    batch = handler.extract(data, name, ctx)
    assert batch.file_issues == ()
    assert batch.meta["format"] == "facturx"
    [fields] = handler.record_json(batch.records)
    assert fields["invoice_number"]
    assert "INV-FX-TEXT-MISMATCH" not in batch.issues.get_column("code").to_list()


@pytest.mark.parametrize("name", SLICE)
def test_text_extraction_agrees_with_embedded_xml_on_totals(
    handler: InvoiceHandler, ctx: ClientContext, name: str
) -> None:
    data = (FX / name).read_bytes()
    assert embedded_xml(data) is not None
    truth = handler.record_json(handler.extract(data, name, ctx).records)[0]
    found = extract_pdf(data, max_pages=50, currency="EUR")
    assert isinstance(found, list)
    got = found[0].values
    assert got.get("invoice_number") == truth["invoice_number"]
    assert str(got.get("total")) == truth["total"]
