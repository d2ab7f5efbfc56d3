"""No unmasked personal data in Prefect's database (invariant 7, issue 15 finding 9): a
correction sent through the ``resolve-review-item`` form is masked in the run's stored
parameters, and a masked text (``*********0002``) is refused as a new value everywhere."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.flow_engine import run_flow
from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL
from sqlalchemy import select
from typer.testing import CliRunner

from app.root import App
from cli.main import app as bpo_app
from flows.reviews import resolve_review_item
from review.corrections import Correction
from review.decision import CorrectionRefusedError, ReviewAction, resolve_item
from store.db import transaction
from store.models import AuditEntry, ReviewItem
from tests.review_factory import add_person, process_payroll


def fresh_routing_number() -> str:
    """A valid ABA routing number that appears nowhere else in this session."""
    rng = random.Random()
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        weights = (3, 7, 1, 3, 7, 1, 3, 7)
        check = (10 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
        number = "".join(map(str, digits)) + str(check)
        if number[0] in "0123" and number != "091000019":
            return number


def prefect_rows_containing(text: str) -> list[str]:
    """Every row of every table of Prefect's database whose text holds ``text``."""
    url = PREFECT_API_DATABASE_CONNECTION_URL.value()
    assert url, "the test harness sets Prefect's database URL"
    assert url.startswith("sqlite"), url
    path = url.split(":///", 1)[1]
    found = []
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                if text in repr(row):
                    found.append(f"{table}: {row!r}"[:300])
    return found


def open_item(rt: App) -> ReviewItem:
    process_payroll(rt, rows=10, every=5)
    add_person(rt, "ann", role="reviewer", clients=("acme",))
    with transaction(rt.engine) as s:
        item = s.scalars(
            select(ReviewItem).where(ReviewItem.status == "open").order_by(ReviewItem.id)
        ).first()
    assert item is not None
    return item


def test_a_correction_sent_through_the_form_is_not_kept_in_clear(runtime: App) -> None:
    item = open_item(runtime)
    secret = fresh_routing_number()
    # As the UI's form does: the run is created with the parameters in clear, then started.
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(
            resolve_review_item,
            parameters={
                "item_id": item.id,
                "reviewer": "ann",
                "action": "correct",
                "corrections": [{"field": "routing_number", "value": secret}],
            },
        )
    result = run_flow(resolve_review_item, flow_run=flow_run, parameters=flow_run.parameters)
    assert result.status == "resolved"  # type: ignore[union-attr]
    time.sleep(2)  # events are written behind the run
    with get_client(sync_client=True) as client:
        stored = client.read_flow_run(flow_run.id).parameters
    assert stored["corrections"] == [{"field": "routing_number", "value": "*****" + secret[-4:]}]
    assert prefect_rows_containing(secret) == []
    with transaction(runtime.engine) as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.field == "routing_number")).all()
    assert [a.after for a in audit if a.after] != []  # the store keeps the decision's trail


def test_a_python_call_of_the_form_flow_stores_no_clear_value_either(runtime: App) -> None:
    from flows.reviews import FieldCorrection

    item = open_item(runtime)
    secret = fresh_routing_number()
    resolve_review_item(
        item_id=item.id,
        reviewer="ann",
        action=ReviewAction.CORRECT,
        corrections=[FieldCorrection(field="routing_number", value=secret)],  # type: ignore[arg-type]
    )
    time.sleep(2)
    assert prefect_rows_containing(secret) == []


MASKED = "*********0002"


def test_a_masked_value_is_refused_as_a_correction(runtime: App) -> None:
    item = open_item(runtime)
    with pytest.raises(CorrectionRefusedError, match="REVIEW-MASKED-VALUE"):
        resolve_item(
            runtime,
            item_id=item.id,
            reviewer="ann",
            action="correct",
            corrections=[Correction("account_number", MASKED)],
        )
    with transaction(runtime.engine) as s:
        fields = s.get(ReviewItem, item.id).fields  # type: ignore[union-attr]
    assert fields["account_number"] != MASKED


def test_the_cli_refuses_a_masked_value(runtime: App, workdir: Path) -> None:
    item = open_item(runtime)
    result = CliRunner().invoke(
        bpo_app,
        [
            "review",
            "resolve",
            str(item.id),
            "--reviewer",
            "ann",
            "--set",
            f"account_number={MASKED}",
            "--json",
        ],
    )
    assert result.exit_code != 0
    assert "REVIEW-MASKED-VALUE" in result.output
    with transaction(runtime.engine) as s:
        assert s.get(ReviewItem, item.id).status != "resolved"  # type: ignore[union-attr]
