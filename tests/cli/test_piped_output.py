"""Piped or redirected, the command line never cuts a table: scripts and ``grep`` see every
character of every cell, however wide."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, update

from app.root import App
from store.db import transaction
from store.models import ReviewItem
from tests.review_factory import process_payroll

LONG_CODE = "PAY-" + "VERY-LONG-REASON-CODE-" * 8 + "END"


def test_the_console_of_a_pipe_is_as_wide_as_its_content() -> None:
    code = (
        "from rich.table import Table\n"
        "from cli.output import console\n"
        "t = Table('file', 'reason')\n"
        f"t.add_row('payroll-' + 'x' * 150 + '.csv', {LONG_CODE!r})\n"
        "console.print(t)\n"
        f"console.print('line ' + 'y' * 300)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "80"},
    ).stdout
    assert "payroll-" + "x" * 150 + ".csv" in out
    assert LONG_CODE in out
    assert "line " + "y" * 300 in out
    assert "…" not in out


def test_review_list_piped_keeps_a_long_reason_code(runtime: App, workdir: Path) -> None:
    process_payroll(runtime, rows=10, every=5)
    with transaction(runtime.engine) as session:
        first = session.scalars(select(ReviewItem.id).order_by(ReviewItem.id)).first()
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == first)
            .values(reasons=[{"code": LONG_CODE, "field": "net_pay", "message": "m"}])
        )
    env = {
        **os.environ,
        "BPO_DATABASE_URL": runtime.settings.database_url,
        "BPO_CONFIG": str(workdir / "bpo.toml"),
        "BPO_STATE_DIR": str(workdir / ".bpo"),
        "COLUMNS": "80",
    }
    bpo = Path(sys.executable).with_name("bpo")
    out = subprocess.run(
        [str(bpo), "review", "list"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=workdir,
        env=env,
    ).stdout
    assert LONG_CODE in out
    assert "batch.csv" in out
    assert "…" not in out
