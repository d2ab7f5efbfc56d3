"""The steps of processing and billing as Prefect tasks: each wraps one plain function with
retries, naming and a transaction, and works at file or frame granularity, never per record.

This is the one module of ``tasks/`` that reaches past the doc types (to the store, landing,
review intake and billing): it is where the flows' steps meet the code that does the work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from billing.close import CloseResult, close_period
from billing.meter import MeterResult, meter
from billing.publish import publish_period
from landing import source_copies
from landing.answers import answer_duplicate, finish_answer, publish_file
from landing.outbox import FsOutbox
from landing.publication import OutboxFor, PublishReport, StagingOutbox, publish_pending
from landing.staging import FileBytes, read_file
from readers.isolation import ReaderPool
from review.intake import route_batch
from schemas.batch import ValidatedBatch
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from schemas.outbox import Outbox
from schemas.outcome import FileCounts, FileOutcome
from schemas.receipt import Receipt
from store.db import transaction
from store.files import Registration, advance_stage, record_failure, register_file
from store.models import File, FileStage
from store.payments import earlier_payments
from store.records import seen_dedupe_keys, state_counts
from tasks.doctype import ClientContext, DocHandler, OutputCheckError, OutputContext
from tasks.extraction import extract_file
from tasks.payment_history import check_payments
from tasks.routing import history_issues


@task(name="register-file", cache_policy=NO_CACHE)
def register_task(
    engine: Engine, *, path: str, client_id: str, doc_type: str, name: str, source: str
) -> tuple[Registration, FileBytes]:
    """Read the file once and register it by its sha256 (same bytes again: a duplicate)."""
    content = read_file(path)
    with transaction(engine) as session:
        registration = register_file(
            session,
            client_id=client_id,
            doc_type=doc_type,
            name=name,
            source=source,
            sha256=content.sha256,
            size=content.size,
        )
    return registration, content


def stored_counts(engine: Engine, file: File) -> FileCounts:
    """The counts a finished run recorded (a duplicate's answer)."""
    with transaction(engine) as session:
        by = state_counts(session, file_id=file.id)
    return FileCounts(
        records=file.record_count or sum(by.values()),
        completed=by.get("completed", 0),
        in_review=by.get("in_review", 0),
        rejected=by.get("rejected", 0),
    )


@task(name="answer-duplicate", cache_policy=NO_CACHE)
def duplicate_task(
    engine: Engine, *, file: File, name: str, outbox: FsOutbox
) -> tuple[Receipt, PublishReport]:
    """The same bytes again: finish the first answer's publication if a crash interrupted
    it, then answer this drop with its own receipt (nothing processed or billed again)."""
    return answer_duplicate(
        engine, outbox, file=file, name=name, counts=stored_counts(engine, file)
    )


@task(name="extract-validate", cache_policy=NO_CACHE)
def extract_task(
    doc_type: DocType, data: bytes, name: str, ctx: ClientContext, pool: ReaderPool | None
) -> ValidatedBatch:
    """Extract and validate under the client's reading budgets, in a reading child: a file
    over a budget, or one its reader fails or dies on, is answered by its file issue."""
    return extract_file(doc_type, data, name, ctx, pool)


@task(name="check-history", cache_policy=NO_CACHE)
def history_task(
    engine: Engine, file: File, batch: ValidatedBatch, handler: DocHandler, ctx: ClientContext
) -> tuple[ValidatedBatch, pl.Series | None]:
    """Flag records already received in another file of the client (a dedupe key seen
    before), and payments another file already made (same employee and pay date or period);
    both read in one transaction."""
    if batch.records.height == 0:
        return batch, None
    keys = handler.dedupe_keys(batch.records)
    with transaction(engine) as session:
        if keys is not None:
            wanted = [k for k in keys.drop_nulls().unique().to_list() if k]
            seen = seen_dedupe_keys(session, file=file, keys=wanted)
            batch = history_issues(batch, keys, seen, file.doc_type)
        return paid_before(session, file, batch, handler, ctx), keys


def paid_before(
    session: Session, file: File, batch: ValidatedBatch, handler: DocHandler, ctx: ClientContext
) -> ValidatedBatch:
    """``batch`` with ``PAY-DUPLICATE-PAYMENT`` on records whose payment a completed record
    of another file of the client already made (``tasks.payment_history``)."""
    payments = handler.payments(batch.records)
    if payments is None:
        return batch
    return check_payments(
        batch,
        payments,
        lookback_days=ctx.client.payroll.duplicate_lookback_days,
        now=dt.datetime.now(dt.UTC),
        read_paid=lambda window: earlier_payments(
            session, client_id=file.client_id, file_id=file.id, **asdict(window)
        ),
    )


def _retry_unless_refused(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a failed step, unless an output failed its own check: that cannot change."""
    try:
        state.result()
    except OutputCheckError:
        return False
    except Exception:
        return True
    return True


@task(
    name="write-outputs",
    retries=2,
    retry_delay_seconds=[1, 5],
    retry_condition_fn=_retry_unless_refused,
    cache_policy=NO_CACHE,
)
def outputs_task(
    handler: DocHandler, batch: ValidatedBatch, file: File, ctx: ClientContext, outbox: Outbox
) -> list[str]:
    out = OutputContext(
        ctx=ctx,
        outbox=outbox,
        file_id=file.id,
        source_name=file.name,
        source_sha256=file.sha256,
        received_at=file.received_at,
    )
    return handler.write_outputs(batch, out)


@task(name="route-records", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def route_task(
    engine: Engine,
    *,
    file: File,
    batch: ValidatedBatch,
    handler: DocHandler,
    ctx: ClientContext,
    dedupe_keys: pl.Series | None,
) -> FileCounts:
    """Every record's state, and a review item for each flagged one (one transaction)."""
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        counts = route_batch(
            session,
            file=file,
            batch=batch,
            handler=handler,
            client=ctx.client,
            dedupe_keys=dedupe_keys,
            now=now,
        )
        advance_stage(
            session, file_id=file.id, stage=FileStage.RECORDED, record_count=counts.records
        )
    return counts


@task(name="keep-source", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def keep_source_task(state_dir: Path, file: File, data: bytes) -> None:
    """Keep the document for the reviewers of its records in review (the page they see)."""
    source_copies.keep(state_dir, file.client_id, file.sha256, data)


@task(name="meter-usage", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def meter_task(
    engine: Engine,
    *,
    file: File,
    batch: ValidatedBatch,
    handler: DocHandler,
    ctx: ClientContext,
    flow_run_id: str | None,
) -> MeterResult:
    """Completed transactions into the usage ledger, once (the ledger's key decides)."""
    units = handler.billable_units(batch.valid_records(handler.unit_columns))
    with transaction(engine) as session:
        result = meter(
            session,
            client=ctx.client,
            file=file,
            units=units,
            completed_at=dt.datetime.now(dt.UTC),
            flow_run_id=flow_run_id,
        )
        advance_stage(session, file_id=file.id, stage=FileStage.METERED)
    return result


@task(name="finish-file", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def finish_task(
    engine: Engine,
    *,
    file: File,
    staging: StagingOutbox,
    status: FileOutcome,
    counts: FileCounts,
    reason: str = "",
    flow_run_id: str | None,
    final: bool = True,
) -> tuple[Receipt, PublishReport]:
    """Commit the file's answer with its staged outputs and receipt, then publish them
    (``final=False``: a held file, open to a later run of the same bytes).

    A crash between the commit and the publication leaves the outputs staged and recorded:
    the next run of the same bytes (or the next ingest poll) publishes them.
    """
    receipt = finish_answer(
        engine,
        file=file,
        staging=staging,
        status=status,
        counts=counts,
        reason=reason,
        flow_run_id=flow_run_id,
        final=final,
    )
    return receipt, publish_file(engine, staging.outbox, file_id=file.id)


@task(name="publish-pending", retries=1, retry_delay_seconds=[5], cache_policy=NO_CACHE)
def publish_pending_task(engine: Engine, outbox_for: OutboxFor) -> PublishReport:
    """Publish what committed runs and decisions left staged (a crash between their commit
    and their publication)."""
    return publish_pending(engine, outbox_for)


@task(name="record-failure", cache_policy=NO_CACHE)
def failed_task(engine: Engine, *, file: File, reason: str) -> None:
    """Keep why a file's run failed on its row (it stays unfinished for the next run)."""
    with transaction(engine) as session:
        record_failure(session, file_id=file.id, reason=reason)


@task(name="close-period", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def close_task(
    engine: Engine, *, client: ClientConfig, period: str, accuracy: Decimal | None = None
) -> CloseResult:
    """Close one client's period (idempotent: a retry returns the first close's result)."""
    return close_period(engine, client, period, accuracy=accuracy)


@task(name="export-period", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def export_task(
    engine: Engine, *, client: ClientConfig, period: str, outbox: Outbox, formats: list[str]
) -> list[str]:
    """Write the detail and summary (each format) and the evidence zip to the client's outbox."""
    with transaction(engine) as session:
        return publish_period(session, client=client, period=period, outbox=outbox, formats=formats)
