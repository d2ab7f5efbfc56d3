"""Rate cards in config: parsing, validation, the card in force, flat rates unchanged."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal

import pytest
from pydantic import ValidationError

from billing.pricing import card_at, rate_cards, unit_price
from schemas.config import BpoConfig
from tests.billing.ledger_factory import client

TOML = """
[clients.acme]
name = "Acme"
timezone = "Pacific/Tongatapu"
[clients.acme.rates]
payroll_payment = "0.45"
[clients.acme.billing.sla]
turnaround_hours = "24"
credits = [{below = "0.95", percent = "5"}, {below = "0.90", percent = "10"}]
[[clients.acme.billing.cards]]
version = "2026-04"
effective_from = 2026-04-01
monthly_minimum = "500.00"
seat_fee = "1200.00"
seats = 2
[clients.acme.billing.cards.units.invoice]
model = "volume"
tiers = [{up_to = 15, price = "10"}, {price = "5"}]
"""


def test_a_toml_rate_card_parses_and_applies_from_its_local_date() -> None:
    acme = BpoConfig.model_validate(tomllib.loads(TOML)).client("acme")
    before = dt.datetime(2026, 3, 31, 10, 59, tzinfo=dt.UTC)  # 23:59 on 31 March in Tonga
    assert card_at(acme, before).version == "rates"
    assert card_at(acme, before + dt.timedelta(minutes=1)).version == "2026-04"
    assert unit_price(acme, "invoice", before) is None
    assert unit_price(acme, "invoice", before + dt.timedelta(minutes=1)) == Decimal(10)
    assert unit_price(acme, "payroll_payment", before + dt.timedelta(days=9)) == Decimal("0.45")
    assert acme.billing.sla is not None
    assert acme.billing.sla.credits[1].percent == 10


def test_flat_rates_only_give_one_implicit_card() -> None:
    acme = client(rates={"invoice": "1.20"})
    (card,) = rate_cards(acme)
    assert (card.version, card.units["invoice"].price) == ("rates", Decimal("1.20"))


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ({"version": "a", "units": {"invoice": {"price": 0.1}}}, "not the float"),
        ({"version": "a", "units": {"invoice": {"price": "0.12345"}}}, "decimal places"),
        ({"version": "a", "units": {"widget": {"price": "1"}}}, "unknown billable units"),
        (
            {
                "version": "a",
                "units": {
                    "invoice": {
                        "model": "volume",
                        "tiers": [{"up_to": 5, "price": "1"}, {"up_to": 3, "price": "1"}],
                    }
                },
            },
            "unbounded",
        ),
        ({"version": "a", "units": {"invoice": {"model": "package"}}}, "package_size"),
    ],
)
def test_bad_cards_are_refused(card: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        client(cards=[card])
