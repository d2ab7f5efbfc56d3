"""X12 837 bytes to a ``ValidatedBatch``: tokenize, envelopes, parse, structure, edits.

Version policy: 5010 (005010X222*/005010X223*) is accepted. 4010 (004010X098A1/X096A1) claims
are parsed so nothing vanishes, but their functional group is rejected with
``ENV-VERSION-4010`` ("resend as 5010"), AK9-05 = 2 in the 999. Envelope failures inside a
transaction set (ST02 != SE02, SE01 count, missing SE, unknown segment, pyx12 rejection) reject
the claims of that transaction set; group failures (GS06 != GE02, GE01 count, missing GE) reject
every claim of the group. ``batch.meta["interchanges"]`` holds what the 999 writer needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from schemas.batch import ValidatedBatch, issues_frame
from schemas.claim import Claim, ClaimType
from schemas.issue import Issue, Severity
from tasks.claims.edits import EditContext, claim_issues, duplicate_issues
from tasks.claims.envelope import (
    CLAIM_GUIDES,
    EnvelopeError,
    EnvelopeScan,
    Group,
    Transaction,
    scan_envelopes,
)
from tasks.claims.parse_837 import parse_transaction
from tasks.claims.segment_errors import SegmentError
from tasks.claims.structure import StructureReport, check_structure
from tasks.claims.tables import records_frame
from tasks.claims.x12_tokens import (
    Delimiters,
    delimiter_clash,
    read_delimiters,
    split_segments,
)


def dedupe_key(claim: Claim) -> str:
    return "|".join(
        str(v) if v is not None else ""
        for v in (
            claim.patient_control_number,
            claim.service_date_from,
            claim.service_date_to,
            claim.total_charge,
        )
    )


@dataclass
class _Out:
    claims: list[Claim] = field(default_factory=list)
    envelopes: list[tuple[str, str, str]] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    issues: list[tuple[int, Issue]] = field(default_factory=list)


def _group_errors(group: Group) -> list[EnvelopeError]:
    """Version and functional-id policy on top of the envelope findings."""
    errors = list(group.errors)
    if group.functional_id != "HC" or not any(t.st01 == "837" for t in group.transactions):
        errors.append(
            EnvelopeError(
                "ENV-NOT-837",
                "1",
                f"functional group {group.control} is {group.functional_id or '?'} "
                f"({group.version or 'no version'}), not 837 claims: send it to the right folder",
            )
        )
    elif group.version.startswith("004010"):
        errors.append(
            EnvelopeError(
                "ENV-VERSION-4010",
                "2",
                f"group {group.control} is 4010 ({group.version}): 4010 is not supported, "
                "resend as 5010 (005010X222A1 professional, 005010X223A2 institutional)",
            )
        )
    elif not group.version.startswith(("005010X222", "005010X223")):
        errors.append(
            EnvelopeError(
                "ENV-VERSION-UNKNOWN",
                "2",
                f"group {group.control} version '{group.version[:12]}' is not an 837 5010 guide",
            )
        )
    return errors


def _reject_issue(error: EnvelopeError, where: str) -> Issue:
    return Issue(
        code=error.code,
        field=where,
        message=f"{where}: {error.message}; the whole {where} is rejected",
        severity=Severity.REJECT,
    )


def _structure_issue(errors: list[SegmentError]) -> Issue:
    first = errors[0]
    detail = ", ".join(
        f"{e.segment_id} at segment {e.position}"
        + (f" loop {e.loop}" if e.loop else "")
        + f" (IK304={e.code}"
        + "".join(f"; element {x.position} IK403={x.code}" for x in e.elements[:3])
        + ")"
        for e in errors[:5]
    )
    return Issue(
        code="X12-STRUCTURE",
        field=f"{first.loop or 'transaction'}.{first.segment_id}",
        message=f"transaction set rejected by the 837 implementation guide check: {detail}",
        severity=Severity.REJECT,
    )


def _unknown_segment_issue(errors: list[SegmentError]) -> Issue | None:
    positions = [str(e.position) for e in errors if e.code == "1"]
    if not positions:
        return None
    return Issue(
        code="X12-SEGMENT-UNKNOWN",
        field="transaction",
        message=f"segment(s) {', '.join(positions[:5])} of the transaction set are not 837 "
        "segments (a segment terminator inside an element?): correct and resend",
        severity=Severity.REJECT,
    )


def _transaction(
    segments: list[str],
    delimiters: Delimiters,
    isa_control: str,
    group: Group,
    group_errors: list[EnvelopeError],
    tx: Transaction,
    structure: StructureReport,
    out: _Out,
    edit_ctx: EditContext,
) -> dict[str, Any]:
    claim_type: ClaimType = CLAIM_GUIDES.get(tx.version[:10], "837P")  # type: ignore[assignment]
    end = tx.end if tx.end is not None else len(segments)
    parsed, seg_errors = (
        parse_transaction(segments, tx.start, end, delimiters, claim_type)
        if tx.st01 == "837"
        else ([], [])
    )
    unknown = _unknown_segment_issue(seg_errors)
    ack, pyx_errors, pyx_ik5 = structure.transactions.get(
        (isa_control, group.control, tx.st02), ("A", [], [])
    )
    if structure.skipped == "" and structure.transactions:
        seg_errors = pyx_errors or seg_errors
    ik5 = sorted({e.x12_code for e in tx.errors} | ({"5"} if seg_errors and ack != "E" else set()))
    if tx.st01 != "837":
        ik5.append("1")
    rejected = bool(ik5) or ack == "R"
    envelope = (isa_control, group.control, tx.st02)
    for pc in parsed:
        index = len(out.claims)
        out.claims.append(pc.claim)
        out.envelopes.append(envelope)
        out.raws.append(json.dumps(pc.raw, separators=(",", ":")))
        for issue in pc.issues:
            out.issues.append((index, issue))
        for issue in claim_issues(pc.claim, edit_ctx):
            out.issues.append((index, issue))
        for ge in group_errors:
            out.issues.append((index, _reject_issue(ge, "functional group")))
        for te in tx.errors:
            out.issues.append((index, _reject_issue(te, "transaction set")))
        if rejected and seg_errors:
            out.issues.append((index, _structure_issue(seg_errors)))
        if unknown:
            out.issues.append((index, unknown))
    return {
        "st01": tx.st01,
        "st02": tx.st02,
        "version": tx.version,
        "ack": "R" if rejected else ("E" if seg_errors else "A"),
        "ik5_codes": ik5 + [c for c in pyx_ik5 if c not in ik5],
        "errors": [{"code": e.code, "message": e.message} for e in tx.errors],
        "segment_errors": [e.as_meta() for e in seg_errors[:100]],
        "claims": len(parsed),
    }


def _interchange_meta(scan: EnvelopeScan) -> list[dict[str, Any]]:
    return [
        {
            "sender_qualifier": isa.sender_qualifier,
            "sender_id": isa.sender_id,
            "receiver_qualifier": isa.receiver_qualifier,
            "receiver_id": isa.receiver_id,
            "date": isa.date,
            "time": isa.time,
            "version": isa.version,
            "control": isa.control,
            "usage": isa.usage,
            "groups": [],
        }
        for isa in scan.interchanges
    ]


def _file_issue(code: str, message: str) -> Issue:
    return Issue(code=code, message=message, severity=Severity.REJECT)


def extract_x12(
    text: str, isa_at: int, edit_ctx: EditContext, structure_max: int
) -> ValidatedBatch:
    """Validate the interchange(s) of ``text``, which has an ``ISA`` at ``isa_at``."""
    body = text[isa_at:]
    delimiters = read_delimiters(body)
    if delimiters is None:
        return ValidatedBatch.unreadable(
            _file_issue(
                "ENV-ISA-INVALID",
                "the ISA header is not 106 characters with consistent separators: "
                "resend a valid X12 interchange",
            )
        )
    clash = delimiter_clash(delimiters)
    if clash is not None:
        return ValidatedBatch.unreadable(
            _file_issue(
                "ENV-DELIMITERS-CLASH",
                f"the repetition separator (ISA11 {delimiters.repetition!r}) is also the {clash}"
                " separator, so values cannot be split one way only: resend the interchange with"
                " distinct separators (ISA11 is usually '^')",
            )
        )
    segments = split_segments(body, delimiters)
    scan = scan_envelopes(segments, delimiters)
    meta: dict[str, Any] = {"format": "x12", "delimiters": delimiters.as_meta()}
    interchanges = _interchange_meta(scan)
    meta["interchanges"] = interchanges
    for isa_meta, isa in zip(interchanges, scan.interchanges, strict=True):
        isa_meta["groups"] = [
            {
                "functional_id": g.functional_id,
                "control": g.control,
                "version": g.version,
                "sender": g.sender,
                "receiver": g.receiver,
                "errors": [
                    {"code": e.code, "x12_code": e.x12_code, "message": e.message}
                    for e in _group_errors(g)
                ],
                "transactions": [
                    {
                        "st01": t.st01,
                        "st02": t.st02,
                        "version": t.version,
                        "ack": "R",
                        "ik5_codes": sorted({e.x12_code for e in t.errors}),
                        "errors": [],
                        "segment_errors": [],
                        "claims": 0,
                    }
                    for t in g.transactions
                ],
            }
            for g in isa.groups
        ]
    if scan.fatal:
        meta["fatal"] = [{"code": e.code, "x12_code": e.x12_code} for e in scan.fatal]
        issues = tuple(_file_issue(e.code, e.message) for e in scan.fatal[:5])
        return ValidatedBatch(
            records=ValidatedBatch.unreadable().records, file_issues=issues, meta=meta
        )
    structure = (
        check_structure(body) if len(body) <= structure_max else StructureReport(skipped="size")
    )
    meta["structure_check"] = structure.skipped or "ran"
    out = _Out()
    any_837 = False
    for isa_meta, isa in zip(interchanges, scan.interchanges, strict=True):
        for g_meta, group in zip(isa_meta["groups"], isa.groups, strict=True):
            errors = _group_errors(group)
            any_837 = any_837 or not any(e.code == "ENV-NOT-837" for e in errors)
            g_meta["transactions"] = [
                _transaction(
                    segments, delimiters, isa.control, group, errors, tx, structure, out, edit_ctx
                )
                for tx in group.transactions
            ]
    if not any_837:
        return ValidatedBatch(
            records=ValidatedBatch.unreadable().records,
            file_issues=(
                _file_issue(
                    "ENV-NOT-837",
                    "the interchange holds no 837 claim transaction sets (e.g. an 835 "
                    "remittance or 834 enrollment): drop it in the right folder",
                ),
            ),
            meta=meta,
        )
    out.issues.extend(duplicate_issues([dedupe_key(c) for c in out.claims]))
    out.issues.sort(key=lambda pair: pair[0])
    records = records_frame(out.claims, out.envelopes, out.raws)
    return ValidatedBatch(records=records, issues=issues_frame(out.issues), meta=meta)


def empty_records() -> pl.DataFrame:
    return records_frame([], [], [])
