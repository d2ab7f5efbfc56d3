"""Receipts: the per-file answer written to the client's outbox as JSON and as short text."""

from __future__ import annotations

from pathlib import PurePosixPath

from schemas.receipt import Receipt
from schemas.outbox import Outbox
from landing.names import safe_segment


def receipt_stem(receipt: Receipt) -> str:
    """``receipts/<name>.<sha256[:12]>``: one receipt per distinct content of a name."""
    name = safe_segment(PurePosixPath(receipt.name.replace("\\", "/")).name, limit=200)
    return f"receipts/{name}.{receipt.sha256[:12]}"


def receipt_text(receipt: Receipt) -> str:
    """The few lines a person reads first."""
    lines = [
        f"File: {receipt.name}",
        f"SHA-256: {receipt.sha256}",
        f"Status: {receipt.status.value}",
    ]
    if receipt.doc_type is not None:
        lines.append(f"Document type: {receipt.doc_type.value}")
    lines.append(
        f"Records: {receipt.records} (completed {receipt.completed}, "
        f"in review {receipt.in_review}, rejected {receipt.rejected})"
    )
    if receipt.reason:
        lines.append(f"Reason: {receipt.reason}")
    lines.extend(f"Output: {out}" for out in receipt.outputs)
    if receipt.processed_at is not None:
        lines.append(f"Processed at: {receipt.processed_at.isoformat()}")
    return "\n".join(lines) + "\n"


def write_receipt(outbox: Outbox, receipt: Receipt) -> tuple[str, str]:
    """Write ``receipts/<name>.<sha12>.json`` and ``.txt``; return both URLs.

    The same receipt written twice gives the same bytes, so a re-run changes nothing.
    """
    stem = receipt_stem(receipt)
    json_url = outbox.write(
        f"{stem}.json", (receipt.model_dump_json(indent=2) + "\n").encode("utf-8")
    )
    text_url = outbox.write(f"{stem}.txt", receipt_text(receipt).encode("utf-8"))
    return json_url, text_url
