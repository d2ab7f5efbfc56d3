"""Front-end claim edits: the rules a clearinghouse applies before a payer sees a claim.

Every edit yields ``Issue``s with a stable code, a canonical field path and a message naming
the loop, segment and element to fix. Messages never carry PHI (member ids are masked).

| code | rule |
|---|---|
| CLM-ID-MISSING | CLM01 present |
| CLM-CHARGE-MISMATCH | CLM02 equals the sum of the line charges (SNIP 3) |
| CLM-NPI-MISSING / CLM-NPI-INVALID | billing (2010AA NM109) and rendering NPIs: Luhn with 80840 |
| CLM-DX-MISSING / CLM-DX-INVALID / CLM-DX-QUALIFIER | HI: ICD-10-CM shape, ABK first, ABF after |
| CLM-PROC-MISSING / CLM-PROC-INVALID | SV101-2 / SV202-2 CPT or HCPCS shape |
| CLM-MODIFIER-COUNT / CLM-MODIFIER-INVALID | at most 4 two-character modifiers |
| CLM-DX-POINTER | SV107 pointers name existing diagnosis codes (837P) |
| CLM-DATE-MISSING / CLM-DATE-INVALID / CLM-DATE-FUTURE | service dates present, ordered, past |
| CLM-MEMBER-MISSING / CLM-MEMBER-INELIGIBLE | 2010BA NM109 present and in the eligibility file |
| CLM-PAYER-MISSING | 2010BB NM109 present |
| CLM-NO-LINES / CLM-UNITS-INVALID | at least one 2400 line with units > 0 |
| CLM-DUPLICATE | same key twice in one file (``duplicate_issues``) |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from schemas.claim import Claim, ServiceLine
from schemas.issue import Issue
from tasks.claims.code_shapes import (
    icd9_is_valid,
    icd10_is_valid,
    modifier_is_valid,
    npi_is_valid,
    procedure_is_valid,
)
from tasks.claims.phi import mask_id

_ICD9_QUALIFIERS = frozenset({"BK", "BF", "BJ", "BN", "PR"})
MAX_MODIFIERS = 4
MAX_POINTERS = 12


@dataclass(frozen=True)
class EditContext:
    today: dt.date
    #: Eligible member ids, or ``None`` when the client has no eligibility file.
    eligible_members: frozenset[str] | None = None


def _npi_issues(claim: Claim) -> Iterable[Issue]:
    if not claim.billing_npi:
        yield Issue(
            code="CLM-NPI-MISSING",
            field="billing_npi",
            message="2010AA NM1*85 NM109 (billing provider NPI, NM108=XX) is missing",
        )
    elif not npi_is_valid(claim.billing_npi):
        yield Issue(
            code="CLM-NPI-INVALID",
            field="billing_npi",
            message=f"2010AA NM1*85 NM109 billing NPI {claim.billing_npi} fails the check digit",
        )
    if claim.rendering_npi and not npi_is_valid(claim.rendering_npi):
        yield Issue(
            code="CLM-NPI-INVALID",
            field="rendering_npi",
            message=f"2310B NM1*82 NM109 rendering NPI {claim.rendering_npi} fails the check digit",
        )


def _diagnosis_issues(claim: Claim) -> Iterable[Issue]:
    codes, quals = claim.diagnosis_codes, claim.diagnosis_qualifiers
    if not codes:
        yield Issue(
            code="CLM-DX-MISSING",
            field="diagnosis_codes",
            message="2300 HI has no diagnosis: add the principal ICD-10-CM code (HI01-1 = ABK)",
        )
        return
    for i, code in enumerate(codes):
        qual = quals[i] if i < len(quals) else ("ABK" if i == 0 else "ABF")
        where = f"2300 HI diagnosis {i + 1} ({qual})"
        if qual in _ICD9_QUALIFIERS:
            yield Issue(
                code="CLM-DX-QUALIFIER",
                field=f"diagnosis_codes[{i}]",
                message=f"{where}: ICD-9 qualifier; resend with ICD-10-CM "
                "(ABK principal, ABF other)",
            )
            valid = icd9_is_valid(code)
        else:
            if (i == 0) != (qual == "ABK"):
                yield Issue(
                    code="CLM-DX-QUALIFIER",
                    field=f"diagnosis_codes[{i}]",
                    message=f"{where}: the principal diagnosis must come first with ABK, "
                    "the others with ABF",
                )
            valid = icd10_is_valid(code)
        if not valid:
            yield Issue(
                code="CLM-DX-INVALID",
                field=f"diagnosis_codes[{i}]",
                message=f"{where}: '{code[:10]}' is not a valid diagnosis code shape",
            )


def _line_issues(claim: Claim, n: int, line: ServiceLine, today: dt.date) -> Iterable[Issue]:
    seg = "SV2" if claim.claim_type == "837I" else "SV1"
    if line.procedure_code is None:
        if claim.claim_type == "837P" or not line.revenue_code:
            yield Issue(
                code="CLM-PROC-MISSING",
                field=f"lines[{n}].procedure_code",
                message=f"2400 {seg} line {n + 1}: procedure code missing",
            )
    elif not procedure_is_valid(line.procedure_code):
        yield Issue(
            code="CLM-PROC-INVALID",
            field=f"lines[{n}].procedure_code",
            message=f"2400 {seg} line {n + 1}: '{line.procedure_code[:12]}' "
            "is not a CPT/HCPCS code",
        )
    if len(line.modifiers) > MAX_MODIFIERS:
        yield Issue(
            code="CLM-MODIFIER-COUNT",
            field=f"lines[{n}].modifiers",
            message=f"2400 {seg} line {n + 1}: {len(line.modifiers)} modifiers, at most 4",
        )
    for m in line.modifiers:
        if not modifier_is_valid(m):
            yield Issue(
                code="CLM-MODIFIER-INVALID",
                field=f"lines[{n}].modifiers",
                message=f"2400 {seg} line {n + 1}: modifier '{m[:4]}' is not 2 letters/digits",
            )
    if line.units is not None and line.units <= 0:
        yield Issue(
            code="CLM-UNITS-INVALID",
            field=f"lines[{n}].units",
            message=f"2400 {seg} line {n + 1}: units must be greater than zero",
        )
    if line.service_date is not None and line.service_date > today:
        yield Issue(
            code="CLM-DATE-FUTURE",
            field=f"lines[{n}].service_date",
            message=f"2400 DTP*472 line {n + 1}: service date {line.service_date} is in the future",
        )
    if claim.claim_type == "837P":
        pointers = line.diagnosis_pointers
        count = len(claim.diagnosis_codes)
        if not pointers or any(not 1 <= p <= min(count, MAX_POINTERS) for p in pointers):
            yield Issue(
                code="CLM-DX-POINTER",
                field=f"lines[{n}].diagnosis_pointers",
                message=f"2400 SV107 line {n + 1}: diagnosis pointers {list(pointers)} must "
                f"point at the claim's {count} diagnosis code(s)",
            )


def _charge_issues(claim: Claim) -> Iterable[Issue]:
    charges = [line.charge for line in claim.lines]
    if claim.total_charge is None or any(c is None for c in charges) or not charges:
        return
    line_sum = sum(c for c in charges if c is not None)
    if line_sum != claim.total_charge:
        yield Issue(
            code="CLM-CHARGE-MISMATCH",
            field="total_charge",
            message=f"2300 CLM02 total charge {claim.total_charge} differs from the sum of the "
            f"2400 line charges {line_sum} (SNIP 3 balancing)",
        )


def _header_issues(claim: Claim, ctx: EditContext) -> Iterable[Issue]:
    if not claim.claim_id:
        yield Issue(code="CLM-ID-MISSING", field="claim_id", message="2300 CLM01 is empty")
    if not claim.member_id:
        yield Issue(
            code="CLM-MEMBER-MISSING",
            field="member_id",
            message="2010BA NM1*IL NM109 (subscriber member id) is missing",
        )
    elif ctx.eligible_members is not None and claim.member_id not in ctx.eligible_members:
        yield Issue(
            code="CLM-MEMBER-INELIGIBLE",
            field="member_id",
            message=f"2010BA NM1*IL NM109 member {mask_id(claim.member_id)} is not in the "
            "client's eligibility file",
        )
    if not claim.payer_id:
        yield Issue(
            code="CLM-PAYER-MISSING",
            field="payer_id",
            message="2010BB NM1*PR NM109 (payer id) is missing",
        )
    if not claim.lines:
        yield Issue(code="CLM-NO-LINES", field="lines", message="2400 loop: claim has no lines")
    start, end = claim.service_date_from, claim.service_date_to
    if start is None:
        yield Issue(
            code="CLM-DATE-MISSING",
            field="service_date_from",
            message="no service date: add DTP*472 (2300/2400) or DTP*434 (837I statement dates)",
        )
    elif start > ctx.today:
        yield Issue(
            code="CLM-DATE-FUTURE",
            field="service_date_from",
            message=f"2300 service date {start} is in the future",
        )
    if start is not None and end is not None and end < start:
        yield Issue(
            code="CLM-DATE-INVALID",
            field="service_date_to",
            message=f"2300 service period ends ({end}) before it starts ({start})",
        )


def claim_issues(claim: Claim, ctx: EditContext) -> list[Issue]:
    """Every claim-level edit on one claim (severity review: a person can fix these)."""
    issues = [*_header_issues(claim, ctx), *_npi_issues(claim), *_diagnosis_issues(claim)]
    issues.extend(_charge_issues(claim))
    for n, line in enumerate(claim.lines):
        issues.extend(_line_issues(claim, n, line, ctx.today))
    return issues


def duplicate_issues(keys: list[str]) -> list[tuple[int, Issue]]:
    """``CLM-DUPLICATE`` on every claim whose key already appeared earlier in the same file."""
    first: dict[str, int] = {}
    out: list[tuple[int, Issue]] = []
    for i, key in enumerate(keys):
        if key in first:
            out.append(
                (
                    i,
                    Issue(
                        code="CLM-DUPLICATE",
                        field="patient_control_number",
                        message=f"same patient control number, dates and charge as claim "
                        f"#{first[key] + 1} of this file: remove the duplicate or correct it",
                    ),
                )
            )
        else:
            first[key] = i
    return out
