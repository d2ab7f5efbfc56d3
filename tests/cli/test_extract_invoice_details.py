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
    return json.loads(result.output)  # type: ignore[no-any-return]


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
