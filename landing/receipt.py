"""Receipts: the answers written to the client's outbox as JSON and as short text.

``receipts/<name>.<sha256[:12]>.json`` (and ``.txt``) answers a dropped file; a duplicate's
answer adds ``.duplicate`` and a review decision ``.review-<item id>``. Names are made storable
by :func:`schemas.names.safe_segment` whatever the client called the file.
"""

from __future__ import annotations

from landing.publication import StagingOutbox
from schemas.names import safe_segment
from schemas.outcome import FileOutcome
from schemas.receipt import Receipt, ReviewReceipt

#: Records listed by name in a text receipt; the JSON lists them all.
TEXT_LISTED = 50


def receipt_stem(name: str, sha256: str, label: str = "") -> str:
    """``receipts/<name>.<sha256[:12]>[.<label>]``: one answer per distinct content of a name."""
    base = safe_segment(name.replace("\\", "/").rsplit("/", 1)[-1], limit=200)
    return f"receipts/{base}.{sha256[:12]}" + (f".{label}" if label else "")


def receipt_text(receipt: Receipt) -> str:
    """The few lines a person reads first, then which records wait or were rejected."""
    lines = [
        f"File: {receipt.name}",
        f"SHA-256: {receipt.sha256}",
        f"Status: {receipt.status.value}",
    ]
    if receipt.doc_type is not None:
        lines.append(f"Document type: {receipt.doc_type.value}")
    if receipt.duplicate_of and receipt.status is FileOutcome.QUARANTINED:
        lines.append(f"Same bytes as: {receipt.duplicate_of} (quarantined before; not read again)")
    elif receipt.duplicate_of:
        lines.append(f"Same bytes as: {receipt.duplicate_of} (already processed; not billed again)")
    lines.append(
        f"Records: {receipt.records} (completed {receipt.completed}, "
        f"in review {receipt.in_review}, rejected {receipt.rejected})"
    )
    if receipt.reason:
        lines.append(f"Reason: {receipt.reason}")
    lines.extend(f"Output: {out}" for out in receipt.outputs)
    if receipt.processed_at is not None:
        lines.append(f"Processed at: {receipt.processed_at.isoformat()}")
    for r in receipt.records_in_review[:TEXT_LISTED]:
        due = f", due {r.due.isoformat()}" if r.due else ""
        lines.append(f"In review: {r.record_key} ({', '.join(r.codes)}{due})")
    for x in receipt.records_rejected[:TEXT_LISTED]:
        lines.append(f"Rejected: {x.record_key} ({', '.join(x.codes)}): not completed, not billed")
    more = max(len(receipt.records_in_review) - TEXT_LISTED, 0) + max(
        len(receipt.records_rejected) - TEXT_LISTED, 0
    )
    if more:
        lines.append(f"... and {more} more record(s): see the JSON receipt")
    return "\n".join(lines) + "\n"


def review_receipt_text(receipt: ReviewReceipt) -> str:
    verdict = (
        "completed after review"
        if receipt.decision == "resolved"
        else "rejected after review: it will not be completed or billed"
    )
    lines = [
        f"File: {receipt.name}",
        f"SHA-256: {receipt.sha256}",
        f"Record: {receipt.record_key}",
        f"Decision: {receipt.decision} ({verdict})",
    ]
    if receipt.codes:
        lines.append(f"Held for: {', '.join(receipt.codes)}")
    if receipt.reason:
        lines.append(f"Reason: {receipt.reason}")
    lines.extend(f"Output: {out}" for out in receipt.outputs)
    lines.append(f"Decided at: {receipt.processed_at.isoformat()}")
    return "\n".join(lines) + "\n"


def stage_receipt(staging: StagingOutbox, receipt: Receipt, label: str = "") -> list[str]:
    """Stage ``<stem>.json`` and ``<stem>.txt``; return their relative names."""
    stem = receipt_stem(receipt.name, receipt.sha256, label)
    staging.write_receipt(
        f"{stem}.json", (receipt.model_dump_json(indent=2) + "\n").encode("utf-8")
    )
    staging.write_receipt(f"{stem}.txt", receipt_text(receipt).encode("utf-8"))
    return [f"{stem}.json", f"{stem}.txt"]


def stage_review_receipt(staging: StagingOutbox, receipt: ReviewReceipt, item_id: int) -> list[str]:
    """Stage the follow-up receipt of a review decision; return its relative names."""
    stem = receipt_stem(receipt.name, receipt.sha256, f"review-{item_id}")
    staging.write_receipt(
        f"{stem}.json", (receipt.model_dump_json(indent=2) + "\n").encode("utf-8")
    )
    staging.write_receipt(f"{stem}.txt", review_receipt_text(receipt).encode("utf-8"))
    return [f"{stem}.json", f"{stem}.txt"]
