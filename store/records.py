"""Records and their review items, written in bulk; the history lookups of dedupe keys.

Every write is keyed on a natural key (``(file_id, record_index)``), so a retried run that
writes the same frames changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from schemas.doc_type import RecordState
from store.bulk import insert_ignore, read_frame
from store.models import File, Record, RecordKeySet, ReviewItem

_CHUNK = 500
_OUTCOME_SLICE = 10_000


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
    _insert_key_set(session, file.id, states)


def _insert_key_set(session: Session, file_id: int, states: pl.DataFrame) -> None:
    """The file's keys as one Parquet blob (kept when the file already has one: a re-run)."""
    buf = io.BytesIO()
    keys = states.select(pl.col("record_index").cast(pl.Int64), pl.col("record_key"))
    keys.write_parquet(buf, statistics=False)
    values = {"file_id": file_id, "records": states.height, "keys": buf.getvalue()}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(RecordKeySet).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(RecordKeySet).values(values).on_conflict_do_nothing())


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
) -> Iterator[tuple[str, str, list[dict[str, Any]], dt.datetime | None]]:
    """Per flagged record of a file, in file order: its key, its item's status, its reasons
    and when it is due.

    Streamed in slices of rows, to be read while the session is open: a file with a third
    of a million records in review never has every item's reasons in memory at once.
    """
    rows = session.execute(
        select(ReviewItem.record_key, ReviewItem.status, ReviewItem.reasons, ReviewItem.due_at)
        .where(ReviewItem.file_id == file_id)
        .order_by(ReviewItem.record_index)
        .execution_options(yield_per=_OUTCOME_SLICE)
    )
    for k, s, r, d in rows:
        yield str(k), str(s), list(r or []), d


#: ``record_keys``' answer: the business key of each record of some files.
KEY_SCHEMA: dict[str, pl.DataType] = {
    "file_id": pl.Int64(),
    "record_index": pl.Int64(),
    "record_key": pl.String(),
}


def record_keys(session: Session, *, file_ids: list[int]) -> pl.DataFrame:
    """``file_id``, ``record_index``, ``record_key`` of every record of ``file_ids``.

    For files of a million records: each file's keys come from its key set (one Parquet blob,
    ``RecordKeySet``); a file without one (registered before key sets existed) has them read
    from ``records``.
    """
    wanted = sorted({int(f) for f in file_ids})
    if not wanted:
        return pl.DataFrame(schema=KEY_SCHEMA)
    sets = session.execute(
        select(RecordKeySet.file_id, RecordKeySet.keys).where(RecordKeySet.file_id.in_(wanted))
    ).all()
    found: set[int] = set()
    frames = []
    for fid, blob in sets:
        found.add(fid)
        frames.append(
            pl.read_parquet(io.BytesIO(blob)).select(
                pl.lit(fid, pl.Int64).alias("file_id"), "record_index", "record_key"
            )
        )
    missing = [f for f in wanted if f not in found]
    if missing:
        frames.append(_keys_from_records(session, missing))
    return pl.concat([f.cast(KEY_SCHEMA) for f in frames])  # type: ignore[arg-type]


def _keys_from_records(session: Session, file_ids: list[int]) -> pl.DataFrame:
    """Keys read from ``records``: on SQLite each file's indexes and keys travel as two JSON
    arrays built in the same scan (so they stay aligned), decoded column-wise by Polars;
    PostgreSQL streams the rows with ``COPY``."""
    params = {f"f{i}": f for i, f in enumerate(file_ids)}
    where = f"file_id IN ({', '.join(':' + k for k in params)})"
    if session.connection().dialect.name != "sqlite":
        return read_frame(
            session,
            f"SELECT file_id, record_index, record_key FROM records WHERE {where}",
            params,
            KEY_SCHEMA,
        )
    arrays = read_frame(
        session,
        "SELECT file_id, json_group_array(record_index), json_group_array(record_key)"
        f" FROM records WHERE {where} GROUP BY file_id",
        params,
        {"file_id": pl.Int64(), "record_index": pl.String(), "record_key": pl.String()},
    )
    return (
        arrays.select(
            pl.col("file_id"),
            pl.col("record_index").str.json_decode(pl.List(pl.Int64())),
            pl.col("record_key").str.json_decode(pl.List(pl.String())),
        )
        .explode(["record_index", "record_key"])
        .cast(KEY_SCHEMA)  # type: ignore[arg-type]
    )
