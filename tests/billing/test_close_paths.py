"""``bpo billing close`` and the monthly close flow bill the same QA accuracy credit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.root import App, build_app, install_app
from app.settings import Settings
from cli.main import app as cli
from store.db import transaction
from store.qa_models import QaSample, QaStatus
from tests.billing.ledger_factory import add_file, meter_units

CONFIG = """\
[landing]
root = "file://./landing"
outbox = "file://./outbox"

[clients.acme]
name = "Acme Corp"
currency = "USD"
timezone = "America/New_York"
[clients.acme.rates]
invoice = "1.20"
[clients.acme.billing.accuracy]
target = "0.98"
credits = [{below = "0.95", percent = "5"}, {below = "0.80", percent = "10"}]
"""


@pytest.fixture(autouse=True)
def _prefect(prefect_harness: None) -> None:
    return None


def _billed_with_qa(workdir: Path, name: str) -> App:
    """Four invoices completed in February 2026 and four QA samples, one failed (75 %)."""
    (workdir / "bpo.toml").write_text(CONFIG, encoding="utf-8")
    app = build_app(
        Settings(
            database_url=f"sqlite:///{workdir / name}",
            config=workdir / "bpo.toml",
            state_dir=workdir / ".bpo",
        ),
        environ={},
    )
    file = add_file(app.engine)
    meter_units(
        app.engine, app.config.client("acme"), file, 4, dt.datetime(2026, 2, 3, 15, tzinfo=dt.UTC)
    )
    with transaction(app.engine) as session:
        for index, status in enumerate((QaStatus.FAILED, *[QaStatus.PASSED] * 3)):
            session.add(
                QaSample(
                    client_id="acme",
                    doc_type="invoices",
                    file_id=file.id,
                    record_index=index,
                    record_key=f"INV-{index}",
                    status=status,
                )
            )
    return app


@pytest.mark.flow
def test_cli_and_flow_close_the_same_period_with_the_same_credit(workdir: Path) -> None:
    from flows.billing_close import billing_close

    by_cli = _billed_with_qa(workdir, "cli.sqlite3")
    by_flow = _billed_with_qa(workdir, "flow.sqlite3")
    try:
        install_app(by_cli)
        answer = CliRunner().invoke(
            cli, ["billing", "close", "--period", "2026-02", "--client", "acme", "--json"]
        )
        assert answer.exit_code == 0, answer.output
        cli_total = json.loads(answer.stdout)["closes"][0]["total"]
        install_app(by_flow)
        flow_total = billing_close(period="2026-02", clients=["acme"], formats=["csv"])[0]["total"]
    finally:
        install_app(None)
        by_cli.engine.dispose()
        by_flow.engine.dispose()
    # 4 x 1.20 = 4.80, less the 10 % credit for 75 % accuracy.
    assert cli_total == flow_total == "4.32"
