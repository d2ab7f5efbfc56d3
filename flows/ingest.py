"""Ingest: poll every landing zone, take complete files once, process each, archive it.

A file is registered by sha256 before processing and archived only after its run finished, so
a crash leaves it in place and the next poll resumes it; the same bytes dropped again are
answered ``duplicate`` and archived without a second charge.

Several ingest runs (on several workers) may poll the same zone at once: each walks the files
in its own random order, a file another run archived in the meantime is skipped as taken
elsewhere, and one that both runs read is processed idempotently and billed once.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, tags
from prefect.events import emit_event
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from pydantic import BaseModel

from app.root import App, current_app
from flows.process import FLOWS
from landing.answers import answer_refusal
from landing.files import LandedFile, Refused
from landing.staging import discard, stage
from landing.zone import LandingZone
from schemas.outcome import FileOutcome, FileResult
from schemas.receipt import Receipt
from tasks.steps import publish_pending_task


class IngestSummary(BaseModel):
    taken: int = 0
    duplicates: int = 0
    quarantined: int = 0
    errors: int = 0
    waiting: int = 0
    #: Files another run archived or quarantined between this run's listing and its read.
    taken_elsewhere: int = 0
    files: list[FileResult] = []
    refused: list[dict[str, str | None]] = []


def _refuse(app: App, zone: LandingZone, item: Refused, summary: IngestSummary) -> None:
    try:
        zone.quarantine(item, item.reason)
    except FileNotFoundError:
        summary.taken_elsewhere += 1  # another run moved it aside first
        return
    summary.quarantined += 1
    summary.refused.append({"url": item.url, "client_id": item.client_id, "reason": item.reason})
    if item.client_id and item.client_id in app.config.clients and not item.is_dir:
        answer_refusal(
            app.engine,
            app.outbox(item.client_id),
            Receipt(
                client_id=item.client_id,
                name=item.name,
                sha256=hashlib.sha256(item.url.encode()).hexdigest(),
                doc_type=item.doc_type,
                status=FileOutcome.QUARANTINED,
                reason=item.reason,
                processed_at=datetime.now(UTC),
            ),
        )


def _run(app: App, item: LandedFile, staged: Path) -> FileResult:
    process = FLOWS[item.doc_type]
    with (
        tags(f"client:{item.client_id}", f"doc:{item.doc_type.value}"),
        # The ingest run keeps its heartbeat; a per-file subflow's would cost ~1 s at exit.
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        return process(path=str(staged), client_id=item.client_id, name=item.name, source=item.url)


def _failed(item: LandedFile) -> None:
    emit_event(
        event="bpo.file.failed",
        resource={
            "prefect.resource.id": (
                f"bpo.landing.{item.client_id}.{hashlib.sha256(item.url.encode()).hexdigest()[:16]}"
            ),
            "prefect.resource.name": item.name,
            "bpo.client": item.client_id,
            "bpo.doc-type": item.doc_type.value,
        },
    )


def _take(app: App, zone: LandingZone, item: LandedFile, summary: IngestSummary) -> None:
    logger = get_run_logger()
    try:
        data = zone.read(item)
    except FileNotFoundError:
        summary.taken_elsewhere += 1
        logger.info("%s is gone: another ingest run took it", item.url)
        return
    # A copy private to this call: a concurrent run of the same bytes never loses its copy.
    staged = stage(app.state_dir, item.client_id, data)
    del data
    try:
        result = _run(app, item, staged)
    except Exception:
        summary.errors += 1
        logger.exception(
            "processing %s failed; it stays in the landing zone for the next poll", item.url
        )
        _failed(item)
        return
    finally:
        discard(staged)
    try:
        zone.archive(item, sha256=result.sha256)
    except FileNotFoundError:
        logger.info("%s was archived by another ingest run", item.url)
    summary.files.append(result)
    if result.status == FileOutcome.DUPLICATE:
        summary.duplicates += 1
    elif result.status == FileOutcome.QUARANTINED:
        summary.quarantined += 1
    else:
        summary.taken += 1


@flow(name="ingest", flow_run_name="ingest", persist_result=False)
def ingest() -> IngestSummary:
    """Poll every configured landing zone once."""
    app = current_app()
    summary = IngestSummary()
    published = publish_pending_task(app.engine, app.outbox)
    if published.published:
        get_run_logger().info(
            "published %d output(s) an interrupted run had committed", len(published.published)
        )
    for zone in app.zones():
        items = zone.scan()
        # Concurrent runs over one zone spread out instead of racing file by file.
        random.shuffle(items)
        for item in items:
            if isinstance(item, Refused):
                _refuse(app, zone, item, summary)
            else:
                _take(app, zone, item, summary)
    return summary
