"""The claim: one X12 837 CLM loop (or one claim of a CSV batch), the truth for claim records.

``CLAIM_FIELDS`` are the canonical names of DESIGN.md (what ``record_json`` prints and a
reviewer edits); ``Claim`` adds what the edits need (claim type, statement end date, line
diagnosis pointers, revenue codes). The scalar Polars dtypes of the records frame derive from
``Claim`` (``CLAIM_SCALAR_SCHEMA``); ``lines`` and ``diagnosis_codes`` travel as JSON strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.frames import dtype_for

Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]
Units = Annotated[Decimal, Field(max_digits=15, decimal_places=3, ge=0)]
#: Element maxima of X12 5010 (CLM01 38, NM109 80, SV101-2 48, NM103 60, NM104 35): the longest
#: value any field can carry, CSV batches included.
ClaimNumber = Annotated[str, Field(max_length=38)]
Identifier = Annotated[str, Field(max_length=80)]
Code = Annotated[str, Field(max_length=48)]
LastName = Annotated[str, Field(max_length=60)]
FirstName = Annotated[str, Field(max_length=35)]
ClaimType = Literal["837P", "837I"]

#: Canonical claim fields of DESIGN.md, in order.
CLAIM_FIELDS = (
    "claim_id",
    "patient_control_number",
    "billing_npi",
    "rendering_npi",
    "payer_id",
    "member_id",
    "total_charge",
    "diagnosis_codes",
    "service_date_from",
    "lines",
)
#: Canonical service-line fields of DESIGN.md, in order.
LINE_FIELDS = ("procedure_code", "modifiers", "charge", "units", "service_date")
#: Fields holding protected health information: masked in raw, messages, logs and views.
PHI_FIELDS = frozenset({"member_id"})


class ServiceLine(BaseModel):
    """One 2400 loop (SV1 professional or SV2 institutional)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    procedure_code: Code | None = None
    modifiers: tuple[str, ...] = ()
    charge: Money | None = None
    units: Units | None = None
    service_date: dt.date | None = None
    #: 1-based pointers into the claim's diagnosis codes (SV107); empty on 837I lines.
    diagnosis_pointers: tuple[int, ...] = ()
    #: Institutional revenue code (SV201).
    revenue_code: Code | None = None


class Subscriber(BaseModel):
    """Loop 2010BA. Every field is PHI: only ``member_id`` reaches the record, masked in views."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: Identifier | None = None
    last_name: LastName | None = None
    first_name: FirstName | None = None
    birth_date: dt.date | None = None


class Provider(BaseModel):
    """A billing (2010AA) or rendering/attending (2310B / 2310A) provider."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    npi: str | None = None
    name: str | None = None


class Payer(BaseModel):
    """Loop 2010BB."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    payer_id: str | None = None
    name: str | None = None


class Claim(BaseModel):
    """One claim. ``claim_id`` is CLM01 (the record key).

    In an 837, CLM01 is also the patient control number, so both fields carry it; CSV batches
    may give them separately. Fields are optional because a broken file may leave them
    unreadable; the edits say which are missing.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim_id: ClaimNumber
    patient_control_number: ClaimNumber | None = None
    billing_npi: Identifier | None = None
    rendering_npi: Identifier | None = None
    payer_id: Identifier | None = None
    member_id: Identifier | None = None
    total_charge: Money | None = None
    diagnosis_codes: tuple[str, ...] = ()
    #: HI qualifiers in file order, parallel to ``diagnosis_codes`` (ABK, ABF...).
    diagnosis_qualifiers: tuple[str, ...] = ()
    service_date_from: dt.date | None = None
    service_date_to: dt.date | None = None
    claim_type: ClaimType = "837P"
    lines: tuple[ServiceLine, ...] = ()


#: Scalar columns of the records frame, derived from ``Claim``.
CLAIM_SCALAR_SCHEMA = {
    name: dtype_for(info)
    for name, info in Claim.model_fields.items()
    if name not in ("lines", "diagnosis_codes", "diagnosis_qualifiers")
}
LINE_SCALAR_SCHEMA = {
    name: dtype_for(info)
    for name, info in ServiceLine.model_fields.items()
    if name not in ("modifiers", "diagnosis_pointers")
}
