"""Shared fixtures: an isolated database (SQLite always, PostgreSQL when asked) and runtime."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Prefect reads its settings at import: point it at a private home before any test imports it.
_PREFECT_HOME = (
    Path(os.environ.get("BPO_TEST_PREFECT_HOME", ""))
    if os.environ.get("BPO_TEST_PREFECT_HOME")
    else None
)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("PREFECT_API_URL", None)

from app.root import App, install_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from schemas.config import load_config  # noqa: E402
from store.db import make_engine, migrate, transaction  # noqa: E402
from store.files import sync_clients  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"

TEST_CONFIG = """\
[landing]
root = "file://./landing"
outbox = "file://./outbox"
archive = "file://./archive"
quarantine = "file://./quarantine"

[clients.acme]
name = "Acme Corp"
currency = "USD"
timezone = "America/New_York"
[clients.acme.rates]
payroll_payment = "0.45"
invoice = "1.20"
invoice_line = "0.05"
claim = "0.80"

[clients.globex]
name = "Globex"
currency = "EUR"
[clients.globex.rates]
payroll_payment = "0.40"
[clients.globex.payroll.columns]
"Emp #" = "employee_id"
"""


def _postgres_url() -> str | None:
    return os.environ.get("BPO_TEST_DATABASE_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated-on-demand database URL; PostgreSQL runs only when configured."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bpo.sqlite3'}"
        return
    base = _postgres_url()
    if not base:
        pytest.skip("BPO_TEST_DATABASE_URL not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bpo.toml").write_text(TEST_CONFIG, encoding="utf-8")
    return tmp_path


@pytest.fixture
def runtime(workdir: Path, db_url: str) -> Iterator[App]:
    """The process runtime on an isolated database and folder, installed for flows and CLI."""
    settings = Settings(
        database_url=db_url, config=workdir / "bpo.toml", state_dir=workdir / ".bpo"
    )
    config = load_config(workdir / "bpo.toml")
    engine = make_engine(db_url)
    migrate(engine)
    with transaction(engine) as session:
        sync_clients(session, config)
    rt = App(settings=settings, config=config, engine=engine, environ={})
    install_app(rt)
    try:
        yield rt
    finally:
        install_app(None)
        if rt.__dict__.get("reader_pool") is not None:  # started by a flow of the test
            rt.reader_pool.close()
        engine.dispose()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for the whole session (it takes ~13 s to start)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (
        prefect_test_harness(server_startup_timeout=120),
        temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture(autouse=True)
def _cheap_token_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the production cost takes about half a second a hash here; tests that
    add and sign in many people use the same algorithm at its lowest cost."""
    from argon2 import PasswordHasher

    import access.tokens

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(access.tokens, "_hasher", lambda: cheap)
