"""``bpo billing close`` and ``bpo billing export`` answer scripts in JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from app.root import App
from cli.main import app
from tests.billing.ledger_factory import add_file, meter_units


def test_close_then_export_every_kind(runtime: App, workdir: Path) -> None:
    cfg = runtime.config.client("acme")
    meter_units(
        runtime.engine, cfg, add_file(runtime.engine), 3, dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC)
    )
    runner = CliRunner()
    closed = runner.invoke(app, ["billing", "close", "--period", "2026-01", "--json"])
    assert closed.exit_code == 0, closed.output
    closes = {c["client_id"]: c for c in json.loads(closed.stdout)["closes"]}
    assert (closes["acme"]["status"], closes["acme"]["total"]) == ("closed", "3.60")
    assert closes["globex"]["total"] == "0.00"
    for kind, fmt in [("detail", "csv"), ("summary", "xlsx"), ("evidence", "csv")]:
        out = workdir / f"x-{kind}"
        res = runner.invoke(
            app,
            [
                "billing",
                "export",
                "--client",
                "acme",
                "--period",
                "2026-01",
                "--kind",
                kind,
                "--format",
                fmt,
                "--out",
                str(out),
                "--json",
            ],
        )
        assert res.exit_code == 0, res.output
        answer = json.loads(res.stdout)
        assert (answer["closed"], answer["total"]) == (True, "3.60")
        assert out.stat().st_size > 0
    bad = runner.invoke(app, ["billing", "close", "--period", "2026-13"])
    assert bad.exit_code == 2
