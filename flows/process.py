"""Processing flows: one flow run per file.

``process_payroll``, ``process_invoices`` and ``process_claims`` are the deployable flows; they
share one sequence of batch-granular tasks: register -> extract+validate -> history checks ->
outputs -> route (records + review items) -> meter -> receipt. Each step commits before the
next, and each is idempotent, so a run that died part-way is finished by the next run of the
same bytes without losing or double-billing anything.
"""

from __future__ import annotations

from pathlib import PurePath
from uuid import UUID

from prefect import flow, get_run_logger, tags
from prefect import runtime as prefect_runtime
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import get_client
from prefect.events import emit_event

from app.root import App, current_app
from landing.source_copies import worth_keeping
from schemas.batch import ValidatedBatch
from schemas.doc_type import DocType
from schemas.outcome import FileCounts, FileOutcome, FileResult
from store.models import File
from tasks.doctype import DocHandler
from tasks.registry import handler_for
from tasks.steps import (
    extract_task,
    finish_task,
    history_task,
    keep_source_task,
    meter_task,
    outputs_task,
    register_task,
    route_task,
    stored_counts_task,
)


def _result(
    file: File,
    path: str,
    status: FileOutcome,
    counts: FileCounts,
    outputs: list[str],
    reason: str = "",
) -> FileResult:
    return FileResult(
        file_id=file.id,
        path=path,
        sha256=file.sha256,
        name=file.name,
        client_id=file.client_id,
        doc_type=DocType(file.doc_type),
        status=status,
        **counts.model_dump(),
        outputs=tuple(outputs),
        reason=reason,
    )


def _issues_text(batch: ValidatedBatch) -> str:
    return "; ".join(f"{i.code}: {i.message}" for i in batch.file_issues)


def run_file(
    app: App,
    path: str,
    client_id: str,
    doc_type: DocType,
    name: str | None = None,
    source: str | None = None,
) -> FileResult:
    """The shared body of the processing flows (called inside a flow run)."""
    logger = get_run_logger()
    handler = handler_for(doc_type)
    name = name or PurePath(path).name
    shown = source or path
    _tag_run(client_id, doc_type)

    reg, content = register_task(
        app.engine,
        path=path,
        client_id=client_id,
        doc_type=doc_type.value,
        name=name,
        source=source or path,
    )
    file = reg.file
    if reg.outcome == "duplicate":
        logger.info("%s: same bytes already processed as file %s", name, file.id)
        counts = stored_counts_task(app.engine, file)
        return _result(
            file, shown, FileOutcome.DUPLICATE, counts, list(file.outputs), file.reason or ""
        )
    batch = extract_task(handler, content.data, name, app.client_context(client_id))
    # Reviewers see a PDF's pages: keep its bytes until routing says whether any record waits.
    page_source = content.data if worth_keeping(content.data) else None
    del content  # the batch holds what is needed; a large file's bytes need not stay in memory
    if batch.file_issues and batch.records.height == 0:
        return _quarantine(app, file, shown, batch, handler)
    return _process(app, file, shown, batch, handler, page_source)


def _quarantine(
    app: App, file: File, shown: str, batch: ValidatedBatch, handler: DocHandler
) -> FileResult:
    """A file that gave no records: its outputs (a 999 for a broken 837) and its receipt."""
    reason = _issues_text(batch)
    get_run_logger().warning("%s quarantined: %s", file.name, reason)
    outbox = app.outbox(file.client_id)
    outputs = outputs_task(handler, batch, file, app.client_context(file.client_id), outbox)
    return _finish(app, file, shown, FileOutcome.QUARANTINED, FileCounts(), outputs, reason)


def _process(
    app: App,
    file: File,
    shown: str,
    batch: ValidatedBatch,
    handler: DocHandler,
    page_source: bytes | None = None,
) -> FileResult:
    """History checks, outputs beside record states, metering, receipt."""
    ctx, outbox = app.client_context(file.client_id), app.outbox(file.client_id)
    batch, keys = history_task(app.engine, file, batch, handler)
    # The outputs (file writes) and the record states (database writes) need only the batch:
    # they run side by side. Metering waits for both, so nothing is billed before its
    # outputs exist; a run that fails part-way is finished by the next run of the same bytes.
    pending = outputs_task.submit(handler, batch, file, ctx, outbox)
    try:
        counts = route_task(
            app.engine, file=file, batch=batch, handler=handler, ctx=ctx, dedupe_keys=keys
        )
    finally:
        pending.wait()
    outputs = pending.result()
    if page_source is not None and counts.in_review:
        keep_source_task(app.state_dir, file, page_source)
    billed = meter_task(
        app.engine, file=file, batch=batch, handler=handler, ctx=ctx, flow_run_id=_flow_run_id()
    )
    get_run_logger().info(
        "%s: %d records, %d completed, %d in review, %d rejected, %d usage entries written",
        file.name,
        counts.records,
        counts.completed,
        counts.in_review,
        counts.rejected,
        billed.inserted,
    )
    reason = _issues_text(batch)
    return _finish(
        app, file, shown, FileOutcome.PROCESSED, counts, outputs, reason, billed.inserted
    )


