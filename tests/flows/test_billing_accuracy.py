"""The monthly close takes review accuracy from QA outcomes when none is given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.root import App
from billing.close import measured_accuracy
from flows.process import process_payroll
from review.qa import record_outcome, sample_completed
from samples.payroll import payroll_frame
from schemas.config import ClientConfig
from store.db import transaction
from store.qa_models import QaSample


def qa_accuracy(runtime: App, client_id: str) -> Decimal | None:
    with transaction(runtime.engine) as session:
        return measured_accuracy(session, client_id)


def test_qa_outcomes_give_the_close_its_accuracy(runtime: App, workdir: Path) -> None:
    path = workdir / "p.csv"
    payroll_frame(200).write_csv(path)
    process_payroll(path=str(path), client_id="acme", name="p.csv")
    assert qa_accuracy(runtime, "acme") is None  # nothing sampled yet
    client = runtime.config.client("acme")
    sampled = client.model_copy(
        update={"review": client.review.model_copy(update={"qa_sample_rate": Decimal("0.1")})}
    )
    clients: dict[str, ClientConfig] = {"acme": sampled}
    now = dt.datetime.now(dt.UTC)
    with transaction(runtime.engine) as s:
        assert sample_completed(s, clients=clients, now=now) > 0
        ids = list(s.scalars(select(QaSample.id).order_by(QaSample.id)))
    with transaction(runtime.engine) as s:
        for n, sid in enumerate(ids[:4]):
            record_outcome(
                s, sample_id=sid, reviewer="qa", outcome="failed" if n == 0 else "passed", now=now
            )
    assert qa_accuracy(runtime, "acme") == Decimal("0.7500")
