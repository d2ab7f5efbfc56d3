"""Processing flows: one flow run per file.

``process_payroll``, ``process_invoices`` and ``process_claims`` are the deployable flows; they
share one sequence of batch-granular tasks: register -> extract+validate -> history checks ->
outputs -> route (records + review items) -> meter -> receipt. Each step commits before the
next, and each is idempotent, so a run that died part-way is finished by the next run of the
same bytes without losing or double-billing anything.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from prefect import flow, get_run_logger, tags
from prefect import runtime as prefect_runtime
from prefect.artifacts import create_table_artifact
from prefect.client.orchestration import get_client
from prefect.events import emit_event
from pydantic import BaseModel

from billing.tasks import meter_task
from flows.runtime import runtime
from schemas.doc_type import DocType
from schemas.receipt import ReceiptStatus
from store.db import transaction
from store.files import state_counts
from store.models import File
from tasks.registry import handler_for
from tasks.route import RouteCounts
from tasks.steps import (
    extract_task,
    finish_task,
    history_task,
    outputs_task,
    register_task,
    route_task,
)


class FileResult(BaseModel):
    """The ``bpo process --json`` answer for one file (DESIGN.md)."""

    file_id: int
    path: str
    name: str = ""
    client_id: str
    doc_type: str
    status: str
    records: int = 0
    completed: int = 0
    in_review: int = 0
    rejected: int = 0
    outputs: list[str] = []
    reason: str = ""


def _result(
    file: File, path: str, status: str, counts: RouteCounts, outputs: list[str], reason: str = ""
) -> FileResult:
    return FileResult(
        file_id=file.id,
        path=path,
        name=file.name,
        client_id=file.client_id,
        doc_type=file.doc_type,
        status=status,
        records=counts.records,
        completed=counts.completed,
        in_review=counts.in_review,
        rejected=counts.rejected,
        outputs=outputs,
        reason=reason,
    )


def _stored_counts(file: File) -> RouteCounts:
    """The counts a finished run recorded (for a duplicate's answer)."""
    with transaction(runtime().engine) as session:
        by = state_counts(session, file_id=file.id)
    return RouteCounts(
        records=file.record_count or sum(by.values()),
        completed=by.get("completed", 0),
        in_review=by.get("in_review", 0),
        rejected=by.get("rejected", 0),
    )


def run_file(
    path: str, client_id: str, doc_type: DocType, name: str | None = None, source: str | None = None
) -> FileResult:
    """The shared body of the processing flows (called inside a flow run)."""
    rt = runtime()
    logger = get_run_logger()
    handler = handler_for(doc_type)
    ctx = rt.client_context(client_id)
    outbox = rt.outbox(client_id)
    name = name or Path(path).name
    shown = source or path
    data = Path(path).read_bytes()
    flow_run_id = str(prefect_runtime.flow_run.id) if prefect_runtime.flow_run.id else None
    _tag_run(client_id, doc_type)

    reg = register_task(
        rt.engine,
        client_id=client_id,
        doc_type=doc_type.value,
        name=name,
        source=source or path,
        data=data,
    )
    file = reg.file
    if reg.outcome == "duplicate":
        logger.info("%s: same bytes already processed as file %s", name, file.id)
        return _result(
            file, shown, "duplicate", _stored_counts(file), list(file.outputs), file.reason or ""
        )

    batch = extract_task(handler, data, name, ctx)
    del data  # the batch holds what is needed; a large file's bytes need not stay in memory
    if batch.file_issues and batch.records.height == 0:
        reason = "; ".join(f"{i.code}: {i.message}" for i in batch.file_issues)
        logger.warning("%s quarantined: %s", name, reason)
        empty = RouteCounts(0, 0, 0, 0)
        outputs = outputs_task(handler, batch, file, ctx, outbox)
        receipts = finish_task(
            rt.engine,
            file=file,
            outbox=outbox,
            status=ReceiptStatus.QUARANTINED,
            counts=empty,
            outputs=outputs,
            reason=reason,
            flow_run_id=flow_run_id,
        )
        _artifact(file, "quarantined", empty, reason)
        return _result(file, shown, "quarantined", empty, [*outputs, *receipts], reason)

    batch, keys = history_task(rt.engine, file, batch, handler)
    # The outputs (file writes) and the record states (database writes) need only the batch:
    # they run side by side. Metering waits for both, so nothing is billed before its
    # outputs exist; a run that fails part-way is finished by the next run of the same bytes.
    pending = outputs_task.submit(handler, batch, file, ctx, outbox)
    try:
        counts = route_task(
            rt.engine, file=file, batch=batch, handler=handler, ctx=ctx, dedupe_keys=keys
        )
    finally:
        pending.wait()
    outputs = pending.result()
    billed = meter_task(
        rt.engine, file=file, batch=batch, handler=handler, ctx=ctx, flow_run_id=flow_run_id
    )
    reason = "; ".join(f"{i.code}: {i.message}" for i in batch.file_issues)
    receipts = finish_task(
        rt.engine,
        file=file,
        outbox=outbox,
        status=ReceiptStatus.PROCESSED,
        counts=counts,
        outputs=outputs,
        reason=reason,
        flow_run_id=flow_run_id,
    )
    logger.info(
        "%s: %d records, %d completed, %d in review, %d rejected, %d usage entries written",
        name,
        counts.records,
        counts.completed,
        counts.in_review,
        counts.rejected,
        billed.inserted,
    )
    _artifact(file, "processed", counts, reason, billed=billed.inserted)
    return _result(file, shown, "processed", counts, [*outputs, *receipts], reason)


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


def _announce(file: File, status: str, counts: RouteCounts, reason: str) -> None:
    """A Prefect event per finished file, for automations: ``bpo.file.quarantined`` and
    ``bpo.file.processed`` (with the share of records sent to review, to catch spikes)."""
    share = counts.in_review / counts.records if counts.records else 0.0
    emit_event(
        event=f"bpo.file.{status}",
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


def _artifact(file: File, status: str, counts: RouteCounts, reason: str, billed: int = 0) -> None:
    _announce(file, status, counts, reason)
    create_table_artifact(
        key=f"file-{file.client_id}-{file.id}".lower().replace("_", "-"),
        table=[
            {
                "file": file.name,
                "client": file.client_id,
                "doc_type": file.doc_type,
                "status": status,
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
        return run_file(path, client_id, DocType.PAYROLL, name=name, source=source)


@flow(name="process-invoices", flow_run_name="{client_id}/invoices/{name}", persist_result=False)
def process_invoices(path: str, client_id: str, name: str, source: str | None = None) -> FileResult:
    """Process one invoice file (PDF, Factur-X, UBL, CII, CSV/JSON) for a client."""
    with tags(f"client:{client_id}", "doc:invoices"):
        return run_file(path, client_id, DocType.INVOICES, name=name, source=source)


@flow(name="process-claims", flow_run_name="{client_id}/claims/{name}", persist_result=False)
def process_claims(path: str, client_id: str, name: str, source: str | None = None) -> FileResult:
    """Process one claims file (X12 837 or CSV) for a client."""
    with tags(f"client:{client_id}", "doc:claims"):
        return run_file(path, client_id, DocType.CLAIMS, name=name, source=source)


FLOWS = {
    DocType.PAYROLL: process_payroll,
    DocType.INVOICES: process_invoices,
    DocType.CLAIMS: process_claims,
}
