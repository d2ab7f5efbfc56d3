from __future__ import annotations

import polars as pl
import pytest

from samples.claims import ClaimSpec, LineSpec, simple_file
from schemas.claim_options import ClaimOptions
from schemas.config import ClientConfig
from tasks.claims.handler import ClaimsHandler
from tasks.doctype import ClientContext


def _codes(handler: ClaimsHandler, ctx: ClientContext, claims: list[ClaimSpec]) -> pl.DataFrame:
    batch = handler.extract(simple_file(claims), "claims.x12", ctx)
    assert not batch.file_issues
    return batch.issues


def test_valid_claim_has_no_issues(handler: ClaimsHandler, ctx: ClientContext) -> None:
    """Also runs the pyx12 implementation-guide check (small file)."""
    issues = _codes(handler, ctx, [ClaimSpec()])
    assert issues.height == 0, issues.rows()


@pytest.mark.parametrize(
    ("spec", "code", "field"),
    [
        (ClaimSpec(total="50.00"), "CLM-CHARGE-MISMATCH", "total_charge"),
        (ClaimSpec(total="4x"), "CLM-AMOUNT-INVALID", "total_charge"),
        (ClaimSpec(billing_npi="1234567890"), "CLM-NPI-INVALID", "billing_npi"),
        (ClaimSpec(rendering_npi="1245319590"), "CLM-NPI-INVALID", "rendering_npi"),
        (ClaimSpec(dx=("ABK:123",)), "CLM-DX-INVALID", "diagnosis_codes[0]"),
        (ClaimSpec(dx=("ABF:E1165", "ABK:I10")), "CLM-DX-QUALIFIER", "diagnosis_codes[0]"),
        (ClaimSpec(dx=("BK:25000",)), "CLM-DX-QUALIFIER", "diagnosis_codes[0]"),
        (
            ClaimSpec(lines=[LineSpec(procedure="9921")]),
            "CLM-PROC-INVALID",
            "lines[0].procedure_code",
        ),
        (
            ClaimSpec(lines=[LineSpec(modifiers=("2",))]),
            "CLM-MODIFIER-INVALID",
            "lines[0].modifiers",
        ),
        (
            ClaimSpec(lines=[LineSpec(pointers="3")]),
            "CLM-DX-POINTER",
            "lines[0].diagnosis_pointers",
        ),
        (ClaimSpec(lines=[LineSpec(date="20241345")]), "CLM-DATE-INVALID", "lines[0].service_date"),
        (ClaimSpec(lines=[LineSpec(date="29990101")]), "CLM-DATE-FUTURE", "lines[0].service_date"),
        (ClaimSpec(member_id=""), "CLM-MEMBER-MISSING", "member_id"),
        (ClaimSpec(payer_id=""), "CLM-PAYER-MISSING", "payer_id"),
        (ClaimSpec(lines=[LineSpec(units="0")]), "CLM-UNITS-INVALID", "lines[0].units"),
    ],
)
def test_each_edit(
    handler: ClaimsHandler, fast_ctx: ClientContext, spec: ClaimSpec, code: str, field: str
) -> None:
    issues = _codes(handler, fast_ctx, [spec])
    found = set(issues.select("code", "field").iter_rows())
    assert (code, field) in found, issues.rows()
    row = issues.filter(pl.col("code") == code).row(0, named=True)
    assert row["severity"] == "review"
    assert any(seg in row["message"] for seg in ("2300", "2310", "2400", "2010", "HI", "SV1"))


def test_duplicate_inside_file(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    issues = _codes(handler, fast_ctx, [ClaimSpec(), ClaimSpec(), ClaimSpec(claim_id="OTHER")])
    dup = issues.filter(pl.col("code") == "CLM-DUPLICATE")
    assert dup.get_column("record_index").to_list() == [1]


def test_eligibility_file(handler: ClaimsHandler, tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    (base / "eligible.csv").write_text("member_id\nMEMBER12345\n")
    options = ClaimOptions(eligibility="eligible.csv", structure_check_max_bytes=0)
    ctx = ClientContext(ClientConfig(id="acme", name="Acme", claims=options), base_dir=base)
    issues = _codes(handler, ctx, [ClaimSpec(), ClaimSpec(claim_id="B", member_id="NOTELIGIBLE9")])
    bad = issues.filter(pl.col("code") == "CLM-MEMBER-INELIGIBLE")
    assert bad.get_column("record_index").to_list() == [1]
    assert "NOTELIGIBLE9" not in bad.get_column("message")[0]
