from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
import pytest

from samples.invoices import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    WRONG_NAMESPACE,
    Spec,
    cii_xml,
    facturx_pdf,
    ubl_xml,
)
from schemas.batch import ValidatedBatch
from tasks.doctype import ClientContext
from tasks.invoices.detect import sniff
from tasks.invoices.handler import InvoiceHandler
from tests.factories import make_ctx


def codes(batch: ValidatedBatch) -> list[str]:
    return [str(c) for c in batch.issues.get_column("code").to_list()]


@pytest.mark.parametrize("data", [ubl_xml(Spec()), cii_xml(Spec())], ids=["ubl", "cii"])
def test_xml_invoices(handler: InvoiceHandler, ctx: ClientContext, data: bytes) -> None:
    batch = handler.extract(data, "inv.xml", ctx)
    assert codes(batch) == []
    [fields] = handler.record_json(batch.records)
    assert fields["total"] == "410.55"
    assert fields["lines"][1]["tax_rate"] == "19.000"
    assert batch.records.get_column("confidence").to_list() == [1.0]


def test_ubl_credit_note(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(ubl_xml(Spec(), credit=True), "cn.xml", ctx)
    assert handler.record_json(batch.records)[0]["document_type"] == "381"
    assert codes(batch) == []


def test_cii_credit_note_with_negative_totals(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(cii_xml(Spec(), type_code="381", sign=Decimal(-1)), "cn.xml", ctx)
    assert handler.record_json(batch.records)[0]["total"] == "-410.55"
    assert codes(batch) == []


def test_ubl_rule_failure_is_a_record_issue(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(ubl_xml(Spec(total_text="999.99")), "inv.xml", ctx)
    assert "BR-CO-15" in codes(batch)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (BILLION_LAUGHS, "INV-XML-FORBIDDEN"),
        (EXTERNAL_ENTITY, "INV-XML-FORBIDDEN"),
        (WRONG_NAMESPACE, "INV-XML-NAMESPACE"),
        (b"<Invoice><unclosed>", "INV-XML-MALFORMED"),
    ],
    ids=["billion-laughs", "external-entity", "namespace", "malformed"],
)
def test_hostile_xml(handler: InvoiceHandler, ctx: ClientContext, data: bytes, code: str) -> None:
    batch = handler.extract(data, "evil.xml", ctx)
    assert [i.code for i in batch.file_issues] == [code]


def test_facturx_takes_embedded_xml_and_checks_printed_total(
    handler: InvoiceHandler, ctx: ClientContext
) -> None:
    spec = Spec()
    good = handler.extract(facturx_pdf(spec, cii_xml(spec)), "fx.pdf", ctx)
    assert good.meta["format"] == "facturx"
    assert codes(good) == []
    bad = handler.extract(
        facturx_pdf(spec, cii_xml(spec), Spec(total_text="999.00")), "fx.pdf", ctx
    )
    assert codes(bad) == ["INV-FX-TEXT-MISMATCH"]
    assert handler.record_json(bad.records)[0]["total"] == "410.55"


def test_facturx_credit_note_printed_negative_agrees_with_its_positive_xml(
    handler: InvoiceHandler, ctx: ClientContext
) -> None:
    spec = Spec(credit=True)
    batch = handler.extract(facturx_pdf(spec, cii_xml(spec, type_code="381")), "cn.pdf", ctx)
    assert batch.meta["text_total"] == "-410.55"
    assert "INV-FX-TEXT-MISMATCH" not in codes(batch)
    wrong = handler.extract(
        facturx_pdf(spec, cii_xml(spec, type_code="381"), Spec(credit=True, total_text="-400.00")),
        "cn.pdf",
        ctx,
    )
    assert "INV-FX-TEXT-MISMATCH" in codes(wrong)


def test_facturx_total_printed_anywhere_on_the_page_is_not_a_mismatch(
    handler: InvoiceHandler, ctx: ClientContext
) -> None:
    """The reading of the page may take another figure for the total ("Total 999.00" of a
    delivery note block); the XML's total printed elsewhere on the page is what counts."""
    from fpdf import FPDF

    spec = Spec()
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    for text in ("ACME GmbH", "Invoice No: INV-2026-001", "Amount due: 410.55 EUR"):
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, "Total 999.00", new_x="LMARGIN", new_y="NEXT")
    pdf.embed_file(basename="factur-x.xml", bytes=cii_xml(spec), desc="Factur-X invoice")
    batch = handler.extract(bytes(pdf.output()), "fx.pdf", ctx)
    assert batch.meta["text_total"] == "999.00"
    assert "INV-FX-TEXT-MISMATCH" not in codes(batch)


def test_facturx_with_bad_xml_falls_back_to_text(
    handler: InvoiceHandler, ctx: ClientContext
) -> None:
    batch = handler.extract(facturx_pdf(Spec(), WRONG_NAMESPACE), "fx.pdf", ctx)
    assert codes(batch) == ["INV-FX-XML-INVALID"]
    assert handler.record_json(batch.records)[0]["total"] == "410.55"


def _csv(rows: list[dict[str, str]]) -> bytes:
    return pl.DataFrame(rows).write_csv().encode()


