"""Engines, sessions and schema migration; the same code on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


#: Page size of the SQLite databases we create (SQLite's default is 4096). Batches write
#: millions of narrow rows: 8 KiB pages take a quarter less time to insert them and to
#: checkpoint them. A database created with another size keeps it (the pragma is a no-op).
SQLITE_PAGE_SIZE = 8192


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")  # before WAL: fixed once in WAL mode
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _file_pragmas(dbapi_conn: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_conn, record)
    # Checkpoints run on the checkpoint thread after each transaction, not in the commit.
    dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")


class _Checkpointer:
    """Copies committed WAL pages back into SQLite database files, on a thread of its own.

    A bulk commit of a million rows leaves tens of megabytes in the write-ahead log, and
    SQLite's automatic checkpoint would copy them into the database inside the committing
    call, a quarter of a second the pipeline need not wait for. Our engines' connections turn
    that off and :func:`transaction` asks here after each commit instead. A checkpoint is
    ``PASSIVE``: it never waits for, or blocks, readers and writers; what a reader still needs
    is copied after a later commit, as SQLite's own checkpoint would do.
    """

    def __init__(self) -> None:
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def request(self, path: str) -> None:
        with self._lock:
            self._pending.add(path)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="sqlite-checkpoint", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                self._wake.clear()
                paths, self._pending = self._pending, set()
            for path in paths:
                checkpoint(path)


def checkpoint(path: str) -> None:
    """Copy what the WAL of the SQLite file ``path`` holds into it, as far as readers allow."""
    try:  # mode=rw: a database removed meanwhile is not created again
        conn = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=1)
    except sqlite3.Error:
        return
    try:
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error:
        pass  # busy or gone: the next transaction asks again
    finally:
        conn.close()


_CHECKPOINTS = _Checkpointer()
#: The database file of each engine whose checkpoints run on the checkpoint thread.
_WAL_FILES: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        if db and db != ":memory:" and not parsed.query:
            event.listen(engine, "connect", _file_pragmas)
            _WAL_FILES[engine] = str(Path(db).resolve())
        else:
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([^'\"\s]+)['\"]?\s*$", re.MULTILINE
)


@functools.cache
def schema_head() -> str:
    """The newest migration's revision, read from the migration files' ``revision`` and
    ``down_revision`` lines: the one no other migration names as its parent. Reading the
    lines instead of loading alembic keeps every command's start-up short; a test holds it
    equal to alembic's own head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database alembic never touched."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``, the newest by default (idempotent). A database
    already at the newest revision is left without loading alembic."""
    if revision == "head" and current_revision(engine) == schema_head():
        return
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session
    wal_file = _WAL_FILES.get(engine)
    if wal_file is not None:
        _CHECKPOINTS.request(wal_file)
