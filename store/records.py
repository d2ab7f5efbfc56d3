"""Records and their review items, written in bulk; the history lookups of dedupe keys.

Every write is keyed on a natural key (``(file_id, record_index)``), so a retried run that
writes the same frames changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.doc_type import RecordState
from store.bulk import insert_ignore
from store.models import File, Record, ReviewItem

_CHUNK = 500


def insert_states(
    session: Session,
    *,
    file: File,
    states: pl.DataFrame,
    completed_at: dt.datetime,
) -> None:
    """Write ``states`` (``record_index``, ``record_key``, ``state``, optional
    ``dedupe_key``) as the file's ``records`` rows; completed ones get ``completed_at``."""
    where = {"file_id": file.id, "client_id": file.client_id, "doc_type": file.doc_type}
    done = pl.col("state") == RecordState.COMPLETED.value
    if session.get_bind().dialect.name == "postgresql":
        # One binary COPY of every state, straight into the table on a file's first write.
        at = pl.when(done).then(pl.lit(completed_at, dtype=pl.Datetime("us", "UTC")))
        insert_ignore(
            session,
            "records",
            states.with_columns(at.alias("completed_at")),
            where,
            scope=("file_id",),
        )
        return
    # Completed records (nearly all) share their state and time: only index and key vary.
    insert_ignore(
        session,
        "records",
        states.filter(done).drop("state"),
        {**where, "state": RecordState.COMPLETED.value, "completed_at": completed_at},
        position="record_index",
    )
    insert_ignore(session, "records", states.filter(~done), where)


def insert_review_items(session: Session, items: pl.DataFrame) -> int:
    """Write review-item rows (one per flagged record at most); returns how many are new."""
    return insert_ignore(session, "review_items", items, scope=("file_id",))


def seen_dedupe_keys(session: Session, *, file: File, keys: list[str]) -> dict[str, str]:
    """Of ``keys``, those a record of another file of the client (not rejected) already has,
    with that file's name."""
    seen: dict[str, str] = {}
    for i in range(0, len(keys), _CHUNK):
        rows = session.execute(
            select(Record.dedupe_key, File.name)
            .join(File, File.id == Record.file_id)
            .where(
                Record.client_id == file.client_id,
                Record.doc_type == file.doc_type,
                Record.file_id != file.id,
                Record.state != RecordState.REJECTED.value,
                Record.dedupe_key.in_(keys[i : i + _CHUNK]),
            )
        ).all()
        seen.update({str(k): name for k, name in rows})
    return seen


def state_counts(session: Session, *, file_id: int) -> dict[str, int]:
    """How many of a file's records are in each state."""
    rows = session.execute(
        select(Record.state, func.count()).where(Record.file_id == file_id).group_by(Record.state)
    ).all()
    return {str(state): int(n) for state, n in rows}


def review_outcomes(
    session: Session, *, file_id: int
) -> list[tuple[str, str, list[dict[str, Any]], dt.datetime | None]]:
    """Per flagged record of a file, in file order: its key, its item's status, its reasons
    and when it is due."""
    rows = session.execute(
        select(ReviewItem.record_key, ReviewItem.status, ReviewItem.reasons, ReviewItem.due_at)
        .where(ReviewItem.file_id == file_id)
        .order_by(ReviewItem.record_index)
    ).all()
    return [(str(k), str(s), list(r or []), d) for k, s, r, d in rows]
