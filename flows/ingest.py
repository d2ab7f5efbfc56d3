"""Ingest: poll every landing zone, take complete files once, process each, archive it.

A file is registered by sha256 before processing and archived only after its run finished, so
a crash leaves it in place and the next poll resumes it; the same bytes dropped again are
answered ``duplicate`` and archived without a second charge.
"""

from __future__ import annotations

import hashlib

from prefect import flow, get_run_logger, tags
from pydantic import BaseModel

from flows.process import FLOWS, FileResult
from flows.runtime import runtime
from schemas.receipt import Receipt, ReceiptStatus
from tasks.landing.files import LandedFile, Refused
from tasks.landing.receipt import write_receipt
from tasks.landing.sources import zones_from_config
from tasks.landing.zone import LandingZone


class IngestSummary(BaseModel):
    taken: int = 0
    duplicates: int = 0
    quarantined: int = 0
    errors: int = 0
    waiting: int = 0
    files: list[FileResult] = []
    refused: list[dict[str, str | None]] = []


def _refuse(zone: LandingZone, item: Refused, summary: IngestSummary) -> None:
    rt = runtime()
    zone.quarantine(item, item.reason)
    summary.quarantined += 1
    summary.refused.append({"url": item.url, "client_id": item.client_id, "reason": item.reason})
    if item.client_id and item.client_id in rt.config.clients and not item.is_dir:
        write_receipt(
            rt.outbox(item.client_id),
            Receipt(
                client_id=item.client_id,
                name=item.name,
                sha256=hashlib.sha256(item.url.encode()).hexdigest(),
                doc_type=item.doc_type,
                status=ReceiptStatus.QUARANTINED,
                reason=item.reason,
            ),
        )


def _take(zone: LandingZone, item: LandedFile, summary: IngestSummary) -> None:
    rt = runtime()
    logger = get_run_logger()
    data = zone.read(item)
    sha = hashlib.sha256(data).hexdigest()
    staging = rt.settings.state_dir / "staging" / item.client_id
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / f"{sha}"
    if not staged.exists():
        tmp = staged.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(staged)
    process = FLOWS[item.doc_type]
    try:
        with tags(f"client:{item.client_id}", f"doc:{item.doc_type.value}"):
            result = process(
                path=str(staged.resolve()),
                client_id=item.client_id,
                name=item.name,
                source=item.url,
            )
    except Exception:
        summary.errors += 1
        logger.exception(
            "processing %s failed; it stays in the landing zone for the next poll", item.url
        )
        return
    zone.archive(item, sha256=sha)
    staged.unlink(missing_ok=True)
    summary.files.append(result)
    if result.status == "duplicate":
        summary.duplicates += 1
    elif result.status == "quarantined":
        summary.quarantined += 1
    else:
        summary.taken += 1


@flow(name="ingest", flow_run_name="ingest", persist_result=False)
def ingest() -> IngestSummary:
    """Poll every configured landing zone once."""
    rt = runtime()
    summary = IngestSummary()
    for zone in zones_from_config(rt.config, rt.environ):
        for item in zone.scan():
            if isinstance(item, Refused):
                _refuse(zone, item, summary)
            else:
                _take(zone, item, summary)
    return summary