def test_csv_batch_groups_lines_by_invoice(handler: InvoiceHandler, ctx: ClientContext) -> None:
    head = {
        "invoice_number": "C-1",
        "invoice_date": "2026-03-01",
        "vendor_name": "Acme",
        "buyer_name": "Globex",
        "currency": "EUR",
        "subtotal": "30.00",
        "tax_total": "0.00",
        "total": "30.00",
    }
    rows = [
        {**head, "description": "a", "quantity": "1", "unit_price": "10.00", "amount": "10.00"},
        {**head, "description": "b", "quantity": "2", "unit_price": "10.00", "amount": "20.00"},
        {
            **head,
            "invoice_number": "C-2",
            "total": "5.00",
            "subtotal": "5.00",
            "description": "c",
            "quantity": "1",
            "unit_price": "5.00",
            "amount": "5.00",
        },
    ]
    batch = handler.extract(_csv(rows), "batch.csv", ctx)
    assert batch.records.get_column("record_key").to_list() == ["C-1", "C-2"]
    assert [len(f["lines"]) for f in handler.record_json(batch.records)] == [2, 1]
    assert codes(batch) == []


def test_csv_column_mapping(handler: InvoiceHandler, tmp_path: object) -> None:

    ctx = make_ctx(tmp_path, columns={"Beleg": "invoice_number", "Brutto": "total"})  # type: ignore[arg-type]
    data = _csv(
        [
            {
                "Beleg": "M-1",
                "Brutto": "1.234,50",
                "vendor_name": "V",
                "buyer_name": "B",
                "currency": "EUR",
                "invoice_date": "01.03.2026",
            }
        ]
    )
    [fields] = handler.record_json(handler.extract(data, "m.csv", ctx).records)
    assert (fields["invoice_number"], fields["total"], fields["invoice_date"]) == (
        "M-1",
        "1234.50",
        "2026-03-01",
    )


def test_json_batch(handler: InvoiceHandler, ctx: ClientContext) -> None:
    doc = {
        "invoices": [
            {
                "invoice_number": "J-1",
                "invoice_date": "2026-03-01",
                "vendor_name": "V",
                "buyer_name": "B",
                "currency": "ABC",
                "total": 12.5,
                "lines": [{"description": "x", "amount": "12.50"}],
            }
        ]
    }
    batch = handler.extract(json.dumps(doc).encode(), "b.json", ctx)
    assert codes(batch) == ["BR-CL-04"]
    assert handler.record_json(batch.records)[0]["total"] == "12.50"


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"%PDF-1.7", "pdf"),
        (b"\xef\xbb\xbf<?xml", "xml"),
        (b" [{}]", "json"),
        (b"a,b,c\n1,2,3", "csv"),
        (b"", "empty"),
        (b"\x00\x01", "unknown"),
    ],
)
def test_sniff(data: bytes, fmt: str) -> None:
    assert sniff(data, "whatever.txt") == fmt


def test_cii_text_only_line_is_a_note_not_a_sale(
    handler: InvoiceHandler, ctx: ClientContext
) -> None:
    """ZUGFeRD 1.0 lets a line carry only a note; it has no amount to check (BR-24)."""
    note = (
        b"<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument>"
        b"<ram:IncludedNote><ram:Content>Orders before 19 December ship this year.</ram:Content>"
        b"</ram:IncludedNote></ram:AssociatedDocumentLineDocument>"
        b"<ram:SpecifiedSupplyChainTradeSettlement/></ram:IncludedSupplyChainTradeLineItem>"
    )
    xml = cii_xml(Spec())
    at = xml.index(b"<ram:IncludedSupplyChainTradeLineItem>")
    batch = handler.extract(xml[:at] + note + xml[at:], "inv.xml", ctx)
    [fields] = handler.record_json(batch.records)
    assert len(fields["lines"]) == 2
    assert codes(batch) == []


@pytest.mark.parametrize(
    ("dates", "currency", "expected"),
    [
        (["11/03/2026", "11/17/2026"], "EUR", ["2026-11-03", "2026-11-17"]),  # month first
        (["11/03/2026", "17/11/2026"], "USD", ["2026-03-11", "2026-11-17"]),  # day first
        (["03/04/2026"], "USD", ["2026-03-04"]),  # no evidence: US dollars read month first
        (["03/04/2026"], "EUR", ["2026-04-03"]),
    ],
)
def test_a_batch_reads_its_ambiguous_dates_the_way_its_other_dates_show(
    handler: InvoiceHandler,
    ctx: ClientContext,
    dates: list[str],
    currency: str,
    expected: list[str],
) -> None:
    rows = [
        {
            "invoice_number": f"D-{i}",
            "invoice_date": date,
            "vendor_name": "Acme",
            "buyer_name": "Globex",
            "currency": currency,
            "total": "10.00",
            "amount": "10.00",
        }
        for i, date in enumerate(dates)
    ]
    batch = handler.extract(_csv(rows), "batch.csv", ctx)
    assert [f["invoice_date"] for f in handler.record_json(batch.records)] == expected
    doc = json.dumps({"invoices": [{k: v for k, v in r.items() if k != "amount"} for r in rows]})
    batch = handler.extract(doc.encode(), "batch.json", ctx)
    assert [f["invoice_date"] for f in handler.record_json(batch.records)] == expected
