"""Rate cards: what a client pays per billable unit, versioned by effective date.

A card prices each unit with one of four models (tiers count units of one period):

- ``per_unit``: ``price`` per unit.
- ``package``: ``package_price`` per started block of ``package_size`` units.
- ``graduated``: each unit at the price of the tier its position falls in.
- ``volume``: every unit at the price of the tier the period total falls in.

Worked example (volume, tiers ``up_to = 15 -> 10.00`` and above -> ``5.00``): 15 units bill
``15 x 10.00 = 150.00``; a 16th unit moves all of them to the second tier, ``16 x 5.00 = 80.00``,
so the bill posts ``-150.00`` (reversing the first line) and ``+80.00``. Graduated tiers would
instead give ``150.00 + 5.00``.

Money is written as decimal strings (``"0.45"``), never TOML floats, with at most 4 decimals.

```toml
[clients.acme.billing.sla]
turnaround_hours = "24"
credits = [{below = "0.95", percent = "5"}, {below = "0.90", percent = "10"}]

[[clients.acme.billing.cards]]
version = "2026-01"
effective_from = 2026-01-01          # client-local date the card starts
monthly_minimum = "500.00"
seat_fee = "1200.00"
seats = 2
[clients.acme.billing.cards.units.payroll_payment]
price = "0.45"
[clients.acme.billing.cards.units.invoice]
model = "volume"
tiers = [{up_to = 15, price = "10"}, {price = "5"}]
```
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from schemas.money import to_unit_price

BILLABLE_UNITS = (
    "payroll_payment",
    "invoice",
    "invoice_line",
    "claim",
    "claim_line",
    "manual_review",
)
MAX_PRICE_DECIMALS = 4


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError(f'money must be a decimal string like "0.45", not the float {value}')
    return value


def _four_places(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or -exponent > MAX_PRICE_DECIMALS:
        raise ValueError(f"{value} has more than {MAX_PRICE_DECIMALS} decimal places")
    return value


Price = Annotated[Decimal, BeforeValidator(_exact), Field(ge=0)]
Fraction = Annotated[Decimal, BeforeValidator(_exact), Field(ge=0, le=1)]
Percent = Annotated[Decimal, BeforeValidator(_exact), Field(ge=0, le=100)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tier(_Frozen):
    """Units up to and including ``up_to`` (None: no upper bound) cost ``price`` each."""

    up_to: Annotated[int, Field(ge=1)] | None = None
    price: Price


class UnitRate(_Frozen):
    """How one billable unit is priced on one card."""

    model: Literal["per_unit", "package", "graduated", "volume"] = "per_unit"
    price: Price | None = None
    package_size: Annotated[int, Field(ge=1)] | None = None
    package_price: Price | None = None
    tiers: tuple[Tier, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> UnitRate:
        if self.model == "per_unit" and self.price is None:
            raise ValueError("a per_unit rate needs `price`")
        if self.model == "package" and (self.package_size is None or self.package_price is None):
            raise ValueError("a package rate needs `package_size` and `package_price`")
        if self.model in ("graduated", "volume"):
            if not self.tiers:
                raise ValueError(f"a {self.model} rate needs `tiers`")
            bounds = [t.up_to for t in self.tiers]
            if bounds[-1] is not None or None in bounds[:-1]:
                raise ValueError("only the last tier is unbounded (omit its `up_to`)")
            closed = [b for b in bounds if b is not None]
            if closed != sorted(set(closed)):
                raise ValueError("tier `up_to` bounds must increase")
        for p in (self.price, self.package_price, *(t.price for t in self.tiers)):
            if p is not None:
                _four_places(p)
        return self

    def list_price(self) -> Decimal:
        """The price stored on a ledger entry at metering time (first tier; package share)."""
        if self.model == "per_unit":
            return self.price or Decimal(0)
        if self.model == "package":
            assert self.package_price is not None
            assert self.package_size is not None
            return to_unit_price(self.package_price / self.package_size)
        return self.tiers[0].price


class RateCard(_Frozen):
    """One version of a client's prices, in force from ``effective_from`` (client-local)."""

    version: str
    effective_from: dt.date = dt.date(1970, 1, 1)
    units: dict[str, UnitRate] = Field(default_factory=dict)
    monthly_minimum: Price = Decimal(0)
    seat_fee: Price = Decimal(0)
    seats: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _known_units(self) -> RateCard:
        unknown = set(self.units) - set(BILLABLE_UNITS)
        if unknown:
            raise ValueError(f"unknown billable units {sorted(unknown)}; use {BILLABLE_UNITS}")
        return self


class CreditStep(_Frozen):
    """``percent`` of the period's charges is credited when the figure is ``below``."""

    below: Fraction
    percent: Percent


class SlaPolicy(_Frozen):
    """Turnaround target: a transaction is on time within ``turnaround_hours`` business hours."""

    turnaround_hours: Annotated[Decimal, BeforeValidator(_exact), Field(gt=0)] = Decimal(24)
    target: Fraction = Decimal("0.95")
    business_hours: tuple[int, int] = (9, 17)
    holidays: tuple[dt.date, ...] = ()
    credits: tuple[CreditStep, ...] = ()


class AccuracyPolicy(_Frozen):
    """Review accuracy (from QA) against ``target``, with its own credit schedule."""

    target: Fraction = Decimal("0.98")
    credits: tuple[CreditStep, ...] = ()


class BillingConfig(_Frozen):
    """``[clients.X.billing]``: rate cards plus the SLA and accuracy credit schedules."""

    cards: tuple[RateCard, ...] = ()
    sla: SlaPolicy | None = None
    accuracy: AccuracyPolicy | None = None

    @model_validator(mode="after")
    def _distinct(self) -> BillingConfig:
        versions = [c.version for c in self.cards]
        starts = [c.effective_from for c in self.cards]
        if len(set(versions)) != len(versions) or len(set(starts)) != len(starts):
            raise ValueError("rate card versions and effective dates must be distinct")
        return self


def credit_percent(figure: Decimal, steps: tuple[CreditStep, ...]) -> Decimal:
    """The largest credit whose threshold ``figure`` falls below (0 when none applies).

    >>> steps = (CreditStep(below=Decimal("0.95"), percent=Decimal(5)),
    ...          CreditStep(below=Decimal("0.90"), percent=Decimal(10)))
    >>> credit_percent(Decimal("0.93"), steps), credit_percent(Decimal("0.8"), steps)
    (Decimal('5'), Decimal('10'))
    """
    return max((s.percent for s in steps if figure < s.below), default=Decimal(0))
