"""The 277CA (005010X214) a practice-management system imports: valid by pyx12's map of the
guide, one status per claim, the same bytes for the same file."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest

from samples.claims import ClaimSpec, LineSpec, interchange, simple_file, transaction
from tasks.claims.ack_277ca import build_277ca
from tasks.claims.handler import ClaimsHandler
from tasks.doctype import ClientContext

WHEN = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)


def _errors(text: str) -> tuple[bool, list[str]]:
    """pyx12's verdict on ``text`` and every error it reports, at any level."""
    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").propagate = False
    out = io.StringIO()
    ok = pyx12.x12n_document.x12n_document(
        pyx12.params.ParamsBase(), io.StringIO(text), None, None, None, fd_json=out
    )
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for e in node.get("errors") or []:
                found.append(f"{e.get('err_cde')}: {e.get('err_str')}")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(out.getvalue() or "{}"))
    return bool(ok), found


def _x12(handler: ClaimsHandler, ctx: ClientContext, data: bytes) -> str:
    batch = handler.extract(data, "in.x12", ctx)
    built = build_277ca(
        batch,
        batch.valid_records(),
        sha256="cd" * 32,
        received_at=WHEN,
        client_id="acme",
        client_name="Acme Clinic*~:",
        receiver_id="BPOCLEARING",
    )
    assert built is not None
    return built.decode()


@pytest.mark.parametrize(
    "claims",
    [
        [ClaimSpec()],
        [
            ClaimSpec(),
            ClaimSpec(claim_id="BAD", billing_npi="1234567890"),  # flagged: pending review
            ClaimSpec(claim_id="C3", total="12.00", lines=[LineSpec(charge="12.00")]),
            ClaimSpec(claim_id="C4", billing_npi="1245319599"),
        ],
    ],
    ids=["one", "mixed"],
)
def test_the_277ca_is_valid_by_the_guide(
    handler: ClaimsHandler, fast_ctx: ClientContext, claims: list[ClaimSpec]
) -> None:
    text = _x12(handler, fast_ctx, simple_file(claims))
    ok, errors = _errors(text)
    assert errors == []
    assert ok, text
    assert "ST*277*0001*005010X214~" in text
    assert text.count("HL*") - text.count("*PT~") == 2 + len({c.billing_npi for c in claims})
    assert text.count("*PT~") == len(claims)


def test_each_claim_gets_its_status(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    claims = [
        ClaimSpec(),
        ClaimSpec(claim_id="BAD", billing_npi="1234567890"),
        ClaimSpec(claim_id="C3", total="12.00", lines=[LineSpec(charge="12.00")]),
    ]
    text = _x12(handler, fast_ctx, simple_file(claims))
    segments = text.replace("\n", "").split("~")
    traces = [s for s in segments if s.startswith("TRN*2*") and s != "TRN*2*" + "cd" * 8]
    statuses = [s for s in segments if s.startswith("STC*") and "*20261203*" in s]
    # Claims come under their billing provider: BAD's NPI is another provider's.
    assert [t.split("*")[2] for t in traces] == ["PCN1001", "C3", "BAD"]
    assert [s.split("*")[1] for s in statuses][1:] == ["A2:20", "A2:20", "A1:19"]
    assert "QTY*90*3~" in text  # accepted or pending: none rejected
    assert "QTY*AA*0~" in text
    assert "REF*D9*" + "cd" * 8 + "-2~" in text
    assert "NM1*41*2*ACME CLINIC*" in text  # the client's name, its delimiters blanked


def test_a_rejected_claim_says_why_and_stays_valid(
    handler: ClaimsHandler, fast_ctx: ClientContext
) -> None:
    data = interchange([transaction([ClaimSpec()], se_count_delta=2)]).encode()
    text = _x12(handler, fast_ctx, data)
    ok, errors = _errors(text)
    assert errors == []
    assert ok
    rejected = [s for s in text.split("~") if s.strip().startswith("STC*A3:21")]
    assert len(rejected) == 1
    assert "*U*" in rejected[0]
    assert "QTY*AA*1~" in text


def test_same_file_same_bytes(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    data = simple_file([ClaimSpec(), ClaimSpec(claim_id="C2")])
    assert _x12(handler, fast_ctx, data) == _x12(handler, fast_ctx, data)


def test_no_claim_no_file(handler: ClaimsHandler, fast_ctx: ClientContext) -> None:
    batch = handler.extract(b"garbage", "x.x12", fast_ctx)
    assert (
        build_277ca(
            batch,
            batch.valid_records(),
            sha256="cd" * 32,
            received_at=WHEN,
            client_id="acme",
            client_name="Acme",
            receiver_id="BPOCLEARING",
        )
        is None
    )
