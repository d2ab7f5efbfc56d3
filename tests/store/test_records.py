"""Record states written in bulk: a file's first write, a re-run and hostile keys, on both
stores (PostgreSQL copies a file's first rows straight into the table)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import func, select

from app.root import App
from store import bulk
from store.bulk import MissingParentError, insert_ignore
from store.db import transaction
from store.files import register_file
from store.models import File, Record, ReviewItem
from store.records import insert_states, state_counts

AT = dt.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=dt.UTC)


def _file(runtime: App, sha: str = "b") -> File:
    with transaction(runtime.engine) as session:
        return register_file(
            session,
            client_id="acme",
            doc_type="payroll",
            name=f"{sha}.csv",
            source=f"{sha}.csv",
            sha256=sha * 64,
            size=1,
        ).file


def _states(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "record_index": range(n),
            "record_key": [f"E{i:05d}" for i in range(n)],
            "state": ["in_review" if i % 3 == 2 else "completed" for i in range(n)],
        }
    )


def _rows(runtime: App, file_id: int) -> list[tuple[int, str, str, dt.datetime | None]]:
    with transaction(runtime.engine) as session:
        rows = session.execute(
            select(Record.record_index, Record.record_key, Record.state, Record.completed_at)
            .where(Record.file_id == file_id)
            .order_by(Record.record_index)
        ).all()
    return [(int(i), str(k), str(s), at) for i, k, s, at in rows]


def test_states_of_a_file_written_again_change_nothing(runtime: App) -> None:
    file = _file(runtime)
    states = _states(300)
    with transaction(runtime.engine) as session:
        insert_states(session, file=file, states=states, completed_at=AT)
    first = _rows(runtime, file.id)
    assert [(i, k, s) for i, k, s, _ in first] == list(states.iter_rows())
    assert {at for *_, s, at in first if s == "completed"} == {AT}
    assert {at for *_, s, at in first if s != "completed"} == {None}
    # A re-run (crash after the commit, re-sent bytes resumed): same rows, nothing added.
    later = AT + dt.timedelta(hours=1)
    with transaction(runtime.engine) as session:
        insert_states(session, file=file, states=states, completed_at=later)
    assert _rows(runtime, file.id) == first
    with transaction(runtime.engine) as session:
        assert state_counts(session, file_id=file.id) == {"completed": 200, "in_review": 100}


def test_a_re_run_after_a_partial_write_adds_only_the_missing_rows(runtime: App) -> None:
    file = _file(runtime, "c")
    states = _states(90)
    with transaction(runtime.engine) as session:
        insert_states(session, file=file, states=states.head(40), completed_at=AT)
    with transaction(runtime.engine) as session:
        insert_states(session, file=file, states=states, completed_at=AT)
    assert [(i, k, s) for i, k, s, _ in _rows(runtime, file.id)] == list(states.iter_rows())


def test_a_first_write_counts_its_rows_and_a_second_counts_none(runtime: App) -> None:
    file = _file(runtime, "d")
    rows = pl.DataFrame({"record_index": range(50), "record_key": [f"k{i}" for i in range(50)]})
    where = {"file_id": file.id, "client_id": "acme", "doc_type": "payroll", "state": "completed"}
    with transaction(runtime.engine) as session:
        assert insert_ignore(session, "records", rows, where, scope=("file_id",)) == 50
    with transaction(runtime.engine) as session:
        assert insert_ignore(session, "records", rows, where, scope=("file_id",)) == 0


def test_a_nul_byte_in_a_key_does_not_stop_the_file(runtime: App) -> None:
    file = _file(runtime, "e")
    states = pl.DataFrame(
        {
            "record_index": [0, 1, 2],
            "record_key": ["E1\x00DROP", "plain", 'q"uo,te\n\\N'],
            "state": ["completed", "in_review", "completed"],
        }
    )
    with transaction(runtime.engine) as session:
        insert_states(session, file=file, states=states, completed_at=AT)
    # PostgreSQL cannot hold NUL and SQLite cut the key at it: both keep it visibly, whole.
    assert [k for _, k, _, _ in _rows(runtime, file.id)] == [
        "E1\ufffdDROP",
        "plain",
        'q"uo,te\n\\N',
    ]


def test_rows_written_in_slices_are_all_written_once(
    runtime: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "_WRITE_CHUNK", 7)
    file = _file(runtime, "f")
    states = _states(60).with_columns(pl.lit("in_review").alias("state"))
    with transaction(runtime.engine) as session:
        insert_states(session, file=file, states=states, completed_at=AT)
    where = {"file_id": file.id, "client_id": "acme", "doc_type": "payroll"}
    with transaction(runtime.engine) as session:
        assert bulk.insert_ignore(session, "records", states, where) == 0
    assert [(i, k, s) for i, k, s, _ in _rows(runtime, file.id)] == list(states.iter_rows())


def test_rows_naming_a_file_that_does_not_exist_are_refused(runtime: App) -> None:
    # No foreign key looks the file up per row: the write checks it once, and refuses it whole.
    file = _file(runtime, "g")
    where = {"file_id": file.id + 1, "client_id": "acme", "doc_type": "payroll"}
    missing = rf"records\.file_id: no files row .*{file.id + 1}"
    with pytest.raises(MissingParentError, match=missing), transaction(runtime.engine) as session:
        insert_ignore(session, "records", _states(5), where, scope=("file_id",))
    assert _rows(runtime, file.id + 1) == []


def test_review_items_of_several_files_need_every_file(runtime: App) -> None:
    file = _file(runtime, "h")
    items = pl.DataFrame(
        {
            "file_id": [file.id, file.id + 7],
            "record_index": [0, 1],
            "record_key": ["E0", "E1"],
            "client_id": ["acme", "acme"],
            "doc_type": ["payroll", "payroll"],
            "reasons": ["[]", "[]"],
            "fields": ["{}", "{}"],
            "priority": [100, 100],
            "status": ["open", "open"],
            "sla_breach_notified": [False, False],
            "sla_scheduled": [True, True],
            "created_at": [AT, AT],
        }
    )
    missing = rf"no files row with id \[{file.id + 7}\]"
    with pytest.raises(MissingParentError, match=missing), transaction(runtime.engine) as session:
        insert_ignore(session, "review_items", items)
    with transaction(runtime.engine) as session:
        assert insert_ignore(session, "review_items", items.head(1)) == 1
        assert session.scalar(select(func.count()).select_from(ReviewItem)) == 1


def test_usage_entries_need_their_meter_batch(runtime: App) -> None:
    file = _file(runtime, "i")
    entries = pl.DataFrame({"record_index": [0, 1, 2]})
    constants = {"batch_id": 41, "file_id": file.id, "unit": "payroll_payment"}
    missing = r"usage_ledger\.batch_id: no usage_batches"
    with pytest.raises(MissingParentError, match=missing), transaction(runtime.engine) as session:
        insert_ignore(session, "usage_ledger", entries, {**constants, "entry_type": "usage"})
