"""``bpo extract --type invoices``: ``--ignore-embedded`` reads the printed page only, and
``--json`` carries each field's value, confidence and source beside the canonical fields."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from samples.invoices import Spec, cii_xml, facturx_pdf, make_pdf

runner = CliRunner()


def _extract(path: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["extract", str(path), "--type", "invoices", "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_ignore_embedded_reads_the_printed_page(tmp_path: Path) -> None:
    # The XML says one number and total, the page prints another: each reading says its own.
    xml_spec = Spec(number="XML-1")
    printed = Spec(number="PAGE-1", lines=[("Printed only", Decimal("1"), Decimal("50.00"))])
    path = tmp_path / "fx.pdf"
    path.write_bytes(facturx_pdf(xml_spec, cii_xml(xml_spec), printed=printed))
    (embedded,) = _extract(path)["records"]
    assert embedded["fields"]["invoice_number"] == "XML-1"
    (page,) = _extract(path, "--ignore-embedded")["records"]
    assert page["fields"]["invoice_number"] == "PAGE-1"
    assert page["fields"]["total"] == str(printed.total)
    assert page["field_details"]["invoice_number"]["source"] in {"label", "inline"}
    assert embedded["field_details"]["invoice_number"]["source"] == "facturx"


def test_field_details_carry_value_confidence_and_source(tmp_path: Path) -> None:
    path = tmp_path / "inv.pdf"
    path.write_bytes(make_pdf(Spec(number="INV-7"), layout="right", lang="en"))
    (record,) = _extract(path)["records"]
    details = record["field_details"]
    assert details["invoice_number"] == {"value": "INV-7", "confidence": 0.9, "source": "label"}
    assert details["total"]["value"] == record["fields"]["total"]
    assert 0 < details["currency"]["confidence"] <= 1


def test_ignore_embedded_is_for_invoices_only(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("employee_id\n1\n")
    result = runner.invoke(
        app, ["extract", str(path), "--type", "payroll", "--json", "--ignore-embedded"]
    )
    assert result.exit_code != 0


def test_a_multi_page_table_with_carried_sums_is_read_line_by_line(tmp_path: Path) -> None:
    from samples.invoice_families import family_invoices

    (item,) = family_invoices("multipage", 1)
    path = tmp_path / "long.pdf"
    path.write_bytes(item.pdf)
    (record,) = _extract(path)["records"]
    fields = record["fields"]
    assert len(fields["lines"]) == len(item.truth["lines"]) > 22  # more than one page holds
    assert [ln["amount"] for ln in fields["lines"]] == [
        str((q * p).quantize(Decimal("0.01"))) for _, q, p in item.truth["lines"]
    ]
    assert fields["vendor_name"] == item.truth["vendor_name"]
    assert fields["total"] == str(item.truth["total"])


def test_a_seller_vat_id_of_another_country_than_the_sellers_is_flagged(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    for text in (
        "Nordlicht Systems GmbH",
        "Hafenstrasse 12, 20457 Hamburg, Deutschland",
        "USt-IdNr. FR40303265045",
        "Rechnung Nr. RE-2026-5 vom 05.03.2026",
        "Nettobetrag 100,00",
        "USt. 19% 19,00",
        "Gesamtbetrag 119,00 EUR",
    ):
        pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "inv.pdf"
    path.write_bytes(bytes(pdf.output()))
    (record,) = _extract(path)["records"]
    assert record["fields"]["vendor_tax_id"] == "FR40303265045"
    (issue,) = [i for i in record["issues"] if i["code"] == "INV-VAT-COUNTRY"]
    assert issue["field"] == "vendor_tax_id"
    assert "DE" in issue["message"]
