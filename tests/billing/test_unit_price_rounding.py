"""Per-unit prices (a package's share, a detail line's shown price) round half-up, as money does.

The property: the rounded price is within half a unit of the 4th place of the exact share, and
an exact half rounds up (banker's rounding would give ``0.0012`` for ``0.01 / 8``).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from billing.rating import _shown_price
from schemas.rate_card import UnitRate

HALF = Decimal("0.00005")

prices = st.integers(min_value=1, max_value=10**8).map(lambda c: Decimal(c).scaleb(-2))
counts = st.integers(min_value=1, max_value=10_000)


def _rounded_half_up(exact: Decimal, shown: Decimal) -> bool:
    return -HALF <= exact - shown < HALF and shown.as_tuple().exponent == -4


@given(price=prices, size=counts)
def test_a_package_share_rounds_half_up(price: Decimal, size: int) -> None:
    rate = UnitRate(model="package", package_price=price, package_size=size)
    assert _rounded_half_up(price / size, rate.list_price())


@given(amount=prices, quantity=counts)
def test_the_shown_unit_price_is_exact_or_rounded_half_up(amount: Decimal, quantity: int) -> None:
    shown = _shown_price(amount, quantity)
    exact = amount / quantity
    assert shown == exact if shown * quantity == amount else _rounded_half_up(exact, shown)


def test_an_exact_half_rounds_up() -> None:
    rate = UnitRate(model="package", package_price=Decimal("0.01"), package_size=8)
    assert rate.list_price() == Decimal("0.0013")
    assert UnitRate(
        model="package", package_price=Decimal("0.03"), package_size=8
    ).list_price() == (Decimal("0.0038"))
    assert _shown_price(Decimal("0.01"), 8) == Decimal("0.00125")  # exact: shown as it is
