"""The monthly ``billing_close`` flow closes, exports and leaves a summary (Prefect harness)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.root import App
from tests.billing.ledger_factory import add_file, meter_units


@pytest.fixture(autouse=True)
def _prefect(prefect_harness: None) -> None:
    return None


@pytest.mark.flow
def test_billing_close_flow_closes_and_exports(runtime: App, workdir: Path) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("the flow is database-agnostic; the close itself is tested on both")
    from flows.billing_close import billing_close

    cfg = runtime.config.client("acme")
    meter_units(
        runtime.engine, cfg, add_file(runtime.engine), 4, dt.datetime(2026, 2, 3, 15, tzinfo=dt.UTC)
    )
    rows = billing_close(period="2026-02", clients=["acme"], formats=["csv"])
    again = billing_close(period="2026-02", clients=["acme"], formats=["csv"])
    assert [(r["status"], r["total"]) for r in rows] == [("closed", "4.80")]
    assert [(r["status"], r["total"]) for r in again] == [("already_closed", "4.80")]
    folder = workdir / "outbox" / "acme" / "billing" / "2026-02"
    written = sorted(p.name for p in folder.iterdir())
    assert written == [
        "detail-acme-2026-02.csv",
        "evidence-acme-2026-02.zip",
        "summary-acme-2026-02.csv",
    ]
