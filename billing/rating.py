"""Rating: a period's live usage entries -> invoice lines and a price for every entry.

Pure functions of the multiset of entries, so replaying usage in any order (or twice, which the
ledger's natural key turns into once) rates identically. Units are ordered by
``(completed_at, transaction_id, id)`` to give tier positions; each entry uses the card in force
on its client-local completion date. Amounts stay exact here; lines round once, half-up to
cents (``Line.amount``).

Worked example (graduated, ``up_to = 2 -> 1.00``, then ``0.50``): entries of quantity 1, 1, 3
take positions 1, 2 and 3-5 and are priced 1.00, 1.00 and 1.50; the lines are
``tier 1: 2 x 1.00 = 2.00`` and ``tier 2: 3 x 0.50 = 1.50``.

Entries that are *late* (their completion month was already closed) and reversals of entries
outside the period are adjustments: billed at the price stored when metered, outside the tiers.
A reversal of an entry inside the period cancels it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing.pricing import card_on
from schemas.money import to_cents
from schemas.rate_card import RateCard, Tier, UnitRate

ZERO = Decimal(0)


@dataclass(frozen=True)
class Usage:
    """One usage-ledger entry as rating sees it."""

    id: int
    entry_type: str
    reverses_id: int | None
    transaction_id: str
    unit: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    completed_at: dt.datetime
    late: bool = False


@dataclass(frozen=True)
class Line:
    """One invoice line; ``amount`` is ``amount_exact`` rounded half-up to cents."""

    kind: str
    card_version: str
    unit: str
    tier: str
    quantity: int
    billed_quantity: int
    unit_price: Decimal
    amount_exact: Decimal
    amount: Decimal

    @property
    def key(self) -> str:
        """Identity of the line across re-ratings (same key, same price)."""
        return f"{self.kind}|{self.card_version}|{self.unit}|{self.tier}|{self.unit_price}"


def make_line(
    kind: str,
    card_version: str,
    unit: str,
    tier: str,
    quantity: int,
    unit_price: Decimal,
    exact: Decimal,
    billed_quantity: int | None = None,
) -> Line:
    """A line whose amount is ``exact`` rounded half-up to cents (the one rounding point)."""
    return Line(
        kind,
        card_version,
        unit,
        tier,
        quantity,
        quantity if billed_quantity is None else billed_quantity,
        unit_price,
        exact,
        to_cents(exact),
    )


def _tier_index(tiers: tuple[Tier, ...], position: int) -> int:
    for i, t in enumerate(tiers):
        if t.up_to is None or position <= t.up_to:
            return i
    return len(tiers) - 1


def _graduated_split(tiers: tuple[Tier, ...], first: int, count: int) -> list[tuple[int, int]]:
    """``(tier index, units)`` for positions ``first .. first + count - 1``."""
    out, lower = [], 1
    last = first + count - 1
    for i, t in enumerate(tiers):
        upper = t.up_to if t.up_to is not None else last
        n = min(upper, last) - max(lower, first) + 1
        if n > 0:
            out.append((i, n))
        lower = upper + 1
    return out


@dataclass
class _Acc:
    quantity: int = 0
    billed: int = 0
    exact: Decimal = ZERO


def _tier_label(rate: UnitRate, index: int) -> str:
    t = rate.tiers[index]
    return f"{index + 1}:{'' if t.up_to is None else t.up_to}"


def rate_usage(
    entries: list[Usage], cards: tuple[RateCard, ...], timezone: str
) -> tuple[list[Line], dict[int, tuple[Decimal, Decimal]]]:
    """Invoice lines of one period and ``{entry id: (unit_price, amount)}`` for the detail.

    Args:
        entries: every ledger entry of the client and period (usage and reversals).
        cards: the client's rate cards, oldest first.
        timezone: the client's zone (cards start on local dates).

    Returns:
        Usage and adjustment lines (sorted by key) and the exact price of each entry; entry
        amounts of one line sum to that line's ``amount_exact``.
    """
    tz = ZoneInfo(timezone)
    ids = {e.id for e in entries}
    cancelled = {e.reverses_id for e in entries if e.reverses_id in ids} | {
        e.id for e in entries if e.reverses_id in ids
    }
    acc: dict[tuple[str, str, str, str, Decimal], _Acc] = defaultdict(_Acc)
    priced: dict[int, tuple[Decimal, Decimal]] = {}
    by_unit: dict[str, list[tuple[Usage, RateCard]]] = defaultdict(list)
    for e in entries:
        if e.id in cancelled:
            priced[e.id] = (e.unit_price, e.amount)
            continue
        card = card_on(cards, e.completed_at.astimezone(tz).date())
        if e.late or e.entry_type != "usage":
            a = acc[("adjustment", card.version, e.unit, "", e.unit_price)]
            a.quantity += e.quantity
            a.billed += e.quantity
            a.exact += e.amount
            priced[e.id] = (e.unit_price, e.amount)
        else:
            by_unit[e.unit].append((e, card))
    for unit, items in by_unit.items():
        items.sort(key=lambda it: (it[0].completed_at, it[0].transaction_id, it[0].id))
        total = sum(e.quantity for e, _ in items)
        position = 1
        package_pos: dict[str, int] = defaultdict(lambda: 1)
        for e, card in items:
            rate = card.units.get(unit) or UnitRate(price=e.unit_price)
            q = e.quantity
            if rate.model == "per_unit":
                price = rate.price or ZERO
                amount = price * q
                _add(acc, ("usage", card.version, unit, "", price), q, q, amount)
            elif rate.model == "volume":
                i = _tier_index(rate.tiers, total)
                price = rate.tiers[i].price
                amount = price * q
                _add(acc, ("usage", card.version, unit, _tier_label(rate, i), price), q, q, amount)
            elif rate.model == "graduated":
                amount = ZERO
                for i, n in _graduated_split(rate.tiers, position, q):
                    p = rate.tiers[i].price
                    amount += p * n
                    _add(acc, ("usage", card.version, unit, _tier_label(rate, i), p), n, n, p * n)
            else:
                assert rate.package_size is not None
                assert rate.package_price is not None
                start = package_pos[card.version]
                size = rate.package_size
                # packages started by positions start .. start + q - 1
                opened = (start + q - 2) // size - (start - 2) // size
                package_pos[card.version] = start + q
                amount = rate.package_price * opened
                key = ("usage", card.version, unit, f"package:{size}", rate.package_price)
                _add(acc, key, q, opened, amount)
            position += q
            priced[e.id] = (_shown_price(amount, q), amount)
    lines = [
        make_line(k[0], k[1], k[2], k[3], a.quantity, k[4], a.exact, a.billed)
        for k, a in acc.items()
    ]
    return sorted(lines, key=lambda ln: ln.key), priced


def _add(
    acc: dict[tuple[str, str, str, str, Decimal], _Acc],
    key: tuple[str, str, str, str, Decimal],
    quantity: int,
    billed: int,
    exact: Decimal,
) -> None:
    a = acc[key]
    a.quantity += quantity
    a.billed += billed
    a.exact += exact


def _shown_price(amount: Decimal, quantity: int) -> Decimal:
    """Per-unit price for the detail: exact when it divides, else 4 places (amount stays exact)."""
    if quantity == 0:
        return amount
    price = amount / quantity
    return price if price * quantity == amount else price.quantize(Decimal("0.0001"))
