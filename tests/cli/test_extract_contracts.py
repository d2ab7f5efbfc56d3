"""``bpo extract --json`` for every document type: canonical fields, issues as data."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from samples.claims import ClaimSpec, interchange, transaction
from samples.invoices import Spec, make_pdf, ubl_xml

runner = CliRunner()
INVOICE_FIELDS = {
    "invoice_number",
    "invoice_date",
    "due_date",
    "vendor_name",
    "vendor_tax_id",
    "buyer_name",
    "po_number",
    "currency",
    "subtotal",
    "tax_total",
    "total",
    "lines",
}
CLAIM_FIELDS = {
    "claim_id",
    "patient_control_number",
    "billing_npi",
    "rendering_npi",
    "payer_id",
    "member_id",
    "total_charge",
    "diagnosis_codes",
    "service_date_from",
    "lines",
}


def extract(path: Path, doc_type: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["extract", str(path), "--type", doc_type, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_invoice_pdf(tmp_path: Path) -> None:
    path = tmp_path / "inv.pdf"
    path.write_bytes(make_pdf(Spec(number="INV-42"), layout="below", lang="de"))
    answer = extract(path, "invoices")
    (record,) = answer["records"]
    assert record["record_key"] == "INV-42"
    assert set(record["fields"]) >= INVOICE_FIELDS
    assert record["fields"]["invoice_number"] == "INV-42"
    assert record["fields"]["currency"] == "EUR"
    assert record["fields"]["total"] == str(Spec().total)
    assert {"description", "quantity", "unit_price", "amount"} <= set(record["fields"]["lines"][0])


def test_invoice_ubl_and_a_broken_rule(tmp_path: Path) -> None:
    path = tmp_path / "inv.xml"
    path.write_bytes(ubl_xml(Spec(number="INV-43")))
    (record,) = extract(path, "invoices")["records"]
    assert record["fields"]["invoice_number"] == "INV-43"
    assert record["issues"] == []
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(make_pdf(Spec(number="INV-44", total_text="1.00"), layout="right", lang="en"))
    (flagged,) = extract(bad, "invoices")["records"]
    assert flagged["issues"]
    assert {"code", "field", "message"} == set(flagged["issues"][0])


def test_invoice_zero_bytes_is_a_file_issue(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    answer = extract(path, "invoices")
    assert answer["records"] == []
    assert answer["file_issues"]


def test_claims_837_one_record_per_claim(tmp_path: Path) -> None:
    claims = [ClaimSpec(claim_id=f"PCN{i}") for i in range(3)]
    claims[2].billing_npi = "1234567890"
    path = tmp_path / "c.837"
    path.write_bytes(interchange([transaction(claims)]).encode())
    answer = extract(path, "claims")
    assert answer["file_issues"] == []
    assert [r["record_key"] for r in answer["records"]] == ["PCN0", "PCN1", "PCN2"]
    assert set(answer["records"][0]["fields"]) >= CLAIM_FIELDS
    assert answer["records"][0]["issues"] == []
    assert any("NPI" in i["code"] for i in answer["records"][2]["issues"])


def test_not_x12_gives_file_issues_and_no_records(tmp_path: Path) -> None:
    path = tmp_path / "junk.x12"
    path.write_bytes(b"hello, this is not an interchange")
    answer = extract(path, "claims")
    assert answer["records"] == []
    assert answer["file_issues"][0]["code"] == "ENV-NOT-X12"
