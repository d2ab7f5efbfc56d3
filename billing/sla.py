"""SLA attainment: the share of a period's transactions completed within the turnaround.

Turnaround is business time in the client's zone from the file's ``received_at`` to the
transaction's ``completed_at`` (``worktime``). Transactions of one file completed together share
both instants, so the computation runs once per ``(received_at, completed_at)`` group.

Worked example (24 business hours, 9-17 Mon-Fri): received Friday 16:00, completed Tuesday
10:00 -> 1 + 8 + 1 = 10 business hours: on time. 93 of 100 on time -> attainment 0.93, which
is below ``0.95`` -> the 5% credit step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from schemas.rate_card import AccuracyPolicy, SlaPolicy, credit_percent

ACCURACY_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class TurnaroundGroup:
    received_at: dt.datetime
    completed_at: dt.datetime
    transactions: int


@dataclass(frozen=True)
class SlaResult:
    """What a client needs to recompute the SLA credit."""

    turnaround_hours: Decimal
    transactions: int
    on_time: int
    attainment: Decimal
    credit_percent: Decimal


def sla_result(groups: list[TurnaroundGroup], policy: SlaPolicy, timezone: str) -> SlaResult:
    """Attainment of ``policy`` over ``groups`` and the credit it earns.

    A period without transactions attains 1 (nothing was late).
    """
    # Imported here: `worktime` is not yet in the installed package list (pyproject include).
    from worktime import business_seconds_between

    limit = int(policy.turnaround_hours * 3600)
    total = on_time = 0
    for g in groups:
        total += g.transactions
        seconds = business_seconds_between(
            g.received_at, g.completed_at, timezone, policy.business_hours, policy.holidays
        )
        if seconds <= limit:
            on_time += g.transactions
    attainment = Decimal(on_time) / Decimal(total) if total else Decimal(1)
    return SlaResult(
        turnaround_hours=policy.turnaround_hours,
        transactions=total,
        on_time=on_time,
        attainment=attainment,
        credit_percent=credit_percent(attainment, policy.credits),
    )


def accuracy_credit(accuracy: Decimal | None, policy: AccuracyPolicy | None) -> Decimal:
    """Credit percent for the QA ``accuracy`` figure (0 without a figure or a policy)."""
    if accuracy is None or policy is None:
        return Decimal(0)
    return credit_percent(accuracy, policy.credits)


def qa_accuracy(passed: int, failed: int) -> Decimal | None:
    """The QA accuracy figure: passed over decided samples, four places, rounded half-up;
    None before any sample was decided.

    >>> qa_accuracy(2, 1), qa_accuracy(0, 0)
    (Decimal('0.6667'), None)
    """
    decided = passed + failed
    if not decided:
        return None
    return (Decimal(passed) / decided).quantize(ACCURACY_PLACES, ROUND_HALF_UP)
