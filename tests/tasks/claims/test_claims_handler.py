from __future__ import annotations

import io
from decimal import Decimal

import polars as pl
import pytest

from samples.claims import ClaimSpec, LineSpec, interchange, simple_file, transaction
from schemas.claim import CLAIM_FIELDS, LINE_FIELDS
from schemas.doc_type import DocType
from tasks.claims.handler import ClaimsHandler
from tasks.doctype import ClientContext, DocHandler, OutputContext


class MemoryOutbox:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, relative_name: str, data: bytes) -> str:
        self.files[relative_name] = data
        return f"memory://{relative_name}"


def _out(ctx: ClientContext) -> tuple[OutputContext, MemoryOutbox]:
    box = MemoryOutbox()
    return OutputContext(ctx, box, 1, "in.x12", "ab" * 32), box


def test_protocol(handler: ClaimsHandler) -> None:
    typed: DocHandler = handler
    assert typed.doc_type is DocType.CLAIMS


def test_record_json_has_canonical_fields(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    spec = ClaimSpec(total="55.00", lines=[LineSpec(), LineSpec(procedure="J1100", charge="15.00")])
    batch = handler.extract(simple_file([spec]), "x.x12", fast_ctx)
    assert batch.records.schema["total_charge"] == pl.Decimal(18, 2)
    assert batch.records.schema["record_index"] == pl.UInt32
    [fields] = handler.record_json(batch.records)
    assert tuple(fields) == CLAIM_FIELDS
    assert fields["total_charge"] == "55.00"
    assert fields["service_date_from"] == "2024-01-05"
    assert set(LINE_FIELDS) <= set(fields["lines"][1])
    assert fields["lines"][1]["procedure_code"] == "J1100"
    normalised, issues = handler.revalidate(fields, fast_ctx)
    assert issues == []
    assert normalised == fields


def test_revalidate_after_correction(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    batch = handler.extract(simple_file([ClaimSpec(total="50.00")]), "x.x12", fast_ctx)
    [fields] = handler.record_json(batch.records)
    _, issues = handler.revalidate(fields, fast_ctx)
    assert [i.code for i in issues] == ["CLM-CHARGE-MISMATCH"]
    fixed, issues = handler.revalidate({**fields, "total_charge": "40.00"}, fast_ctx)
    assert issues == []
    assert fixed["total_charge"] == "40.00"
    _, issues = handler.revalidate({**fields, "total_charge": "forty"}, fast_ctx)
    assert [i.code for i in issues] == ["CLM-FIELD-INVALID"]


def test_dedupe_keys_and_billable_units(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    two_lines = ClaimSpec(claim_id="B", total="80.00", lines=[LineSpec(), LineSpec()])
    batch = handler.extract(simple_file([ClaimSpec(), two_lines]), "x.x12", fast_ctx)
    keys = handler.dedupe_keys(batch.records)
    assert keys is not None
    assert keys.to_list() == [
        "PCN1001|2024-01-05|2024-01-05|40.00",
        "B|2024-01-05|2024-01-05|80.00",
    ]
    units = handler.billable_units(batch.records)
    assert units.schema == {"record_index": pl.UInt32, "unit": pl.String, "quantity": pl.Int64}
    assert units.rows() == [
        (0, "claim", 1),
        (0, "claim_line", 1),
        (1, "claim", 1),
        (1, "claim_line", 2),
    ]


def test_write_outputs(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    claims = [
        ClaimSpec(),
        ClaimSpec(claim_id="BAD", billing_npi="1234567890"),
        ClaimSpec(claim_id="C3", total="12.00", lines=[LineSpec(charge="12.00")]),
    ]
    batch = handler.extract(simple_file(claims), "x.x12", fast_ctx)
    out, box = _out(fast_ctx)
    urls = handler.write_outputs(batch, out)
    stem = out.stem
    assert sorted(box.files) == sorted(
        f"claims/{stem}.{s}"
        for s in ("999.x12", "277ca.csv", "277ca.x12", "claims.parquet", "claim_lines.parquet")
    )
    assert len(urls) == 5
    ack = box.files[f"claims/{stem}.999.x12"].decode()
    assert "*ZZ*BPOCLEARING    *ZZ*SENDER         *" in ack
    assert "IK5*A~" in ack
    assert "AK9*A*1*1*1~" in ack
    status = pl.read_csv(io.BytesIO(box.files[f"claims/{stem}.277ca.csv"]))
    assert status.get_column("category").to_list() == ["A2", "A1", "A2"]
    lines = pl.read_parquet(io.BytesIO(box.files[f"claims/{stem}.claim_lines.parquet"]))
    assert lines.get_column("charge").to_list() == [Decimal("40.00"), Decimal("12.00")]
    # Same bytes, same outputs.
    again, box2 = _out(fast_ctx)
    handler.write_outputs(batch, again)
    assert box2.files == box.files


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (interchange([transaction([ClaimSpec()], se_count_delta=2)]), ["IK5*R*4~", "AK9*R*1*1*0~"]),
        (interchange([transaction([ClaimSpec()])], ge02="9"), ["AK9*R*1*1*0*4~"]),
        (
            interchange(
                [transaction([ClaimSpec()]), transaction([ClaimSpec()], st02="2", se02="3")]
            ),
            ["IK5*A~", "IK5*R*3~", "AK9*P*2*2*1~"],
        ),
        (interchange([transaction([ClaimSpec()])], with_iea=False), ["TA1*000000001*", "*R*023~"]),
    ],
    ids=["se-count", "gs-ge", "partial", "no-iea"],
)
def test_999_verdicts(
    handler: ClaimsHandler, fast_ctx: ClientContext, data: str, expected: list[str]
) -> None:
    batch = handler.extract(data.encode(), "x.x12", fast_ctx)
    out, box = _out(fast_ctx)
    handler.write_outputs(batch, out)
    ack = box.files[f"claims/{out.stem}.999.x12"].decode()
    for text in expected:
        assert text in ack, ack


def test_no_isa_writes_no_999(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    batch = handler.extract(b"garbage", "x.x12", fast_ctx)
    out, box = _out(fast_ctx)
    assert handler.write_outputs(batch, out) == []
    assert box.files == {}


def test_csv_claims(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    csv = (
        b"claim_id,billing_npi,rendering_npi,payer_id,member_id,total_charge,diagnosis_codes,"
        b"procedure_code,modifiers,charge,units,service_date,diagnosis_pointers\n"
        b"A1,1234567893,,P1,M1,55.00,E11.65;I10,99213,25,40.00,1,2024-01-05,1\n"
        b"A1,1234567893,,P1,M1,55.00,E11.65;I10,J1100,,15.00,2,2024-01-05,1;2\n"
        b"A2,1234567890,,P1,M2,10.00,E1165,99212,,10.00,1,2024-01-06,1\n"
    )
    batch = handler.extract(csv, "claims.csv", fast_ctx)
    assert batch.records.get_column("record_key").to_list() == ["A1", "A2"]
    assert batch.issues.select("record_index", "code").rows() == [(1, "CLM-NPI-INVALID")]
