"""Per-client payroll settings: column mapping, employee master, ACH originator."""

from __future__ import annotations

from typing import Annotated

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


class PayrollOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Client header -> canonical field name, for clients with their own layout.
    columns: dict[str, str] = Field(default_factory=dict)
    #: CSV/XLSX/Parquet with an ``employee_id`` column: employees allowed to be paid.
    employee_master: str | None = None
    #: Largest plausible hours in one pay period (regular + overtime).
    max_period_hours: Annotated[int, Field(gt=0)] = 200
    ach: AchOriginator = Field(default_factory=AchOriginator)
