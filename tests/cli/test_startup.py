"""The command line answers at once: ``bpo --help`` imports none of the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("prefect", "polars", "sqlalchemy", "pdfplumber", "fastapi", "alembic", "pyx12")


def loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has loaded after running ``code``."""
    code = (
        f"import sys, json\n{code}\n"
        f"print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_library() -> None:
    code = (
        "from cli.main import app\n"
        "from typer.testing import CliRunner\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output"
    )
    assert loaded_after(code, HEAVY) == []


#: Clients of remote landing zones: loaded with the first SFTP or S3 zone, not before.
REMOTE = ("asyncssh", "aiohttp", "botocore", "s3fs", "sshfs")


def test_the_app_and_the_ingest_flow_load_no_remote_client_before_a_remote_zone() -> None:
    code = "import app.root, flows.ingest, review.sla, review.views"
    assert loaded_after(code, REMOTE) == []


def test_listing_the_review_queue_loads_no_polars_prefect_or_alembic(tmp_path) -> None:
    """``bpo review list`` on a migrated store reads the queue with SQLAlchemy alone: the
    document types, QA sampling and the migration tool stay unloaded."""
    env = f"import os; os.chdir({str(tmp_path)!r})\n"
    first = (
        env + "from cli.main import app\n"
        "from typer.testing import CliRunner\n"
        "result = CliRunner().invoke(app, ['review', 'list', '--json'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert json.loads(result.stdout) == []"
    )
    assert "alembic" in loaded_after(first, HEAVY)  # a new store is migrated
    assert loaded_after(first, HEAVY) == ["sqlalchemy"]  # a store at the head is not
