"""Which rate card is in force, and what one billable unit costs at a moment.

A client with only the flat ``[clients.X.rates]`` table gets one implicit card, version
``"rates"``, in force since 1970 with every rate ``per_unit``. When ``[[clients.X.billing.cards]]``
exist, they win from their ``effective_from`` (client-local date); before the first card the
flat rates still apply, and a unit a card leaves out keeps its flat rate.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from billing.periods import period_at
from schemas.config import ClientConfig
from schemas.doc_type import BillableUnit, DocType
from schemas.rate_card import RateCard, UnitRate

#: The unit every completed transaction of a doc type produces; it is metered even unpriced.
PRIMARY_UNIT = {
    DocType.PAYROLL: BillableUnit.PAYROLL_PAYMENT,
    DocType.INVOICES: BillableUnit.INVOICE,
    DocType.CLAIMS: BillableUnit.CLAIM,
}
FLAT_VERSION = "rates"


def flat_card(client: ClientConfig) -> RateCard:
    """The implicit card made of the client's flat ``rates`` table."""
    return RateCard(
        version=FLAT_VERSION,
        units={u: UnitRate(price=p) for u, p in client.rates.items()},
    )


def rate_cards(client: ClientConfig) -> tuple[RateCard, ...]:
    """Every card of ``client``, oldest first (the flat card first when it has rates)."""
    flat = flat_card(client)
    cards = [
        c.model_copy(update={"units": {**flat.units, **c.units}})
        for c in sorted(client.billing.cards, key=lambda c: c.effective_from)
    ]
    if client.rates or not cards:
        return (flat, *cards)
    return tuple(cards)


def card_on(cards: tuple[RateCard, ...], day: dt.date) -> RateCard:
    """The newest card whose ``effective_from`` is on or before ``day`` (the oldest otherwise)."""
    current = cards[0]
    for card in cards:
        if card.effective_from <= day:
            current = card
    return current


def card_at(client: ClientConfig, at: dt.datetime) -> RateCard:
    """The card in force at the instant ``at`` (its client-local date)."""
    return card_on(rate_cards(client), at.astimezone(ZoneInfo(client.timezone)).date())


def unit_rate(client: ClientConfig, unit: str, at: dt.datetime) -> UnitRate | None:
    """How ``unit`` is priced at ``at``; None when the card in force does not price it."""
    return card_at(client, at).units.get(unit)


def unit_price(client: ClientConfig, unit: str, at: dt.datetime) -> Decimal | None:
    """The list price of ``unit`` at ``at`` (first tier for tiered units); None when unpriced."""
    rate = unit_rate(client, unit, at)
    return None if rate is None else rate.list_price()


def period_of(client: ClientConfig, at: dt.datetime) -> str:
    """``YYYY-MM`` of ``at`` in the client's time zone (periods are client-local months)."""
    return period_at(at, client.timezone)
