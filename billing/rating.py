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

import polars as pl

from billing.pricing import card_on
from schemas.money import to_cents, to_unit_price
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


#: Columns :func:`rate_frame` reads (one row per ledger entry).
USAGE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "entry_type": pl.String(),
    "reverses_id": pl.Int64(),
    "transaction_id": pl.String(),
    "unit": pl.String(),
    "quantity": pl.Int64(),
    "unit_price": pl.Decimal(18, 4),
    "amount": pl.Decimal(18, 4),
    "completed_at": pl.Datetime("us", "UTC"),
    "late": pl.Boolean(),
}
#: ``id``, and the price and amount rating gave each entry.
PRICED_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "rated_price": pl.Decimal(18, 4),
    "rated_amount": pl.Decimal(18, 4),
}
_EXACT = pl.Decimal(38, 10)
_CENT4 = Decimal("0.0001")
_Key = tuple[str, str, str, str, Decimal]


def rate_usage(
    entries: list[Usage], cards: tuple[RateCard, ...], timezone: str
) -> tuple[list[Line], dict[int, tuple[Decimal, Decimal]]]:
    """:func:`rate_frame` for a list of entries: lines and ``{entry id: (price, amount)}``."""
    frame = pl.DataFrame(
        [
            (
                e.id,
                e.entry_type,
                e.reverses_id,
                e.transaction_id,
                e.unit,
                e.quantity,
                e.unit_price,
                e.amount,
                e.completed_at,
                e.late,
            )
            for e in entries
        ],
        schema=USAGE_SCHEMA,
        orient="row",
    )
    lines, priced = rate_frame(frame, cards, timezone)
    return lines, {i: (p, a) for i, p, a in priced.iter_rows()}


def rate_frame(
    entries: pl.DataFrame, cards: tuple[RateCard, ...], timezone: str
) -> tuple[list[Line], pl.DataFrame]:
    """Invoice lines of one period and the price of each entry (``PRICED_SCHEMA``).

    Args:
        entries: every ledger entry of the client and period (usage and reversals), with the
            columns of ``USAGE_SCHEMA``.
        cards: the client's rate cards, oldest first.
        timezone: the client's zone (cards start on local dates).

    Returns:
        Usage and adjustment lines (sorted by key) and the exact price of each entry; entry
        amounts of one line sum to that line's ``amount_exact``.

    Per-unit and volume prices do not depend on an entry's position, so those units are rated
    column-wise whatever their size; graduated and package units walk their entries in order.
    """
    if entries.height == 0:
        return [], pl.DataFrame(schema=PRICED_SCHEMA)
    if entries.get_column("reverses_id").null_count() == entries.height:
        cancelled = pl.lit(False).alias("cancelled")  # no reversal: no set of a million ids
    else:
        ids = entries.get_column("id").implode()
        undone = (
            entries.filter(pl.col("reverses_id").is_in(ids)).get_column("reverses_id").implode()
        )
        cancelled = (
            pl.col("reverses_id").is_in(ids).fill_null(False) | pl.col("id").is_in(undone)
        ).alias("cancelled")
    frame = entries.with_columns(cancelled, _versions(entries, cards, timezone))
    as_stored = pl.col("cancelled") | pl.col("late") | (pl.col("entry_type") != "usage")
    acc: dict[_Key, _Acc] = defaultdict(_Acc)
    priced = [
        frame.filter(as_stored).select(
            "id", pl.col("unit_price").alias("rated_price"), pl.col("amount").alias("rated_amount")
        )
    ]
    adjustments = frame.filter(as_stored & ~pl.col("cancelled"))
    for (version, unit, price), group in adjustments.group_by(
        ["version", "unit", "unit_price"], maintain_order=True
    ):
        _add(
            acc,
            ("adjustment", str(version), str(unit), "", _decimal(price)),
            int(group.get_column("quantity").sum()),
            int(group.get_column("quantity").sum()),
            _decimal(group.get_column("amount").sum()),
        )
    by_version = {c.version: c for c in cards}
    regular = frame.filter(~as_stored)
    for (unit,), group in regular.group_by(["unit"], maintain_order=True):
        rates = {
            v: by_version[v].units.get(str(unit)) for v in group.get_column("version").unique()
        }
        if all(r is None or r.model in ("per_unit", "volume") for r in rates.values()):
            priced.append(_rate_flat(group, str(unit), rates, acc))
        else:
            priced.append(_rate_in_order(group, str(unit), by_version, acc))
    lines = [
        make_line(k[0], k[1], k[2], k[3], a.quantity, k[4], a.exact, a.billed)
        for k, a in acc.items()
    ]
    return sorted(lines, key=lambda ln: ln.key), pl.concat(
        [p.cast(PRICED_SCHEMA) for p in priced]  # type: ignore[arg-type]
    )


