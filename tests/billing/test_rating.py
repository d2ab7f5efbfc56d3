"""Rating is a pure function of the entries: tiers, versions, order, rounding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from billing.bill import build_invoice
from billing.pricing import flat_card, rate_cards
from billing.rating import Usage, rate_usage
from schemas.money import to_cents
from schemas.rate_card import RateCard, UnitRate
from tests.billing.ledger_factory import client, volume_card

T0 = dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)


def _usage(
    i: int, unit: str = "invoice", at: dt.datetime = T0, qty: int = 1, price: str = "0"
) -> Usage:
    p = Decimal(price)
    return Usage(
        i, "usage", None, f"invoices:abc:{i}", unit, qty, p, p * qty, at + dt.timedelta(seconds=i)
    )


def _card(model: str, **kw: object) -> tuple[RateCard, ...]:
    rate = UnitRate.model_validate({"model": model, **kw})
    return (RateCard(version="v", units={"invoice": rate}),)


def test_volume_late_unit_moves_every_unit_to_the_lower_tier() -> None:
    cards = rate_cards(client(cards=[volume_card()]))
    lines, _ = rate_usage([_usage(i) for i in range(15)], cards, "UTC")
    assert [(ln.quantity, ln.amount) for ln in lines] == [(15, Decimal("150.00"))]
    lines, priced = rate_usage([_usage(i) for i in range(16)], cards, "UTC")
    assert [(ln.quantity, ln.unit_price, ln.amount) for ln in lines] == [
        (16, Decimal(5), Decimal("80.00"))
    ]
    assert sum(a for _, a in priced.values()) == Decimal(80)


def test_graduated_splits_an_entry_across_tiers() -> None:
    tiers = [{"up_to": 2, "price": "1.00"}, {"price": "0.50"}]
    entries = [_usage(0), _usage(1), _usage(2, qty=3)]
    lines, priced = rate_usage(entries, _card("graduated", tiers=tiers), "UTC")
    assert [(ln.tier, ln.quantity, ln.amount) for ln in lines] == [
        ("1:2", 2, Decimal("2.00")),
        ("2:", 3, Decimal("1.50")),
    ]
    assert priced[2] == (Decimal("0.50"), Decimal("1.50"))


def test_package_bills_each_started_block() -> None:
    entries = [_usage(i) for i in range(7)]
    lines, priced = rate_usage(
        entries, _card("package", package_size=3, package_price="2.50"), "UTC"
    )
    assert [(ln.quantity, ln.billed_quantity, ln.amount) for ln in lines] == [
        (7, 3, Decimal("7.50"))
    ]
    assert sum(a for _, a in priced.values()) == Decimal("7.50")


def test_reversal_inside_the_period_cancels_and_outside_is_an_adjustment() -> None:
    cards = (flat_card(client(rates={"invoice": "1.20"})),)
    inside = Usage(
        10, "reversal", 0, "invoices:abc:0", "invoice", -1, Decimal("1.20"), Decimal("-1.20"), T0
    )
    outside = Usage(
        11, "reversal", 999, "invoices:abc:9", "invoice", -1, Decimal("1.20"), Decimal("-1.20"), T0
    )
    lines, _ = rate_usage(
        [_usage(0, price="1.20"), _usage(1, price="1.20"), inside, outside], cards, "UTC"
    )
    assert {(ln.kind, ln.quantity, ln.amount) for ln in lines} == {
        ("usage", 1, Decimal("1.20")),
        ("adjustment", -1, Decimal("-1.20")),
    }


prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(50), places=4)


@settings(max_examples=60, deadline=None)
@given(
    price=prices,
    counts=st.lists(st.integers(1, 4), min_size=1, max_size=40),
    minimum=st.decimals(min_value=0, max_value=200, places=2),
    credit=st.sampled_from([Decimal(0), Decimal(5), Decimal("2.5"), Decimal(10)]),
)
def test_invoice_total_is_the_sum_of_rounded_lines(
    price: Decimal, counts: list[int], minimum: Decimal, credit: Decimal
) -> None:
    lower = (price / 3).quantize(Decimal("0.0001"))
    tiers = [{"up_to": 10, "price": str(price)}, {"price": str(lower)}]
    card = RateCard(
        version="v",
        monthly_minimum=minimum,
        seats=2,
        seat_fee=Decimal("3.333"),
        units={"invoice": UnitRate.model_validate({"model": "graduated", "tiers": tiers})},
    )
    entries = [_usage(i, qty=q) for i, q in enumerate(counts)]
    lines, priced = rate_usage(entries, (card,), "UTC")
    inv = build_invoice(
        client_id="acme",
        period="2026-03",
        currency="USD",
        usage_lines=lines,
        card=card,
        sla_credit_percent=credit,
    )
    assert inv.total == sum(to_cents(ln.amount_exact) for ln in inv.lines)
    assert all(ln.amount == to_cents(ln.amount_exact) for ln in inv.lines)
    assert sum(a for _, a in priced.values()) == sum(ln.amount_exact for ln in lines)
    assert inv.total >= 0


@settings(max_examples=60, deadline=None)
@given(data=st.data(), model=st.sampled_from(["volume", "graduated", "package", "per_unit"]))
def test_any_order_and_any_replay_rates_the_same(data: st.DataObject, model: str) -> None:
    kw: dict[str, object] = {
        "volume": {"tiers": [{"up_to": 5, "price": "2"}, {"price": "1.5"}]},
        "graduated": {"tiers": [{"up_to": 5, "price": "2"}, {"price": "1.5"}]},
        "package": {"package_size": 4, "package_price": "3.10"},
        "per_unit": {"price": "0.45"},
    }[model]  # type: ignore[assignment]
    cards = _card(model, **kw)
    size = data.draw(st.integers(0, 25))
    entries = [_usage(i, qty=data.draw(st.integers(1, 3))) for i in range(size)]
    shuffled = data.draw(st.permutations(entries))
    replayed = list({e.id: e for e in [*shuffled, *shuffled]}.values())  # the ledger dedupes
    assert rate_usage(replayed, cards, "UTC") == rate_usage(entries, cards, "UTC")


@settings(max_examples=40, deadline=None)
@given(
    old=prices,
    new=prices,
    before=st.integers(0, 20),
    after=st.integers(0, 20),
)
def test_a_price_change_mid_period_prices_each_side(
    old: Decimal, new: Decimal, before: int, after: int
) -> None:
    cfg = client(
        timezone="Pacific/Apia",
        rates={"invoice": str(old)},
        cards=[
            {
                "version": "2026-03-15",
                "effective_from": "2026-03-15",
                "units": {"invoice": {"price": str(new)}},
            },
        ],
    )
    change = dt.datetime(2026, 3, 15, tzinfo=dt.UTC) - dt.timedelta(hours=13)  # Apia midnight
    entries = [_usage(i, at=change - dt.timedelta(days=3)) for i in range(before)]
    entries += [_usage(100 + i, at=change) for i in range(after)]
    lines, _ = rate_usage(entries, rate_cards(cfg), "Pacific/Apia")
    got = {ln.card_version: (ln.quantity, ln.amount) for ln in lines}
    want = {}
    if before:
        want["rates"] = (before, to_cents(old * before))
    if after:
        want["2026-03-15"] = (after, to_cents(new * after))
    assert got == want
