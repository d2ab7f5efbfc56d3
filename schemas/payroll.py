"""The payroll entry: the one truth about a payroll record.

The Polars dtypes (``PAYROLL_SCHEMA``), the required columns and the allowed account and pay
types all derive from :class:`PayrollEntry`; ``tests/schemas/test_payroll.py`` proves they
agree.

Salaried staff are paid what the batch says: their ``hourly_rate`` is empty and both hours may
be empty too, so no hours column is required. An hourly row (a rate is given, or ``pay_type``
or the client's employee master says hourly) needs its regular hours and its rate, and its
gross is hours x rate; that rule lives with the other rules between fields in
``tasks.payroll.rules``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from schemas.frames import literal_values, polars_schema, required_fields

Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]
Hours = Annotated[Decimal, Field(max_digits=9, decimal_places=2, ge=0)]
Rate = Annotated[Decimal, Field(max_digits=12, decimal_places=4, ge=0)]


class PayrollEntry(BaseModel):
    """One employee's payment in a payroll batch (DESIGN.md canonical batch)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    employee_id: Annotated[str, Field(min_length=1, max_length=22)]
    employee_name: Annotated[str, Field(min_length=1, max_length=80)]
    pay_date: dt.date
    period_start: dt.date
    period_end: dt.date
    #: Empty for salaried staff who are not paid by the hour; an hourly row needs it.
    regular_hours: Hours | None = None
    #: Empty reads as no overtime.
    overtime_hours: Hours | None = None
    #: Empty for salaried staff: their gross is not derived from hours.
    hourly_rate: Rate | None = None
    gross_pay: Money
    federal_tax: Money
    state_tax: Money
    social_security: Money
    medicare: Money
    other_deductions: Money
    net_pay: Money
    routing_number: Annotated[str, Field(pattern=r"^\d{9}$")]
    account_number: Annotated[str, Field(min_length=1, max_length=17)]
    account_type: Literal["checking", "savings"]
    #: ``hourly`` or ``salaried`` when the export says so (a "Pay Type" column); without it a
    #: row with an ``hourly_rate`` is hourly and one without is salaried, unless the client's
    #: employee master says otherwise.
    pay_type: Literal["hourly", "salaried"] | None = None


PAYROLL_SCHEMA = polars_schema(PayrollEntry)
PAYROLL_COLUMNS = list(PAYROLL_SCHEMA)
PAYROLL_REQUIRED = required_fields(PayrollEntry)
ACCOUNT_TYPES = literal_values(PayrollEntry, "account_type")
PAY_TYPES = literal_values(PayrollEntry, "pay_type")
MONEY_COLUMNS = [c for c, t in PAYROLL_SCHEMA.items() if t == pl.Decimal(18, 2)]
DEDUCTION_COLUMNS = ["federal_tax", "state_tax", "social_security", "medicare", "other_deductions"]
HOURS_COLUMNS = ["regular_hours", "overtime_hours"]
DATE_COLUMNS = [c for c, t in PAYROLL_SCHEMA.items() if t.is_temporal()]
#: The payment each record makes, for the history of duplicate payments across files.
PAYMENT_SCHEMA: dict[str, pl.DataType] = {
    "record_index": pl.UInt32(),
    "employee_id": pl.String(),
    "pay_date": pl.Date(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
}
#: A completed payment of an earlier file, as the history gives it back (one row each).
PAID_SCHEMA: dict[str, pl.DataType] = {
    "employee_id": pl.String(),
    "pay_date": pl.Date(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "file_id": pl.Int64(),
    "file_name": pl.String(),
    "received_at": pl.Datetime("us", "UTC"),
    "record_index": pl.Int64(),
    #: The history row the payment came from (one per file, pay date and period).
    "set_id": pl.Int64(),
}
#: Fields masked in every view (logs, artifacts, review queue).
PII_FIELDS = frozenset({"account_number", "routing_number"})
