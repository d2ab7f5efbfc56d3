"""``bpo ingest --once`` as an operator runs it: a fresh process, a local landing folder,
Prefect's temporary local API (slow to start, so one test)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.integration.burst import Shared, ledger, payroll_bytes
from tests.integration.stack import BIN, clean_environ

pytestmark = pytest.mark.slow


def test_bpo_ingest_once_takes_a_dropped_file(tmp_path: Path) -> None:
    shared = Shared(tmp_path / "site", f"sqlite:///{tmp_path / 'bpo.sqlite3'}")
    engine = shared.prepare()
    shared.drop("jan.csv", payroll_bytes(seed=1))
    state = tmp_path / "state"
    # Prefect makes its home (<state>/prefect) with one mkdir: the state folder must exist.
    state.mkdir()
    env = clean_environ(
        BPO_DATABASE_URL=shared.database_url,
        BPO_CONFIG=str(shared.config),
        BPO_STATE_DIR=str(state),
        # A fresh temporary API needs ~17 s on 2 cores; the default wait is 20 s.
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
    )

    done = subprocess.run(
        [str(BIN / "bpo"), "ingest", "--once", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout[done.stdout.index("{") :])
    assert (summary["taken"], summary["errors"]) == (1, 0)
    assert summary["files"][0]["status"] == "processed"
    assert shared.waiting() == []
    books = ledger(engine)
    assert books.files == 1
    assert books.usage_entries == books.completed_records == 6
    engine.dispose()
