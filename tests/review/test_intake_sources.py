"""Where a doc type says each field was read (a ``sources`` column of its records), the review
item keeps it for the workbench; without one, nothing is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import polars as pl
from sqlalchemy import select

from app.root import App
from review.intake import route_batch
from review.source_view import parse_sources
from samples.invoices import Spec, make_pdf
from schemas.batch import ValidatedBatch
from store.db import transaction
from store.files import register_file
from store.models import ReviewItem
from tasks.registry import handler_for

SOURCES = {
    "total": {"page": 0, "bbox": [480.0, 560.5, 520.2, 571.0], "label": "Total", "confidence": 0.62}
}


def _route(rt: App, batch: ValidatedBatch, data: bytes) -> ReviewItem:
    handler = handler_for("invoices")
    with transaction(rt.engine) as session:
        file = register_file(
            session,
            client_id="acme",
            doc_type="invoices",
            name="inv.pdf",
            source="inv.pdf",
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        ).file
        route_batch(
            session,
            file=file,
            batch=batch,
            handler=handler,
            client=rt.config.clients["acme"],
            dedupe_keys=None,
            now=dt.datetime.now(dt.UTC),
        )
        return session.scalars(select(ReviewItem)).one()


def test_reported_sources_are_kept_with_the_item(runtime: App) -> None:
    data = make_pdf(Spec(total_text="999.99"))
    batch = handler_for("invoices").extract(data, "inv.pdf", runtime.client_context("acme"))
    with_sources = ValidatedBatch(
        batch.records.with_columns(pl.lit(json.dumps(SOURCES)).alias("sources")),
        batch.issues,
        batch.file_issues,
        batch.meta,
    )
    item = _route(runtime, with_sources, data)
    assert parse_sources(item.sources) == SOURCES


def test_no_sources_no_column_value(runtime: App) -> None:
    data = make_pdf(Spec(total_text="999.99"))
    batch = handler_for("invoices").extract(data, "inv.pdf", runtime.client_context("acme"))
    # a text PDF's reader reports no boxes (its words are searched by value on the page)
    assert batch.records.get_column("sources").null_count() == batch.records.height
    assert _route(runtime, batch, data).sources is None
