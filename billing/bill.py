"""The invoice of a client and period: usage lines, then minimum, seat fees and credits.

Order of the period-level lines, each rounded half-up to cents on its own:

1. ``minimum``: tops the usage (and adjustment) lines up to the card's ``monthly_minimum``;
2. ``seat_fee``: ``seats x seat_fee`` (hybrid pricing), outside the minimum;
3. ``sla_credit`` and ``accuracy_credit``: a percent of the charges (1 + 2 + usage), negative.

Worked example: usage 412.35, minimum 500.00, 2 seats at 1200.00, SLA attainment 0.93 with
``5% below 0.95``: lines 412.35, 87.65, 2400.00 and ``-(2900.00 x 5%) = -145.00``; total 2755.00.
The total is always the sum of the rounded lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from billing.rating import Line, make_line
from schemas.rate_card import RateCard

ZERO = Decimal(0)


@dataclass(frozen=True)
class Invoice:
    """Lines of one client and period and their total (the sum of the rounded lines)."""

    client_id: str
    period: str
    currency: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), start=Decimal("0.00"))


def build_invoice(
    *,
    client_id: str,
    period: str,
    currency: str,
    usage_lines: list[Line],
    card: RateCard,
    sla_credit_percent: Decimal = ZERO,
    accuracy_credit_percent: Decimal = ZERO,
) -> Invoice:
    """Add the period-level lines of ``card`` (in force on the period's last day) and credits.

    Args:
        client_id: the client.
        period: ``YYYY-MM``.
        currency: ISO code every line is in.
        usage_lines: usage and adjustment lines from ``billing.rating.rate_usage``.
        card: the card whose minimum and seat fee apply to the period.
        sla_credit_percent: credit for missed turnaround (``billing.sla``), 0 for none.
        accuracy_credit_percent: credit for review accuracy below target, 0 for none.
    """
    lines = list(usage_lines)
    usage = sum((ln.amount for ln in lines), start=ZERO)
    v = card.version
    if card.monthly_minimum > usage:
        top_up = card.monthly_minimum - usage
        lines.append(make_line("minimum", v, "", "", 1, card.monthly_minimum, top_up))
    if card.seats and card.seat_fee:
        lines.append(
            make_line("seat_fee", v, "", "", card.seats, card.seat_fee, card.seat_fee * card.seats)
        )
    charges = sum((ln.amount for ln in lines), start=ZERO)
    credits = (("sla_credit", sla_credit_percent), ("accuracy_credit", accuracy_credit_percent))
    for kind, pct in credits:
        if pct and charges > 0:
            credit = -(charges * pct / 100)
            lines.append(make_line(kind, v, "", f"-{pct}%", 1, charges, credit))
    return Invoice(client_id, period, currency, tuple(lines))
