"""SQLite files: commits leave the WAL copy to the checkpoint thread, which does it."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

import store.db as db
from store.db import checkpoint, make_engine, transaction


def _fill(engine_url: str, rows: int) -> Engine:
    engine = make_engine(engine_url)
    with transaction(engine) as s:
        s.execute(text("CREATE TABLE t (v TEXT)"))
        s.execute(
            text("INSERT INTO t SELECT printf('%0100d', value) FROM json_each(:vals)"),
            {"vals": str(list(range(rows)))},
        )
    return engine  # kept open: closing the last connection would checkpoint by itself


def test_a_commit_asks_for_a_checkpoint_of_its_file_instead_of_running_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(db._CHECKPOINTS, "request", asked.append)
    path = tmp_path / "a.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    _fill(f"sqlite:///{path}", 5000)
    assert asked == [str(path.resolve())]  # once, after the transaction committed
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 500 * 1000  # the rows are still in the WAL only
    size_before = path.stat().st_size
    checkpoint(str(path))
    assert path.stat().st_size > size_before + 500 * 1000  # now copied into the database
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (5000,)


def test_a_failed_transaction_asks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(db._CHECKPOINTS, "request", asked.append)
    engine = make_engine(f"sqlite:///{tmp_path / 'b.sqlite3'}")

    def fail_inside() -> None:
        with transaction(engine) as s:
            s.execute(text("SELECT 1"))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        fail_inside()
    assert asked == []


def test_the_checkpoint_thread_copies_the_wal_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    engine = _fill(f"sqlite:///{path}", 5000)
    for _ in range(400):  # the thread runs on its own: wait (up to 20 s) for its copy
        if path.stat().st_size > 500 * 1000:
            break
        time.sleep(0.05)
    assert path.stat().st_size > 500 * 1000
    engine.dispose()


def test_a_removed_database_is_not_created_again(tmp_path: Path) -> None:
    gone = tmp_path / "gone.sqlite3"
    checkpoint(str(gone))
    assert not gone.exists()


def test_memory_databases_keep_sqlite_checkpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(db._CHECKPOINTS, "request", asked.append)
    engine = make_engine("sqlite://")
    with transaction(engine) as s:
        s.execute(text("SELECT 1"))
    assert asked == []


def test_a_new_database_gets_8_kib_pages_and_an_existing_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    engine = make_engine(f"sqlite:///{fresh}")
    with transaction(engine) as s:
        s.execute(text("CREATE TABLE t (v INTEGER)"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == db.SQLITE_PAGE_SIZE == 8192
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    older = tmp_path / "older.sqlite3"
    made = sqlite3.connect(older)  # as a release with SQLite's default page size made it
    made.execute("CREATE TABLE t (v INTEGER)")
    made.commit()
    made.close()
    engine = make_engine(f"sqlite:///{older}")
    with transaction(engine) as s:
        s.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA page_size").scalar() == 4096
        assert conn.exec_driver_sql("SELECT v FROM t").scalar() == 1
    engine.dispose()
