"""QA sampling is deterministic per record; outcomes give accuracy per client and doc type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.root import App
from review.qa import is_sampled, list_samples, qa_stats, record_outcome, sample_completed
from review.queue import ReviewRefusedError
from schemas.config import ClientConfig, ReviewOptions
from store.db import transaction
from tests.review_factory import process_payroll

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def test_sampling_is_a_pure_function_of_the_record() -> None:
    picks = [is_sampled("ab" * 32, i, Decimal("0.2")) for i in range(2000)]
    assert picks == [is_sampled("ab" * 32, i, Decimal("0.2")) for i in range(2000)]
    assert 300 < sum(picks) < 500
    assert not any(is_sampled("ab" * 32, i, Decimal(0)) for i in range(100))


def test_sample_rerun_and_accuracy(runtime: App) -> None:
    process_payroll(runtime, rows=200, every=5)
    acme = runtime.config.clients["acme"]
    clients = {
        "acme": ClientConfig.model_validate(
            {**acme.model_dump(), "review": ReviewOptions(qa_sample_rate=Decimal("0.25"))}
        )
    }
    with transaction(runtime.engine) as session:
        first = sample_completed(session, clients=clients, now=NOW)
    with transaction(runtime.engine) as session:
        assert sample_completed(session, clients=clients, now=NOW) == 0
        samples = list_samples(session, client_id="acme")
    assert 20 < first == len(samples) < 70
    with transaction(runtime.engine) as session:
        record_outcome(
            session, sample_id=samples[0]["id"], reviewer="qa", outcome="passed", now=NOW
        )
        record_outcome(
            session, sample_id=samples[1]["id"], reviewer="qa", outcome="passed", now=NOW
        )
        record_outcome(
            session,
            sample_id=samples[2]["id"],
            reviewer="qa",
            outcome="failed",
            now=NOW,
            note="wrong net pay",
        )
        with pytest.raises(ReviewRefusedError):
            record_outcome(
                session, sample_id=samples[0]["id"], reviewer="qa", outcome="failed", now=NOW
            )
    with transaction(runtime.engine) as session:
        (stats,) = qa_stats(session, client_id="acme")
    assert stats["passed"] == 2
    assert stats["failed"] == 1
    assert stats["accuracy"] == "0.6667"
    assert stats["pending"] == first - 3
