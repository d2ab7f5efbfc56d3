"""Processing flows: one flow run per file.

``process_payroll``, ``process_invoices`` and ``process_claims`` are the deployable flows; they
share one sequence of batch-granular tasks: register -> extract+validate -> hold a
systematically broken file -> history checks -> outputs (staged) beside record states -> meter
-> finish (the answer committed, then the outputs and the receipt published). Each step
commits before the next and each is idempotent, so a run that died part-way is finished by the
next run of the same bytes without losing, double-billing or publishing anything the store
does not back.

A held file (``FILE-SYSTEMATIC-ERROR``) is answered ``quarantined`` with nothing routed, paid
or billed, and stays open: the same bytes run again are held again, or processed when the
operator accepts them (``accept_systematic``), never answered ``duplicate`` of the hold.

A run ends in a COMPLETED-type state named for its answer (``Completed``, ``In review``,
``Quarantined``, ``Duplicate``); ``Failed`` means the system failed and the file is retried.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, cast
from uuid import UUID

from prefect import flow, get_run_logger, tags
from prefect import runtime as prefect_runtime
from prefect.client.orchestration import get_client

from app.root import App, current_app
from flows.operators import announce_failed, announce_file, answered, publish_artifact
from landing.publication import StagingOutbox, file_token
from landing.source_copies import worth_keeping
from schemas.batch import ValidatedBatch
from schemas.doc_type import DocType
from schemas.issue import Issue
from schemas.outcome import FileCounts, FileOutcome, FileResult
from schemas.receipt import Receipt
from store.models import File, FileStage
from tasks.doctype import DocHandler, OutputCheckError
from tasks.registry import handler_for
from tasks.steps import (
    duplicate_task,
    extract_task,
    failed_task,
    finish_task,
    history_task,
    keep_source_task,
    meter_task,
    outputs_task,
    register_task,
    route_task,
)
from tasks.systematic import systematic_error


@dataclass(frozen=True)
class Steps:
    """How a file's steps run: as Prefect tasks (a file's own run: retries, task runs in the
    UI) or as the plain functions those tasks wrap (small files answered together in one run,
    where a task run per step would cost more than the work; a step that fails fails the file,
    which the next poll takes again)."""

    register: Callable[..., Any]
    duplicate: Callable[..., Any]
    extract: Callable[..., Any]
    history: Callable[..., Any]
    outputs: Callable[..., Any]
    route: Callable[..., Any]
    keep_source: Callable[..., Any]
    meter: Callable[..., Any]
    finish: Callable[..., Any]
    failed: Callable[..., Any]
    #: Outputs and record states side by side (a submitted task, or a thread for the plain
    #: function: file writes beside database writes) or one after the other.
    concurrent: bool


TASKS = Steps(
    register=register_task,
    duplicate=duplicate_task,
    extract=extract_task,
    history=history_task,
    outputs=outputs_task,
    route=route_task,
    keep_source=keep_source_task,
    meter=meter_task,
    finish=finish_task,
    failed=failed_task,
    concurrent=True,
)
INLINE = Steps(
    register=register_task.fn,
    duplicate=duplicate_task.fn,
    extract=extract_task.fn,
    history=history_task.fn,
    outputs=outputs_task.fn,
    route=route_task.fn,
    keep_source=keep_source_task.fn,
    meter=meter_task.fn,
    finish=finish_task.fn,
    failed=failed_task.fn,
    concurrent=True,
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
    accept_systematic: bool = False,
) -> FileResult:
    """The shared body of the processing flows (called inside a flow run); returns the
    answer as a named COMPLETED state (see :func:`flows.operators.answered`).

    ``accept_systematic`` processes a file even when one rule fails on so many of its
    records that it would be held (``FILE-SYSTEMATIC-ERROR``): its records go to review.
    """
    name = name or PurePath(path).name
    _tag_run(client_id, doc_type)
    result = answer_file(
        app, path, client_id, doc_type, name, source, accept_systematic, steps=TASKS
    )
    return answered(result)


def answer_file(
    app: App,
    path: str,
    client_id: str,
    doc_type: DocType,
    name: str,
    source: str | None = None,
    accept_systematic: bool = False,
    *,
    steps: Steps | None = None,
) -> FileResult:
    """A file's answer, receipt, event and artifact. By default its steps are plain functions
    (one small file of a batch run, ``flows.small_files``); a file's own run passes the tasks.
    A failure is announced (``bpo.file.failed``) and raised for the caller to count."""
    try:
        result, receipt, billed = _answer(
            app, path, client_id, doc_type, name, source, accept_systematic, steps=steps or INLINE
        )
    except Exception as exc:
        announce_failed(
            client_id, doc_type.value, name, _flow_run_id() or name, f"{type(exc).__name__}: {exc}"
        )
        raise
    announce_file(result, billed)
    publish_artifact(result, receipt, billed)
    return result


def _answer(
    app: App,
    path: str,
    client_id: str,
    doc_type: DocType,
    name: str,
    source: str | None,
    accept_systematic: bool = False,
    *,
    steps: Steps = TASKS,
) -> tuple[FileResult, Receipt | None, int]:
    handler = handler_for(doc_type)
    shown = source or path
    reg, content = steps.register(
        app.engine,
        path=path,
        client_id=client_id,
        doc_type=doc_type.value,
        name=name,
        source=source or path,
    )
    file = reg.file
    if reg.outcome == "duplicate":
        return _duplicate(app, file, shown, name, steps)
    batch = steps.extract(
        doc_type, content.data, name, app.client_context(client_id), app.reader_pool
    )
    # Reviewers see a PDF's pages: keep its bytes until routing says whether any record waits.
    page_source = content.data if worth_keeping(content.data) else None
    del content  # the batch holds what is needed; a large file's bytes need not stay in memory
    if batch.file_issues and batch.records.height == 0:
        return _quarantine(app, file, shown, batch, handler, steps)
    review = app.client_context(client_id).client.review
    storm = systematic_error(
        batch,
        hold_share=review.hold_share,
        hold_min_rows=review.hold_min_rows,
        how_to_override=(
            f"process it anyway (those records to review) with `bpo process FILE --client"
            f" {client_id} --type {doc_type.value} --accept-systematic`"
        ),
    )
    # A file whose records are already written (a run that died after routing) goes on.
    if storm is not None and not accept_systematic and file.stage == FileStage.REGISTERED:
        return _hold(app, file, shown, storm, _issues_text(batch), steps)
    accepted = f"Processed with --accept-systematic: {storm.message}" if storm else ""
    return _process(app, file, shown, batch, handler, page_source, accepted, steps)


def _duplicate(
    app: App, file: File, shown: str, name: str, steps: Steps = TASKS
) -> tuple[FileResult, Receipt | None, int]:
    """The same bytes again: answered with its own receipt, nothing processed or billed; bytes
    that were quarantined are answered ``quarantined`` again with the earlier reason (so they
    go back to the quarantine, not to the archive)."""
    again = file.status == FileOutcome.QUARANTINED.value
    get_run_logger().info(
        "%s: same bytes already %s as %s (file %s); answered as %s",
        name,
        "quarantined" if again else "processed",
        file.name,
        file.id,
        "quarantined again" if again else "a duplicate",
    )
    outbox = app.outbox(file.client_id)
    receipt, published = steps.duplicate(app.engine, file=file, name=name, outbox=outbox)
    outputs = [outbox.url_of(o) if "://" not in o else o for o in file.outputs]
    result = _result(
        file,
        shown,
        receipt.status,
        receipt.counts,
        [*outputs, *published.published],
        receipt.reason,
    )
    return result, receipt, 0


def _staging(app: App, file: File) -> StagingOutbox:
    return StagingOutbox(app.outbox(file.client_id), file_token(file.id))


def _quarantine(
    app: App,
    file: File,
    shown: str,
    batch: ValidatedBatch,
    handler: DocHandler,
    steps: Steps = TASKS,
) -> tuple[FileResult, Receipt | None, int]:
    """A file that gave no records: its outputs (a 999 for a broken 837) and its receipt."""
    reason = _issues_text(batch)
    get_run_logger().warning("%s quarantined: %s", file.name, reason)
    staging = _staging(app, file)
    outputs = steps.outputs(handler, batch, file, app.client_context(file.client_id), staging)
    return _finish(
        app, file, shown, staging, FileOutcome.QUARANTINED, FileCounts(), outputs, reason, steps
    )


def _hold(
    app: App, file: File, shown: str, storm: Issue, file_issues: str = "", steps: Steps = TASKS
) -> tuple[FileResult, Receipt | None, int]:
    """A systematically broken file: no records, outputs or usage; a receipt and an event
    say why (with the file's own issues, such as control totals that disagree), and the file
    stays open for a corrected decision (see the module docstring)."""
    reason = "; ".join(r for r in (f"{storm.code}: {storm.message}", file_issues) if r)
    get_run_logger().warning("%s held: %s", file.name, reason)
    return _finish(
        app,
        file,
        shown,
        _staging(app, file),
        FileOutcome.QUARANTINED,
        FileCounts(),
        [],
        reason,
        steps,
        final=False,
    )


def _process(
    app: App,
    file: File,
    shown: str,
    batch: ValidatedBatch,
    handler: DocHandler,
    page_source: bytes | None = None,
    accepted: str = "",
    steps: Steps = TASKS,
) -> tuple[FileResult, Receipt | None, int]:
    """History checks, outputs beside record states, metering, the answer."""
    ctx, staging = app.client_context(file.client_id), _staging(app, file)
    batch, keys = steps.history(app.engine, file, batch, handler, ctx)
    # The outputs (staged file writes) and the record states (database writes) need only the
    # batch: a file's own run writes them side by side. Metering waits for both, so nothing is
    # billed before its outputs exist; nothing is published before the answer is committed.
    try:
        outputs_done = _beside(steps, handler, batch, file, ctx, staging)
        try:
            counts = steps.route(
                app.engine, file=file, batch=batch, handler=handler, ctx=ctx, dedupe_keys=keys
            )
        except BaseException:
            with contextlib.suppress(Exception):  # the writes end; the route's error is raised
                outputs_done()
            raise
        outputs = outputs_done()
    except OutputCheckError as exc:
        # Nothing was published and nothing is billed; the file shows as unfinished, with
        # this reason, in `bpo reconcile` until a fixed release runs it again (run_file
        # announces the failure).
        steps.failed(app.engine, file=file, reason=str(exc))
        raise
    if page_source is not None and counts.in_review:
        steps.keep_source(app.state_dir, file, page_source)
    billed = steps.meter(
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
    reason = "; ".join(r for r in (_issues_text(batch), accepted) if r)
    return _finish(
        app,
        file,
        shown,
        staging,
        FileOutcome.PROCESSED,
        counts,
        outputs,
        reason,
        steps,
        billed.inserted,
    )


def _beside(steps: Steps, *args: Any) -> Callable[[], list[str]]:
    """Start the outputs step beside what follows (a submitted task, or a thread of its own
    for the plain function, in this run's context); return what waits for its outputs."""
    if not steps.concurrent:
        outputs = steps.outputs(*args)
        return lambda: outputs
    if hasattr(steps.outputs, "submit"):
        pending = steps.outputs.submit(*args)

        def submitted() -> list[str]:
            pending.wait()
            return cast(list[str], pending.result())

        return submitted
    thread = ThreadPoolExecutor(1, thread_name_prefix="bpo-outputs")
    future = thread.submit(contextvars.copy_context().run, steps.outputs, *args)
    thread.shutdown(wait=False)
    return lambda: cast(list[str], future.result())


def _finish(
    app: App,
    file: File,
    shown: str,
    staging: StagingOutbox,
    status: FileOutcome,
    counts: FileCounts,
    outputs: list[str],
    reason: str,
    steps: Steps = TASKS,
    billed: int = 0,
    *,
    final: bool = True,
) -> tuple[FileResult, Receipt | None, int]:
    """The answer committed with its staged outputs and receipt, then published;
    ``final=False`` leaves the file open to a later run of the same bytes (a held file)."""
    receipt, published = steps.finish(
        app.engine,
        file=file,
        staging=staging,
        status=status,
        counts=counts,
        reason=reason,
        flow_run_id=_flow_run_id(),
        final=final,
    )
    receipts = [u for u in published.published if u not in outputs]
    result = _result(file, shown, status, counts, [*outputs, *receipts], reason)
    return result, receipt, billed


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


# Three plain flow functions (not built by a factory): `prefect deploy` finds a flow by its
# ``def`` in the source file.


@flow(name="process-payroll", flow_run_name="{client_id}/payroll/{name}", persist_result=False)
def process_payroll(
    path: str,
    client_id: str,
    name: str,
    source: str | None = None,
    accept_systematic: bool = False,
) -> FileResult:
    """Process one payroll batch for a client (``accept_systematic``: process it even when
    one rule fails on so many rows that it would be held as ``FILE-SYSTEMATIC-ERROR``)."""
    with tags(f"client:{client_id}", "doc:payroll"):
        return run_file(
            current_app(),
            path,
            client_id,
            DocType.PAYROLL,
            name=name,
            source=source,
            accept_systematic=accept_systematic,
        )


@flow(name="process-invoices", flow_run_name="{client_id}/invoices/{name}", persist_result=False)
def process_invoices(
    path: str,
    client_id: str,
    name: str,
    source: str | None = None,
    accept_systematic: bool = False,
) -> FileResult:
    """Process one invoice file (PDF, Factur-X, UBL, CII, CSV/JSON) for a client
    (``accept_systematic``: process a systematically broken batch anyway)."""
    with tags(f"client:{client_id}", "doc:invoices"):
        return run_file(
            current_app(),
            path,
            client_id,
            DocType.INVOICES,
            name=name,
            source=source,
            accept_systematic=accept_systematic,
        )


@flow(name="process-claims", flow_run_name="{client_id}/claims/{name}", persist_result=False)
def process_claims(
    path: str,
    client_id: str,
    name: str,
    source: str | None = None,
    accept_systematic: bool = False,
) -> FileResult:
    """Process one claims file (X12 837 or CSV) for a client (``accept_systematic``:
    process a systematically broken batch anyway)."""
    with tags(f"client:{client_id}", "doc:claims"):
        return run_file(
            current_app(),
            path,
            client_id,
            DocType.CLAIMS,
            name=name,
            source=source,
            accept_systematic=accept_systematic,
        )


FLOWS = {
    DocType.PAYROLL: process_payroll,
    DocType.INVOICES: process_invoices,
    DocType.CLAIMS: process_claims,
}
