from __future__ import annotations

import os
import time

import polars as pl
import pytest

from samples.claims import ClaimSpec, interchange, many_claims_file, simple_file, transaction
from tasks.claims.handler import ClaimsHandler
from tasks.doctype import ClientContext


def _file_codes(handler: ClaimsHandler, ctx: ClientContext, data: bytes) -> list[str]:
    batch = handler.extract(data, "in.x12", ctx)
    assert batch.records.height == 0
    return [i.code for i in batch.file_issues]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "ENV-NOT-X12"),
        (b"hello, this is not X12\n" * 20, "ENV-NOT-X12"),
        (os.urandom(4096) + b"\x00", "ENV-NOT-X12"),
        (b"ISA*00*garbage~", "ENV-ISA-INVALID"),
        (simple_file(with_iea=False), "ENV-IEA-MISSING"),
        (simple_file(iea02="999999999"), "ENV-ISA-IEA"),
        (simple_file(functional_id="HP"), "ENV-NOT-837"),
    ],
    ids=["empty", "text", "binary", "short-isa", "no-iea", "isa13-iea02", "835-group"],
)
def test_unreadable_files(
    handler: ClaimsHandler, fast_ctx: ClientContext, data: bytes, code: str
) -> None:
    assert code in _file_codes(handler, fast_ctx, data)


def test_835_in_claims_folder(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    tx = ["ST*835*0001", "BPR*I*100*C*ACH", "TRN*1*1*1", "SE*4*0001"]
    data = interchange([tx], functional_id="HP", version="005010X221A1").encode()
    assert _file_codes(handler, fast_ctx, data) == ["ENV-NOT-837"]


@pytest.mark.parametrize(
    ("el", "comp", "term", "rep", "line_break"),
    [("*", ":", "~", "^", "\n"), ("|", ">", "\x1e", "!", ""), ("^", "\\", "'", "{", "\r\n")],
)
def test_separators_and_line_breaks(
    handler: ClaimsHandler,
    ctx: ClientContext,
    el: str,
    comp: str,
    term: str,
    rep: str,
    line_break: str,
) -> None:
    tx = transaction([ClaimSpec(), ClaimSpec(claim_id="B2")], el=el, comp=comp)
    data = interchange([tx], el=el, comp=comp, term=term, rep=rep, line_break=line_break)
    batch = handler.extract(data.encode(), "x.x12", ctx)
    assert batch.records.get_column("record_key").to_list() == ["PCN1001", "B2"]
    assert batch.issues.height == 0, batch.issues.rows()


def test_several_envelopes(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    first = interchange([transaction([ClaimSpec(claim_id="A")])], isa13="000000001")
    second = interchange(
        [
            transaction([ClaimSpec(claim_id="B")], st02="0001"),
            transaction([ClaimSpec(claim_id="C")], st02="0002"),
        ],
        isa13="000000002",
        gs06="7",
    )
    batch = handler.extract((first + second).encode(), "x.x12", fast_ctx)
    assert batch.records.get_column("record_key").to_list() == ["A", "B", "C"]
    assert batch.records.get_column("group_control").to_list() == ["1", "7", "7"]


def test_segment_terminator_inside_element(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    data = simple_file([ClaimSpec(last_name="DOE~JR")])
    batch = handler.extract(data, "x.x12", fast_ctx)
    codes = set(batch.issues.get_column("code").to_list())
    assert {"X12-SEGMENT-UNKNOWN", "ENV-SE-COUNT"} <= codes
    assert set(batch.issues.get_column("severity").to_list()) >= {"reject"}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ge02": "2"}, "ENV-GS-GE"),
        ({"version": "004010X098A1", "isa12": "00401", "rep": "U"}, "ENV-VERSION-4010"),
    ],
)
def test_group_rejections_mark_every_claim(
    handler: ClaimsHandler, fast_ctx: ClientContext, kwargs: dict[str, str], code: str
) -> None:
    data = simple_file([ClaimSpec(claim_id="A"), ClaimSpec(claim_id="B")], **kwargs)
    batch = handler.extract(data, "x.x12", fast_ctx)
    rejected = batch.issues.filter((pl.col("code") == code) & (pl.col("severity") == "reject"))
    assert rejected.get_column("record_index").to_list() == [0, 1]


@pytest.mark.parametrize(
    ("delta", "se02", "code"), [(1, None, "ENV-SE-COUNT"), (0, "9", "ENV-ST-SE")]
)
def test_transaction_trailer_errors(
    handler: ClaimsHandler, fast_ctx: ClientContext, delta: int, se02: str | None, code: str
) -> None:
    tx = transaction([ClaimSpec()], se_count_delta=delta, se02=se02)
    batch = handler.extract(interchange([tx]).encode(), "x.x12", fast_ctx)
    assert code in batch.issues.filter(pl.col("severity") == "reject").get_column("code").to_list()


def test_phi_never_in_messages_or_raw(handler: ClaimsHandler, ctx: ClientContext) -> None:
    spec = ClaimSpec(
        member_id="SECRETMEMBER77",
        last_name="ZEBRAFINCH",
        birth_date="19770707",
        billing_npi="1234567890",
        dx=("ABF:E1165",),
    )
    batch = handler.extract(simple_file([spec]), "x.x12", ctx)
    text = " ".join(batch.issues.get_column("message").to_list())
    text += " ".join(batch.records.get_column("raw").to_list())
    assert batch.issues.height > 0
    for secret in ("SECRETMEMBER77", "ZEBRAFINCH", "19770707"):
        assert secret not in text


@pytest.mark.slow
def test_fifty_megabytes_parse_in_linear_time(handler: ClaimsHandler, ctx: ClientContext) -> None:
    """A 50 MB interchange is read whole, and ten times the claims take about ten times as
    long (a quadratic step would take a hundred): compared within the run, not to a clock
    figure that depends on the machine and its load."""
    small = many_claims_file(12_500)
    started = time.perf_counter()
    assert handler.extract(small, "small.x12", ctx).records.height == 12_500
    small_elapsed = time.perf_counter() - started
    data = many_claims_file(125_000)
    assert len(data) >= 50_000_000
    started = time.perf_counter()
    batch = handler.extract(data, "big.x12", ctx)
    elapsed = time.perf_counter() - started
    assert batch.meta["structure_check"] == "size"
    assert batch.records.height == 125_000
    assert elapsed < 30 * small_elapsed, (elapsed, small_elapsed)
