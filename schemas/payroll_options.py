"""Per-client payroll settings: column mapping, employee master, salary check, duplicate
payments, ACH originator."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class AchOriginator(BaseModel):
    """Who the NACHA file is from and to (the client's bank, the ODFI)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_name: Annotated[str, Field(max_length=16)] = "BPO CLIENT"
    #: Company identification (batch header field 5), usually "1" + EIN.
    company_id: Annotated[str, Field(pattern=r"^[0-9A-Z ]{10}$")] = "1000000000"
    #: ODFI routing number (9 digits); its first 8 digits go in every batch header.
    odfi_routing: Annotated[str, Field(pattern=r"^\d{9}$")] = "091000019"
    destination_name: Annotated[str, Field(max_length=23)] = "ODFI BANK"
    entry_description: Annotated[str, Field(max_length=10)] = "PAYROLL"


PayFrequency = Literal["weekly", "biweekly", "semimonthly", "monthly", "quarterly", "annually"]
#: Pay periods in a year, by pay frequency: a salaried employee's gross per period is the
#: annual salary divided by these.
PERIODS_PER_YEAR: dict[str, int] = {
    "weekly": 52,
    "biweekly": 26,
    "semimonthly": 24,
    "monthly": 12,
    "quarterly": 4,
    "annually": 1,
}


class PayrollOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Client header -> canonical field name, for clients with their own layout.
    columns: dict[str, str] = Field(default_factory=dict)
    #: CSV/XLSX/Parquet with an ``employee_id`` column: employees allowed to be paid. Optional
    #: columns ``pay_type`` (hourly | salaried), ``salary`` (annual) and ``pay_frequency``
    #: let the pipeline tell salaried staff and check their gross.
    employee_master: str | None = None
    #: Pay frequency of the client's salaried staff when the master has no such column.
    pay_frequency: PayFrequency | None = None
    #: How far a salaried gross may differ from annual salary / periods per year, as a share
    #: of that amount (``"0.01"``: 1%); a larger difference goes to review.
    salary_tolerance: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.01")
    #: Largest plausible hours in one pay period (regular + overtime).
    max_period_hours: Annotated[int, Field(gt=0)] = 200
    #: Payments completed in files received within this many days are compared with a new
    #: batch (same employee, same pay date or an overlapping period); 0 turns the check off.
    duplicate_lookback_days: Annotated[int, Field(ge=0)] = 365
    ach: AchOriginator = Field(default_factory=AchOriginator)
