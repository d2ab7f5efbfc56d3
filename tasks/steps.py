"""The per-file steps of processing, as Prefect tasks around plain functions.

Each task works at file or frame granularity, never per record.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine, update

from schemas.batch import ValidatedBatch
from schemas.doc_type import DocType
from schemas.receipt import Receipt, ReceiptStatus
from store.db import transaction
from store.files import Registration, register_file
from store.models import File, FileStage, FileStatus
from tasks.handler import ClientContext, DocHandler, Outbox, OutputContext
from tasks.landing.receipt import write_receipt
from tasks.route import RouteCounts, flag_history_duplicates, write_records


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@task(name="register-file", cache_policy=NO_CACHE)
def register_task(
    engine: Engine, *, client_id: str, doc_type: str, name: str, source: str, data: bytes
) -> Registration:
    with transaction(engine) as session:
        return register_file(
            session,
            client_id=client_id,
            doc_type=doc_type,
            name=name,
            source=source,
            sha256=sha256_hex(data),
            size=len(data),
        )


@task(name="extract-validate", cache_policy=NO_CACHE)
def extract_task(handler: DocHandler, data: bytes, name: str, ctx: ClientContext) -> ValidatedBatch:
    return handler.extract(data, name, ctx)


@task(name="check-history", cache_policy=NO_CACHE)
def history_task(
    engine: Engine, file: File, batch: ValidatedBatch, handler: DocHandler
) -> tuple[ValidatedBatch, pl.Series | None]:
    with transaction(engine) as session:
        return flag_history_duplicates(session, file, batch, handler)


@task(name="write-outputs", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def outputs_task(
    handler: DocHandler, batch: ValidatedBatch, file: File, ctx: ClientContext, outbox: Outbox
) -> list[str]:
    completed = batch.valid_records()
    out = OutputContext(
        ctx=ctx,
        outbox=outbox,
        file_id=file.id,
        source_name=file.name,
        source_sha256=file.sha256,
        received_at=file.received_at,
    )
    return handler.write_outputs(batch, completed, out)


@task(name="route-records", retries=2, retry_delay_seconds=[1, 5], cache_policy=NO_CACHE)
def route_task(
    engine: Engine,
    *,
    file: File,
    batch: ValidatedBatch,
    handler: DocHandler,
    ctx: ClientContext,
    dedupe_keys: pl.Series | None,
) -> RouteCounts:
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        counts = write_records(
            session,
            file=file,
            batch=batch,
            handler=handler,
            ctx=ctx,
            dedupe_keys=dedupe_keys,
            now=now,
        )
        session.execute(
            update(File)
            .where(File.id == file.id, File.stage < FileStage.RECORDED)
            .values(stage=FileStage.RECORDED, record_count=counts.records)
        )
    return counts


@task(name="finish-file", cache_policy=NO_CACHE)
def finish_task(
    engine: Engine,
    *,
    file: File,
    outbox: Outbox,
    status: ReceiptStatus,
    counts: RouteCounts,
    outputs: list[str],
    reason: str = "",
    flow_run_id: str | None,
) -> list[str]:
    receipt = Receipt(
        client_id=file.client_id,
        name=file.name,
        sha256=file.sha256,
        doc_type=DocType(file.doc_type),
        status=status,
        records=counts.records,
        completed=counts.completed,
        in_review=counts.in_review,
        rejected=counts.rejected,
        outputs=tuple(outputs),
        reason=reason,
    )
    receipt_urls = list(write_receipt(outbox, receipt))
    with transaction(engine) as session:
        session.execute(
            update(File)
            .where(File.id == file.id)
            .values(
                stage=FileStage.DONE,
                status=FileStatus.QUARANTINED
                if status is ReceiptStatus.QUARANTINED
                else FileStatus.PROCESSED,
                reason=reason or None,
                record_count=counts.records,
                outputs=[*outputs, *receipt_urls],
                completed_at=dt.datetime.now(dt.UTC),
                flow_run_id=flow_run_id,
            )
        )
    return receipt_urls
