"""The queue's intake: a validated batch's records get their states, flagged ones an item.

Idempotent: the rows are keyed on ``(file_id, record_index)``, so a retried run writes nothing
new. Open items are due by the client's working calendar (:mod:`review.due`). The payments
of the records that complete join the client's payment history in the same transaction
(``store.payments``), so what is paid and what the history says can never disagree.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy.orm import Session

from review.due import business_due
from schemas.batch import ValidatedBatch
from schemas.config import ClientConfig
from schemas.outcome import FileCounts
from store.models import File
from store.payments import record_payments
from store.records import insert_review_items, insert_states
from tasks.doctype import DocHandler
from tasks.routing import counts_of, flagged_records, review_item_frame, state_frame

#: Flagged records made into review items and written at a time.
ITEM_SLICE = 50_000


def route_batch(
    session: Session,
    *,
    file: File,
    batch: ValidatedBatch,
    handler: DocHandler,
    client: ClientConfig,
    dedupe_keys: pl.Series | None,
    now: dt.datetime,
) -> FileCounts:
    """Persist every record's state and a review item per flagged record."""
    states = state_frame(batch, dedupe_keys)
    insert_states(session, file=file, states=states, completed_at=now)
    # The payment columns of every record, then the completed ones: no copy of every field.
    payments = handler.payments(batch.records)
    if payments is not None:
        completed = payments.filter(batch.completed_rows())
        record_payments(session, file=file, payments=completed, source="batch")
    counts = counts_of(states)
    if counts.records != counts.completed:
        flagged = flagged_records(batch, states)
        due = business_due(now, client)
        # In slices: each item carries its fields and raw values as JSON text, so a file with
        # a third of its million records in review never holds every item's text at once.
        for start in range(0, flagged.height, ITEM_SLICE):
            items = review_item_frame(
                flagged.slice(start, ITEM_SLICE),
                handler=handler,
                file_id=file.id,
                client_id=file.client_id,
                doc_type=file.doc_type,
                now=now,
                due=due,
            )
            insert_review_items(session, items)
    return counts
