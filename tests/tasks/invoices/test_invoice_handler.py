from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import polars as pl

from samples.invoices import Spec, make_pdf, ubl_xml
from schemas.formula import defuse as safe_cell
from schemas.invoice import CANONICAL_FIELDS
from tasks.doctype import ClientContext, OutputContext
from tasks.invoices.handler import InvoiceHandler
from tasks.invoices.pool import extract_many


class MemoryOutbox:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, relative_name: str, data: bytes) -> str:
        self.files[relative_name] = data
        return f"mem://acme/{relative_name}"


def test_record_json_has_canonical_names(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(make_pdf(Spec()), "a.pdf", ctx)
    [fields] = handler.record_json(batch.records)
    assert set(fields) == {*CANONICAL_FIELDS, "document_type"}
    assert fields["invoice_date"] == "2026-03-12"


def test_record_key_placeholder_when_number_missing(
    handler: InvoiceHandler, ctx: ClientContext
) -> None:
    data = b"invoice_number,total,vendor_name\n,10.00,V\n"
    batch = handler.extract(data, "x.csv", ctx)
    assert batch.records.get_column("record_key").to_list() == ["#0"]
    assert "BR-02" in batch.issues.get_column("code").to_list()


def test_revalidate_after_reviewer_fix(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(make_pdf(Spec(total_text="500.00")), "a.pdf", ctx)
    [fields] = handler.record_json(batch.records)
    _, issues = handler.revalidate(fields, ctx)
    assert [i.code for i in issues] == ["BR-CO-15"]
    fixed, issues = handler.revalidate({**fields, "total": "410.55", "due_date": "11.04.2026"}, ctx)
    assert issues == []
    assert fixed["total"] == "410.55"
    assert fixed["due_date"] == "2026-04-11"
    _, issues = handler.revalidate({**fields, "invoice_date": "31/02/2026"}, ctx)
    assert [(i.code, i.field) for i in issues] == [
        ("INV-DATE-INVALID", "invoice_date"),
        ("BR-CO-15", "total"),
    ]


def test_dedupe_keys_and_billable_units(handler: InvoiceHandler, ctx: ClientContext) -> None:
    batch = handler.extract(
        make_pdf([Spec(number="a-1"), Spec(number="A-2", lines=[])]), "a.pdf", ctx
    )
    keys = handler.dedupe_keys(batch.records)
    assert keys is not None
    assert keys.to_list() == ["DE136695976|A-1", "DE136695976|A-2"]
    units = handler.billable_units(batch.records)
    assert units.schema == pl.Schema(
        {"record_index": pl.UInt32, "unit": pl.String, "quantity": pl.Int64}
    )
    assert units.rows() == [(0, "invoice", 1), (0, "invoice_line", 2), (1, "invoice", 1)]


def test_duplicate_inside_one_file(handler: InvoiceHandler, ctx: ClientContext) -> None:
    row = "invoice_number,invoice_date,vendor_name,buyer_name,currency,total,vendor_tax_id\n"
    data = (row + "D-1,2026-03-01,V,B,EUR,1.00,\nD-2,2026-03-01,V,B,EUR,1.00,\n").encode()
    data += b"d-1 ,2026-03-01,V,B,EUR,1.00,\n"
    batch = handler.extract(data, "d.csv", ctx)
    assert batch.issues.filter(pl.col("code") == "INV-DUPLICATE-IN-FILE").get_column(
        "record_index"
    ).to_list() == [2]


def test_write_outputs_csv_is_formula_safe(handler: InvoiceHandler, ctx: ClientContext) -> None:
    spec = Spec(vendor='=HYPERLINK("http://x")', lines=[("@SUM(A1)", Decimal(1), Decimal("-5.00"))])
    batch = handler.extract(ubl_xml(spec), "a.xml", ctx)
    outbox = MemoryOutbox()
    out = OutputContext(ctx, outbox, file_id=1, source_name="a.xml", source_sha256="ab" * 32)
    urls = handler.write_outputs(batch, out)
    assert urls == [
        f"mem://acme/invoices/a.{'ab' * 6}.ap.csv",
        f"mem://acme/invoices/a.{'ab' * 6}.ap.parquet",
    ]
    rows = list(csv.DictReader(io.StringIO(outbox.files[urls[0].split("acme/")[1]].decode())))
    assert rows[0]["vendor_name"].startswith("'=")
    assert rows[0]["line_description"] == "'@SUM(A1)"
    assert rows[0]["line_amount"] == "-5.00"
    parquet = pl.read_parquet(io.BytesIO(outbox.files[f"invoices/a.{'ab' * 6}.ap.parquet"]))
    assert parquet.schema["total"] == pl.Decimal(18, 2)
    assert safe_cell("-12.5") == "-12.5"
    assert safe_cell("-cmd") == "'-cmd"
    assert safe_cell("\tx") == "'\tx"


def test_pool_extracts_in_order(ctx: ClientContext, tmp_path: Path) -> None:
    path = tmp_path / "b.pdf"
    path.write_bytes(make_pdf(Spec(number="P-2")))
    batches = extract_many([make_pdf(Spec(number="P-1")), path, b""], ctx, workers=2)
    assert [b.records.get_column("record_key").to_list() for b in batches] == [["P-1"], ["P-2"], []]
    assert [i.code for i in batches[2].file_issues] == ["INV-EMPTY-FILE"]
