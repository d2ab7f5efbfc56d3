"""Routing as frames: every record gets exactly one state; flagged ones become review items.

Pure functions over a validated batch; ``store.records`` persists what they build and
``review.intake`` puts the two together. The checks that need history (a record already
received in an earlier file) take what the store found and add issues here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from schemas.batch import ISSUE_SCHEMA, RECORD_INDEX, RECORD_KEY, ValidatedBatch
from schemas.doc_type import RecordState
from schemas.frames import utc_column
from schemas.outcome import FileCounts
from tasks.doctype import DocHandler
from tasks.review_fields import reasons_json

DUPLICATE_CODE = {
    "invoices": "INV-DUPLICATE",
    "claims": "CLM-DUPLICATE",
    "payroll": "PAY-DUPLICATE",
}
#: Review-item statuses as the store writes them (``store.models.ReviewStatus``).
_OPEN, _REJECTED = "open", "rejected"
KEY_LENGTH = 255


def state_frame(batch: ValidatedBatch, dedupe_keys: pl.Series | None) -> pl.DataFrame:
    """``record_index`` (Int64), ``record_key``, ``state`` and, with keys, ``dedupe_key``: the
    rows of the ``records`` table for the batch."""
    keyed = batch.record_states().select(
        pl.col(RECORD_INDEX).cast(pl.Int64).alias("record_index"),
        pl.col(RECORD_KEY).str.slice(0, KEY_LENGTH).alias("record_key"),
        pl.col("state"),
    )
    if dedupe_keys is not None:
        keyed = keyed.with_columns(dedupe_keys.str.slice(0, KEY_LENGTH).alias("dedupe_key"))
    return keyed


def counts_of(states: pl.DataFrame) -> FileCounts:
    """How many records end in each state."""
    counts = states.group_by("state").len()
    by_state = dict(zip(counts.get_column("state"), counts.get_column("len"), strict=True))
    return FileCounts(
        records=states.height,
        completed=int(by_state.get(RecordState.COMPLETED.value, 0)),
        in_review=int(by_state.get(RecordState.IN_REVIEW.value, 0)),
        rejected=int(by_state.get(RecordState.REJECTED.value, 0)),
    )


def flagged_records(batch: ValidatedBatch, states: pl.DataFrame) -> pl.DataFrame:
    """The batch's records that did not complete, with their ``state`` and ``reasons``."""
    flagged_states = states.filter(pl.col("state") != RecordState.COMPLETED.value).select(
        pl.col("record_index").cast(pl.UInt32).alias(RECORD_INDEX), "state"
    )
    # Filter first: a join would gather from (and so copy) every column of the batch.
    wanted = flagged_states.get_column(RECORD_INDEX).implode()
    flagged = batch.records.filter(pl.col(RECORD_INDEX).is_in(wanted)).join(
        flagged_states, on=RECORD_INDEX
    )
    reasons = batch.issues.group_by(RECORD_INDEX, maintain_order=True).agg(
        pl.struct("code", "field", "message").alias("reasons")
    )
    return flagged.join(reasons, on=RECORD_INDEX, how="left").sort(RECORD_INDEX)


def review_item_frame(
    flagged: pl.DataFrame,
    *,
    handler: DocHandler,
    file_id: int,
    client_id: str,
    doc_type: str,
    now: dt.datetime,
    due: dt.datetime,
) -> pl.DataFrame:
    """The ``review_items`` rows for :func:`flagged_records`: open items due at ``due``, and
    records a rule rejected outright closed at once (``rejected by rule``)."""
    n = flagged.height
    rejected = flagged.get_column("state") == RecordState.REJECTED.value
    # Where each field was read (a JSON object per record), when the doc type says.
    where = {"sources": flagged.get_column("sources")} if "sources" in flagged.columns else {}
    return pl.DataFrame(
        {
            "client_id": client_id,
            "doc_type": doc_type,
            "file_id": file_id,
            "record_index": flagged.get_column(RECORD_INDEX).cast(pl.Int64),
            "record_key": flagged.get_column(RECORD_KEY).str.slice(0, KEY_LENGTH),
            "status": pl.Series([_REJECTED if r else _OPEN for r in rejected]),
            "reasons": reasons_json(flagged.get_column("reasons")),
            "fields": handler.review_fields(flagged),
            "raw": flagged.get_column("raw") if "raw" in flagged.columns else None,
            "priority": 100,
            "sla_breach_notified": False,
            "sla_scheduled": True,
            **where,
        }
    ).with_columns(
        utc_column(now, n, "created_at"),
        pl.when(rejected).then(None).otherwise(utc_column(due, n, "d")).alias("due_at"),
        pl.when(rejected).then(utc_column(now, n, "r")).otherwise(None).alias("resolved_at"),
        pl.when(rejected).then(pl.lit("rejected by rule")).otherwise(None).alias("resolution"),
    )


def history_issues(
    batch: ValidatedBatch, keys: pl.Series, seen: Mapping[str, str], doc_type: str
) -> ValidatedBatch:
    """Flag the records whose dedupe key the store has seen in another file (``seen``: key ->
    that file's name) as duplicates for a person to confirm."""
    if not seen:
        return batch
    frame = batch.records.select(RECORD_INDEX).with_columns(keys.alias("__key"))
    dupes = frame.filter(pl.col("__key").is_in(list(seen))).rechunk()  # for pl.format
    extra = dupes.select(
        pl.col(RECORD_INDEX),
        pl.lit(DUPLICATE_CODE.get(doc_type, "DUPLICATE")).alias("code"),
        pl.lit("record_key").alias("field"),
        pl.format(
            "Already received in file {}: confirm this is not a second copy before paying.",
            pl.col("__key").replace_strict(dict(seen), default=None, return_dtype=pl.String),
        ).alias("message"),
        pl.lit("review").alias("severity"),
    ).cast(ISSUE_SCHEMA)  # type: ignore[arg-type]
    issues = pl.concat([batch.issues.cast(ISSUE_SCHEMA), extra])  # type: ignore[arg-type]
    return ValidatedBatch(batch.records, issues, batch.file_issues, batch.meta)
