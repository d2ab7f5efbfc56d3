"""Processed payroll files with review items, built from the plain pipeline pieces (no Prefect)."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl

from app.root import App
from billing.meter import meter
from review.intake import route_batch
from samples.payroll import BAD_ROUTING, payroll_frame, plant_errors
from schemas.outcome import FileOutcome
from store.db import transaction
from store.files import register_file
from store.models import File, FileStage
from tasks.registry import handler_for
from tests.factories import payroll_csv

GOOD_ROUTING = "091000019"


def process_payroll(
    rt: App,
    *,
    client_id: str = "acme",
    rows: int = 20,
    every: int = 5,
    all_bad_routing: bool = False,
    seed: int = 7,
    name: str = "batch.csv",
) -> File:
    """Register, route and meter one payroll batch the way ``process_payroll`` does.

    ``every``: plant an error in one row of every ``every`` (see ``plant_errors``);
    ``all_bad_routing``: every row fails the routing checksum instead (one item per row).
    """
    # Each seed pays employees of its own: two batches are two payrolls, not a re-send.
    frame = payroll_frame(rows, seed=seed, first_employee=0 if seed == 7 else 1000 * seed)
    if all_bad_routing:
        frame = frame.with_columns(pl.lit(BAD_ROUTING).alias("routing_number"))
    else:
        frame = plant_errors(frame, every=every)
    if client_id == "globex":
        frame = frame.rename({"employee_id": "Emp #"})
    data = payroll_csv(frame.rows(named=True)) if client_id != "globex" else _csv(frame)
    return process_file(rt, data, client_id=client_id, doc_type="payroll", name=name)


def process_file(rt: App, data: bytes, *, client_id: str, doc_type: str, name: str) -> File:
    """Register, extract, route and meter one file as the processing flow does (no Prefect),
    keeping a PDF's bytes for its reviewers when a record went to review."""
    from landing.source_copies import keep, worth_keeping

    handler = handler_for(doc_type)
    ctx = rt.client_context(client_id)
    batch = handler.extract(data, name, ctx)
    now = dt.datetime.now(dt.UTC)
    with transaction(rt.engine) as session:
        file = register_file(
            session,
            client_id=client_id,
            doc_type=doc_type,
            name=name,
            source=name,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        ).file
        counts = route_batch(
            session,
            file=file,
            batch=batch,
            handler=handler,
            client=ctx.client,
            dedupe_keys=handler.dedupe_keys(batch.records),
            now=now,
        )
        meter(
            session,
            client=ctx.client,
            file=file,
            units=handler.billable_units(batch.valid_records()),
            completed_at=now,
            flow_run_id=None,
        )
        file.status, file.stage, file.record_count = (
            FileOutcome.PROCESSED,
            FileStage.DONE,
            counts.records,
        )
    if counts.in_review and worth_keeping(data):
        keep(rt.state_dir, client_id, file.sha256, data)
    return file


def _csv(frame: pl.DataFrame) -> bytes:
    return frame.write_csv().encode("utf-8")


def add_person(
    rt: App, name: str = "ann", role: str = "reviewer", clients: tuple[str, ...] = ("acme",)
) -> str:
    """Add an enabled user; returns their personal token."""
    from access.users import add_user

    with transaction(rt.engine) as session:
        return add_user(
            session, name=name, role=role, clients=clients, now=dt.datetime.now(dt.UTC)
        ).token