def _decimal(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def _versions(entries: pl.DataFrame, cards: tuple[RateCard, ...], timezone: str) -> pl.Series:
    """The version of the card in force on each entry's client-local completion date."""
    days = entries.select(
        pl.col("completed_at").dt.convert_time_zone(timezone).dt.date().alias("day")
    ).get_column("day")
    distinct = days.unique().to_list()
    version = {d: card_on(cards, d).version for d in distinct}
    return days.replace_strict(version, return_dtype=pl.String).alias("version")


def _rate_flat(
    group: pl.DataFrame, unit: str, rates: dict[str, UnitRate | None], acc: dict[_Key, _Acc]
) -> pl.DataFrame:
    """Per-unit and volume units: one price per card (volume: the tier of the unit's total)."""
    total = int(group.get_column("quantity").sum())
    price: dict[str, Decimal | None] = {}
    tier: dict[str, str] = {}
    for version, rate in rates.items():
        if rate is None:
            price[version], tier[version] = None, ""  # unpriced: the price stored when metered
        elif rate.model == "volume":
            i = _tier_index(rate.tiers, total)
            price[version], tier[version] = rate.tiers[i].price, _tier_label(rate, i)
        else:
            price[version], tier[version] = rate.price or ZERO, ""
    known = {v: p for v, p in price.items() if p is not None}
    rated = group.with_columns(
        pl.coalesce(
            pl.col("version").replace_strict(
                list(known), list(known.values()), default=None, return_dtype=_EXACT
            ),
            pl.col("unit_price").cast(_EXACT),
        ).alias("rated_price"),
        pl.col("version").replace_strict(tier, return_dtype=pl.String).alias("tier"),
    ).with_columns((pl.col("rated_price") * pl.col("quantity")).alias("rated_amount"))
    sums = rated.group_by(["version", "tier", "rated_price"], maintain_order=True).agg(
        pl.col("quantity").sum()
    )
    for version, tier_label, p, quantity in sums.iter_rows():
        unit_price = known[version] if version in known else _decimal(p).quantize(_CENT4)
        _add(
            acc,
            ("usage", version, unit, tier_label, unit_price),
            quantity,
            quantity,
            unit_price * quantity,
        )
    return rated.select("id", "rated_price", "rated_amount")


def _rate_in_order(
    group: pl.DataFrame, unit: str, cards: dict[str, RateCard], acc: dict[_Key, _Acc]
) -> pl.DataFrame:
    """Graduated and package units: positions matter, so entries are walked in order."""
    ordered = group.sort(["completed_at", "transaction_id", "id"])
    total = int(ordered.get_column("quantity").sum())
    position = 1
    package_pos: dict[str, int] = defaultdict(lambda: 1)
    out: list[tuple[int, Decimal, Decimal]] = []
    for entry_id, q, stored, version in ordered.select(
        "id", "quantity", "unit_price", "version"
    ).iter_rows():
        card = cards[version]
        rate = card.units.get(unit) or UnitRate(price=_decimal(stored))
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
        out.append((entry_id, _shown_price(amount, q), amount))
    return pl.DataFrame(out, schema=PRICED_SCHEMA, orient="row")


def _add(
    acc: dict[_Key, _Acc],
    key: _Key,
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
    return price if price * quantity == amount else to_unit_price(price)
