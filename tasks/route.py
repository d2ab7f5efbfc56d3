"""Routing: every record gets exactly one state; flagged ones become review items.

Also the checks that need history (a duplicate of a record from an earlier file), because
those read the store rather than the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas.batch import ISSUE_SCHEMA, RECORD_INDEX, RECORD_KEY, ValidatedBatch
from schemas.doc_type import RecordState
from store.bulk import insert_ignore, utc_column
from store.models import File, Record, ReviewStatus
from store.review_sla import business_due
from tasks.handler import ClientContext, DocHandler
from tasks.review_fields import reasons_json

DUPLICATE_CODE = {
    "invoices": "INV-DUPLICATE",
    "claims": "CLM-DUPLICATE",
    "payroll": "PAY-DUPLICATE",
}
_CHUNK = 500


@dataclass(frozen=True)
class RouteCounts:
    records: int
    completed: int
    in_review: int
    rejected: int


def record_states(batch: ValidatedBatch) -> pl.DataFrame:
    """``record_index``, ``record_key``, ``state`` for every record of the batch."""
    worst = batch.issues.group_by(RECORD_INDEX).agg(
        (pl.col("severity") == "reject").any().alias("reject")
    )
    return (
        batch.records.select(RECORD_INDEX, RECORD_KEY)
        .join(worst, on=RECORD_INDEX, how="left")
        .select(
            RECORD_INDEX,
            RECORD_KEY,
            pl.when(pl.col("reject"))
            .then(pl.lit(RecordState.REJECTED.value))
            .when(pl.col("reject").is_not_null())
            .then(pl.lit(RecordState.IN_REVIEW.value))
            .otherwise(pl.lit(RecordState.COMPLETED.value))
            .alias("state"),
        )
    )


def flag_history_duplicates(
    session: Session, file: File, batch: ValidatedBatch, handler: DocHandler
) -> tuple[ValidatedBatch, pl.Series | None]:
    """Add a duplicate issue to records whose dedupe key exists in another file of the client."""
    keys = handler.dedupe_keys(batch.records)
    if keys is None or batch.records.height == 0:
        return batch, keys
    wanted = [k for k in keys.drop_nulls().unique().to_list() if k]
    seen: dict[str, str] = {}
    for i in range(0, len(wanted), _CHUNK):
        rows = session.execute(
            select(Record.dedupe_key, File.name)
            .join(File, File.id == Record.file_id)
            .where(
                Record.client_id == file.client_id,
                Record.doc_type == file.doc_type,
                Record.file_id != file.id,
                Record.state != RecordState.REJECTED.value,
                Record.dedupe_key.in_(wanted[i : i + _CHUNK]),
            )
        ).all()
        seen.update({str(k): name for k, name in rows})
    if not seen:
        return batch, keys
    frame = batch.records.select(RECORD_INDEX).with_columns(keys.alias("__key"))
    dupes = frame.filter(pl.col("__key").is_in(list(seen))).rechunk()  # for pl.format
    extra = dupes.select(
        pl.col(RECORD_INDEX),
        pl.lit(DUPLICATE_CODE.get(file.doc_type, "DUPLICATE")).alias("code"),
        pl.lit("record_key").alias("field"),
        pl.format(
            "Already received in file {}: confirm this is not a second copy before paying.",
            pl.col("__key").replace_strict(seen, default=None, return_dtype=pl.String),
        ).alias("message"),
        pl.lit("review").alias("severity"),
    ).cast(ISSUE_SCHEMA)  # type: ignore[arg-type]
    issues = pl.concat([batch.issues.cast(ISSUE_SCHEMA), extra])  # type: ignore[arg-type]
    return (
        ValidatedBatch(batch.records, issues, batch.file_issues, batch.meta),
        keys,
    )


def write_records(
    session: Session,
    *,
    file: File,
    batch: ValidatedBatch,
    handler: DocHandler,
    ctx: ClientContext,
    dedupe_keys: pl.Series | None,
    now: dt.datetime,
) -> RouteCounts:
    """Persist every record's state and a review item per flagged record (idempotent)."""
    states = record_states(batch)
    n = states.height
    keyed = states.select(
        pl.col(RECORD_INDEX).cast(pl.Int64).alias("record_index"),
        pl.col(RECORD_KEY).str.slice(0, 255).alias("record_key"),
        pl.col("state"),
    )
    if dedupe_keys is not None:
        keyed = keyed.with_columns(dedupe_keys.str.slice(0, 255).alias("dedupe_key"))
    where = {"file_id": file.id, "client_id": file.client_id, "doc_type": file.doc_type}
    done = pl.col("state") == RecordState.COMPLETED.value
    # Completed records (nearly all) share their state and time: only index and key vary.
    insert_ignore(
        session,
        "records",
        keyed.filter(done).drop("state"),
        {**where, "state": RecordState.COMPLETED.value, "completed_at": now},
        position="record_index",
    )
    insert_ignore(session, "records", keyed.filter(~done), where)

    flagged_states = states.filter(pl.col("state") != RecordState.COMPLETED.value)
    if flagged_states.height:
        # Filter first: a join would gather from (and so copy) every column of the batch.
        wanted = flagged_states.get_column(RECORD_INDEX).implode()
        flagged = batch.records.filter(pl.col(RECORD_INDEX).is_in(wanted)).join(
            flagged_states.select(RECORD_INDEX, "state"), on=RECORD_INDEX
        )
        reasons = batch.issues.group_by(RECORD_INDEX, maintain_order=True).agg(
            pl.struct("code", "field", "message").alias("reasons")
        )
        flagged = flagged.join(reasons, on=RECORD_INDEX, how="left").sort(RECORD_INDEX)
        due = business_due(now, ctx.client)  # SLA in business hours of the client's zone
        rejected = flagged.get_column("state") == RecordState.REJECTED.value
        items = pl.DataFrame(
            {
                "client_id": file.client_id,
                "doc_type": file.doc_type,
                "file_id": file.id,
                "record_index": flagged.get_column(RECORD_INDEX).cast(pl.Int64),
                "record_key": flagged.get_column(RECORD_KEY).str.slice(0, 255),
                "status": pl.Series(
                    [ReviewStatus.REJECTED if r else ReviewStatus.OPEN for r in rejected]
                ),
                "reasons": reasons_json(flagged.get_column("reasons")),
                "fields": handler.review_fields(flagged),
                "raw": flagged.get_column("raw") if "raw" in flagged.columns else None,
                "priority": 100,
                "sla_breach_notified": False,
                "sla_scheduled": True,
            }
        ).with_columns(
            utc_column(now, flagged.height, "created_at"),
            pl.when(pl.Series(rejected))
            .then(None)
            .otherwise(utc_column(due, flagged.height, "d"))
            .alias("due_at"),
            pl.when(pl.Series(rejected))
            .then(utc_column(now, flagged.height, "r"))
            .otherwise(None)
            .alias("resolved_at"),
            pl.when(pl.Series(rejected))
            .then(pl.lit("rejected by rule"))
            .otherwise(None)
            .alias("resolution"),
        )
        insert_ignore(session, "review_items", items)

    counts = states.group_by("state").len()
    by_state = dict(zip(counts.get_column("state"), counts.get_column("len"), strict=True))
    return RouteCounts(
        records=n,
        completed=int(by_state.get(RecordState.COMPLETED.value, 0)),
        in_review=int(by_state.get(RecordState.IN_REVIEW.value, 0)),
        rejected=int(by_state.get(RecordState.REJECTED.value, 0)),
    )
