"""Prefect tasks around the meter, the period close and the exports (thin wrappers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine, update

from billing.close import CloseResult, close_period, statement_for
from billing.evidence import evidence_bytes
from billing.export import statement_bytes
from billing.meter import MeterResult, meter
from schemas.batch import ValidatedBatch
from schemas.config import ClientConfig
from store.db import transaction
from store.models import File, FileStage
from tasks.handler import ClientContext, DocHandler
from tasks.landing.outbox import FsOutbox


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
    units = handler.billable_units(batch.valid_records())
    with transaction(engine) as session:
        result = meter(
            session,
            client=ctx.client,
            file=file,
            units=units,
            completed_at=dt.datetime.now(dt.UTC),
            flow_run_id=flow_run_id,
        )
        session.execute(
            update(File)
            .where(File.id == file.id, File.stage < FileStage.METERED)
            .values(stage=FileStage.METERED)
        )
    return result


@task(name="close-period", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def close_task(
    engine: Engine, *, client: ClientConfig, period: str, accuracy: Decimal | None = None
) -> CloseResult:
    """Close one client's period (idempotent: a retry returns the first close's result)."""
    return close_period(engine, client, period, accuracy=accuracy)


@task(name="export-period", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def export_task(
    engine: Engine, *, client: ClientConfig, period: str, outbox: FsOutbox, formats: list[str]
) -> list[str]:
    """Write the detail and summary (each format) and the evidence zip to the client's outbox."""
    written = []
    with transaction(engine) as session:
        st = statement_for(session, client, period)
        for fmt in formats:
            for kind in ("detail", "summary"):
                name = f"billing/{period}/{kind}-{client.id}-{period}.{fmt}"
                written.append(outbox.write(name, statement_bytes(st, kind, fmt)))
        name = f"billing/{period}/evidence-{client.id}-{period}.zip"
        written.append(outbox.write(name, evidence_bytes(session, st)))
    return written
