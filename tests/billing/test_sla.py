"""SLA attainment in business time and the credit schedules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from billing.sla import TurnaroundGroup, accuracy_credit, sla_result
from schemas.rate_card import AccuracyPolicy, SlaPolicy

POLICY = SlaPolicy.model_validate(
    {
        "turnaround_hours": "8",
        "credits": [{"below": "0.95", "percent": "5"}, {"below": "0.90", "percent": "10"}],
    }
)
FRI_16 = dt.datetime(2026, 1, 9, 21, tzinfo=dt.UTC)  # Friday 16:00 in New York


@pytest.mark.parametrize(
    ("late", "attainment", "credit"),
    [
        (0, Decimal(1), Decimal(0)),
        (5, Decimal("0.95"), Decimal(0)),
        (7, Decimal("0.93"), Decimal(5)),
        (11, Decimal("0.89"), Decimal(10)),
    ],
)
def test_attainment_and_credit_steps(late: int, attainment: Decimal, credit: Decimal) -> None:
    # Friday 16:00 -> Monday 16:00 is 8 business hours (on time); -> Tuesday 10:00 is 10.
    on_time = TurnaroundGroup(FRI_16, FRI_16 + dt.timedelta(days=3), 100 - late)
    too_late = TurnaroundGroup(FRI_16, FRI_16 + dt.timedelta(days=3, hours=18), late)
    result = sla_result([on_time, too_late], POLICY, "America/New_York")
    assert (result.transactions, result.on_time) == (100, 100 - late)
    assert (result.attainment, result.credit_percent) == (attainment, credit)


def test_a_period_without_transactions_attains_fully() -> None:
    assert sla_result([], POLICY, "UTC").attainment == 1


def test_accuracy_credit_needs_a_figure_and_a_policy() -> None:
    policy = AccuracyPolicy.model_validate({"credits": [{"below": "0.98", "percent": "3"}]})
    assert accuracy_credit(Decimal("0.97"), policy) == 3
    assert accuracy_credit(Decimal("0.99"), policy) == 0
    assert accuracy_credit(None, policy) == 0
    assert accuracy_credit(Decimal("0.5"), None) == 0