def _finish(
    app: App,
    file: File,
    shown: str,
    status: FileOutcome,
    counts: FileCounts,
    outputs: list[str],
    reason: str,
    billed: int = 0,
) -> FileResult:
    """The receipt and the file's answer in the store, the operators' artifact and event."""
    receipts = finish_task(
        app.engine,
        file=file,
        outbox=app.outbox(file.client_id),
        status=status,
        counts=counts,
        outputs=outputs,
        reason=reason,
        flow_run_id=_flow_run_id(),
    )
    _artifact(file, status, counts, reason, billed=billed)
    return _result(file, shown, status, counts, [*outputs, *receipts], reason)


def _flow_run_id() -> str | None:
    return str(prefect_runtime.flow_run.id) if prefect_runtime.flow_run.id else None


def _tag_run(client_id: str, doc_type: DocType) -> None:
    """Give the run its ``client:`` and ``doc:`` tags whoever started it: a deployment run
    starts with the deployment's tags only, and operators filter runs by client."""
    run_id = prefect_runtime.flow_run.id
    if not run_id:
        return
    have = set(prefect_runtime.flow_run.tags or [])
    wanted = {f"client:{client_id}", f"doc:{doc_type.value}"}
    if wanted <= have:
        return
    with get_client(sync_client=True) as client:
        client.update_flow_run(UUID(str(run_id)), tags=sorted(have | wanted))


def _announce(file: File, status: FileOutcome, counts: FileCounts, reason: str) -> None:
    """A Prefect event per finished file, for automations: ``bpo.file.quarantined`` and
    ``bpo.file.processed`` (with the share of records sent to review, to catch spikes)."""
    share = counts.in_review / counts.records if counts.records else 0.0
    emit_event(
        event=f"bpo.file.{status.value}",
        resource={
            "prefect.resource.id": f"bpo.file.{file.client_id}.{file.id}",
            "prefect.resource.name": file.name,
            "bpo.client": file.client_id,
            "bpo.doc-type": file.doc_type,
        },
        payload={
            "records": counts.records,
            "completed": counts.completed,
            "in_review": counts.in_review,
            "rejected": counts.rejected,
            "review_share": round(share, 4),
            "reason": reason[:500],
        },
    )


def _artifact(
    file: File, status: FileOutcome, counts: FileCounts, reason: str, billed: int = 0
) -> None:
    _announce(file, status, counts, reason)
    create_table_artifact(
        key=f"file-{file.client_id}-{file.id}".lower().replace("_", "-"),
        table=[
            {
                "file": file.name,
                "client": file.client_id,
                "doc_type": file.doc_type,
                "status": status.value,
                "records": counts.records,
                "completed": counts.completed,
                "in_review": counts.in_review,
                "rejected": counts.rejected,
                "billed": billed,
                "reason": reason[:200],
            }
        ],
        description=f"{file.doc_type} file {file.name} for {file.client_id}",
    )


# Three plain flow functions (not built by a factory): `prefect deploy` finds a flow by its
# ``def`` in the source file.


@flow(name="process-payroll", flow_run_name="{client_id}/payroll/{name}", persist_result=False)
def process_payroll(path: str, client_id: str, name: str, source: str | None = None) -> FileResult:
    """Process one payroll batch for a client."""
    with tags(f"client:{client_id}", "doc:payroll"):
        return run_file(current_app(), path, client_id, DocType.PAYROLL, name=name, source=source)


@flow(name="process-invoices", flow_run_name="{client_id}/invoices/{name}", persist_result=False)
def process_invoices(path: str, client_id: str, name: str, source: str | None = None) -> FileResult:
    """Process one invoice file (PDF, Factur-X, UBL, CII, CSV/JSON) for a client."""
    with tags(f"client:{client_id}", "doc:invoices"):
        return run_file(current_app(), path, client_id, DocType.INVOICES, name=name, source=source)


@flow(name="process-claims", flow_run_name="{client_id}/claims/{name}", persist_result=False)
def process_claims(path: str, client_id: str, name: str, source: str | None = None) -> FileResult:
    """Process one claims file (X12 837 or CSV) for a client."""
    with tags(f"client:{client_id}", "doc:claims"):
        return run_file(current_app(), path, client_id, DocType.CLAIMS, name=name, source=source)


FLOWS = {
    DocType.PAYROLL: process_payroll,
    DocType.INVOICES: process_invoices,
    DocType.CLAIMS: process_claims,
}
