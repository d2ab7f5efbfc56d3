from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from samples.invoices import (
    LABELS,
    Spec,
    blank_text_pdf,
    encrypted_pdf,
    image_only_pdf,
    make_pdf,
)
from schemas.config import ClientConfig
from schemas.invoice_options import InvoiceOptions
from tasks.doctype import ClientContext
from tasks.invoices.handler import InvoiceHandler


def issue_codes(batch: object) -> list[tuple[int, str, str]]:
    return [
        (r["record_index"], r["code"], r["field"])
        for r in batch.issues.to_dicts()  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("lang", sorted(LABELS))
@pytest.mark.parametrize("layout", ["right", "above", "table", "blocks"])
def test_layouts_and_languages(
    handler: InvoiceHandler, ctx: ClientContext, layout: str, lang: str
) -> None:
    spec = Spec()
    batch = handler.extract(make_pdf(spec, layout, lang), "inv.pdf", ctx)
    assert batch.file_issues == ()
    assert issue_codes(batch) == []
    [fields] = handler.record_json(batch.records)
    assert fields["invoice_number"] == "INV-2026-001"
    assert fields["invoice_date"] == "2026-03-12"
    assert fields["due_date"] == "2026-04-11"
    assert fields["vendor_name"] == spec.vendor
    assert fields["buyer_name"] == spec.buyer
    assert fields["vendor_tax_id"] == "DE136695976"
    assert fields["po_number"] == "PO-7781"
    assert fields["currency"] == "EUR"
    assert (fields["subtotal"], fields["tax_total"], fields["total"]) == (
        "345.00",
        "65.55",
        "410.55",
    )
    assert [ln["amount"] for ln in fields["lines"]] == ["45.00", "300.00"]
    assert fields["lines"][0]["description"] == "Steel bolts M8"


def test_two_invoices_in_one_pdf(handler: InvoiceHandler, ctx: ClientContext) -> None:
    pdf = make_pdf([Spec(number="A-1"), Spec(number="A-2", buyer="Initech")], "right", "de")
    batch = handler.extract(pdf, "two.pdf", ctx)
    assert batch.records.get_column("record_key").to_list() == ["A-1", "A-2"]
    assert batch.records.get_column("buyer_name").to_list() == ["Globex Corporation", "Initech"]
    assert batch.records.get_column("pages").to_list() == ["1-1", "2-2"]


def test_same_invoice_twice_in_a_file_is_flagged(
    handler: InvoiceHandler, ctx: ClientContext
) -> None:
    pdf = make_pdf([Spec(number="A-1"), Spec(number="A-1", date=dt.date(2026, 3, 13))])
    batch = handler.extract(pdf, "dup.pdf", ctx)
    # one invoice number over two pages reads as one two-page invoice: no duplicate record
    assert batch.records.height == 1


def test_credit_note_pdf(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(make_pdf(Spec(credit=True), "table", "fr"), "avoir.pdf", ctx)
    [fields] = handler.record_json(batch.records)
    assert fields["document_type"] == "381"
    assert fields["total"] == "-410.55"
    assert issue_codes(batch) == []


def test_impossible_date_is_a_record_issue(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(make_pdf(Spec(date_text="31/02/2026"), "right", "fr"), "x.pdf", ctx)
    assert (0, "INV-DATE-INVALID", "invoice_date") in issue_codes(batch)
    assert batch.records.get_column("invoice_date").to_list() == [None]


def test_three_decimal_total(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(make_pdf(Spec(total_text="410.555")), "x.pdf", ctx)
    assert (0, "INV-AMOUNT-DECIMALS", "total") in issue_codes(batch)


def test_unknown_currency(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(make_pdf(Spec(currency="XQZ")), "x.pdf", ctx)
    codes = issue_codes(batch)
    # XQZ is not ISO 4217, so it is not read as a currency: the client default is a guess
    assert (0, "INV-LOW-CONFIDENCE", "currency") in codes


def test_wrong_total_is_flagged(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(make_pdf(Spec(total_text="500.00")), "x.pdf", ctx)
    assert (0, "BR-CO-15", "total") in issue_codes(batch)


def test_letterhead_vendor_below_threshold_goes_to_review(handler: InvoiceHandler) -> None:
    strict = ClientContext(
        ClientConfig(id="a", name="A", invoices=InvoiceOptions(confidence_threshold=Decimal("0.9")))
    )
    batch = handler.extract(make_pdf(Spec(), "above", "en"), "x.pdf", strict)
    assert (0, "INV-LOW-CONFIDENCE", "vendor_name") in issue_codes(batch)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "INV-EMPTY-FILE"),
        (encrypted_pdf(), "INV-PDF-ENCRYPTED"),
        (image_only_pdf(), "INV-PDF-NEEDS-OCR"),
        (make_pdf(Spec())[:600], "INV-PDF-UNREADABLE"),
        (blank_text_pdf(1, "Minutes of the board meeting"), "INV-NOT-AN-INVOICE"),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "INV-IMAGE-UNREADABLE"),  # an image now: a broken one
    ],
    ids=["zero-bytes", "encrypted", "image-only", "truncated", "not-invoice", "binary"],
)
def test_hostile_pdfs_are_file_issues(
    handler: InvoiceHandler, ctx: ClientContext, data: bytes, code: str
) -> None:
    batch = handler.extract(data, "bad.pdf", ctx)
    assert [i.code for i in batch.file_issues] == [code]
    assert batch.records.height == 0


def test_500_page_pdf_is_refused_fast(handler: InvoiceHandler, ctx: ClientContext) -> None:
    data = blank_text_pdf(500, "page")
    start = time.perf_counter()
    batch = handler.extract(data, "big.pdf", ctx)
    assert [i.code for i in batch.file_issues] == ["INV-PDF-TOO-MANY-PAGES"]
    assert time.perf_counter() - start < 10


def test_sender_line_gives_seller_and_the_address_below_gives_buyer() -> None:
    """A windowed letter: the small sender line above the recipient's address (DIN 5008)."""
    from fpdf import FPDF

    from schemas.config import ClientConfig
    from tasks.doctype import ClientContext
    from tasks.invoices.handler import InvoiceHandler

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=7)
    pdf.text(20, 20, "Nordlicht Hosting GmbH - Industriestr. 25 - 91710 Gunzenhausen")
    pdf.set_font("Helvetica", size=10)
    for n, line in enumerate(["Usegroup Inh. Jana Kurz", "Huswertstr. 14", "60435 Frankfurt"]):
        pdf.text(20, 28 + 5 * n, line)
    rows = [
        "Rechnungsnummer: R0005532486",
        "Rechnungsdatum: 19.01.2016",
        "Netto 87,39 EUR",
        "USt. (19 %) 16,61 EUR",
        "Brutto 104,00 EUR",
        "IBAN: DE54 5004 **** **** **** 00",
        "IBAN: DE89 3704 0044 0532 0130 00",
    ]
    for n, line in enumerate(rows):
        pdf.text(20, 60 + 6 * n, line)
    data = bytes(pdf.output())
    batch = InvoiceHandler().extract(data, "r.pdf", ClientContext(ClientConfig(id="a", name="A")))
    (fields,) = InvoiceHandler().record_json(batch.records)
    assert fields["vendor_name"] == "Nordlicht Hosting GmbH"
    assert fields["buyer_name"] == "Usegroup Inh. Jana Kurz"
    assert fields.get("vendor_iban", "").replace(" ", "") == "DE89370400440532013000"
