"""``bpo billing close`` and ``bpo billing export`` answer scripts in JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from app.root import App
from billing.periods import next_period, period_at
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
    assert "month 13 is out of range" in bad.output
    assert "must look like" not in bad.output


def _running_period() -> str:
    """A period no client's time zone has finished: next month, wherever one stands."""
    return next_period(period_at(dt.datetime.now(dt.UTC), "UTC"))


def test_close_refuses_a_period_not_over_unless_forced(runtime: App, workdir: Path) -> None:
    period = _running_period()
    runner = CliRunner()
    refused = runner.invoke(app, ["billing", "close", "--period", period])
    assert refused.exit_code == 1
    assert len(refused.output.strip().splitlines()) == 1
    assert f"period {period} has not ended yet" in refused.output
    assert "acme: ends" in refused.output
    assert "America/New_York" in refused.output
    assert "--force" in refused.output
    one = runner.invoke(app, ["billing", "close", "--period", period, "--client", "acme"])
    assert one.exit_code == 1
    assert "globex" not in one.output
    forced = runner.invoke(
        app, ["billing", "close", "--period", period, "--client", "acme", "--force", "--json"]
    )
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.stdout)["closes"][0]["status"] == "closed"


def test_export_of_a_period_without_usage_says_so(runtime: App, workdir: Path) -> None:
    runner = CliRunner()
    out = workdir / "empty.xlsx"
    args = ["billing", "export", "--client", "acme", "--period", "2025-11", "--format", "xlsx"]
    empty = runner.invoke(app, [*args, "--out", str(out)])
    assert empty.exit_code == 1
    assert "acme has no usage in 2025-11" in empty.output
    assert "--allow-empty" in empty.output
    assert not out.exists()
    allowed = runner.invoke(app, [*args, "--out", str(out), "--allow-empty", "--json"])
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout)["entries"] == 0
    assert out.stat().st_size > 0


def test_an_unknown_client_is_named(runtime: App, workdir: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["reconcile", "--client", "nobody"])
    assert res.exit_code == 1
    assert "unknown client 'nobody'" in res.output
    assert "balanced" not in res.output
    ok = runner.invoke(app, ["reconcile", "--client", "acme"])
    assert ok.exit_code == 0, ok.output
