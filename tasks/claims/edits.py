"""Front-end claim edits: the rules a clearinghouse applies before a payer sees a claim.

Every edit yields ``Issue``s with a stable code, a canonical field path and a message a
reviewer reads first: what is wrong in plain words, then what to do, then where it sits in the
X12 file for whoever fixes it at the source (``... (X12: 2010AA NM1*85 NM109)``). Messages
never carry PHI (member ids are masked).

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
from schemas.lengths import too_long
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


def say(what: str, hint: str, where: str) -> str:
    """A reviewer-first message: what is wrong, what to do, and the X12 location last."""
    return f"{what}. {hint}. (X12: {where})"


def _npi_issues(claim: Claim) -> Iterable[Issue]:
    if not claim.billing_npi:
        yield Issue(
            code="CLM-NPI-MISSING",
            field="billing_npi",
            message=say(
                "The billing provider's NPI is missing",
                "Enter the 10-digit NPI of the practice or facility that bills the claim",
                "2010AA NM1*85 NM109 with NM108=XX",
            ),
        )
    elif not npi_is_valid(claim.billing_npi):
        yield Issue(
            code="CLM-NPI-INVALID",
            field="billing_npi",
            message=say(
                f"The billing provider's NPI {claim.billing_npi} is not a valid NPI "
                "(its check digit is wrong)",
                "Look for a mistyped or swapped digit against the provider's NPI record",
                "2010AA NM1*85 NM109",
            ),
        )
    if claim.rendering_npi and not npi_is_valid(claim.rendering_npi):
        yield Issue(
            code="CLM-NPI-INVALID",
            field="rendering_npi",
            message=say(
                f"The rendering provider's NPI {claim.rendering_npi} is not a valid NPI "
                "(its check digit is wrong)",
                "Check it against the clinician who performed the service",
                "2310B NM1*82 NM109",
            ),
        )


def _diagnosis_issues(claim: Claim) -> Iterable[Issue]:
    codes, quals = claim.diagnosis_codes, claim.diagnosis_qualifiers
    if not codes:
        yield Issue(
            code="CLM-DX-MISSING",
            field="diagnosis_codes",
            message=say(
                "The claim has no diagnosis",
                "Add the principal ICD-10-CM code (for example J06.9 as J069)",
                "2300 HI, HI01-1 = ABK",
            ),
        )
        return
    for i, code in enumerate(codes):
        qual = quals[i] if i < len(quals) else ("ABK" if i == 0 else "ABF")
        where = f"2300 HI diagnosis {i + 1} ({qual})"
        if qual in _ICD9_QUALIFIERS:
            yield Issue(
                code="CLM-DX-QUALIFIER",
                field=f"diagnosis_codes[{i}]",
                message=say(
                    f"Diagnosis {i + 1} is coded in ICD-9, which payers no longer accept",
                    "Enter the ICD-10-CM code for the same condition",
                    f"{where}: ABK principal, ABF other",
                ),
            )
            valid = icd9_is_valid(code)
        else:
            if (i == 0) != (qual == "ABK"):
                yield Issue(
                    code="CLM-DX-QUALIFIER",
                    field=f"diagnosis_codes[{i}]",
                    message=say(
                        f"Diagnosis {i + 1} is in the wrong place for its kind",
                        "The principal diagnosis comes first, the others after it",
                        f"{where}: ABK first, ABF after",
                    ),
                )
            valid = icd10_is_valid(code)
        if not valid:
            yield Issue(
                code="CLM-DX-INVALID",
                field=f"diagnosis_codes[{i}]",
                message=say(
                    f"Diagnosis {i + 1} '{code[:10]}' is not a diagnosis code",
                    "An ICD-10-CM code is a letter, two digits, then up to four characters "
                    "(J069, E1165)",
                    where,
                ),
            )


def _line_issues(claim: Claim, n: int, line: ServiceLine, today: dt.date) -> Iterable[Issue]:
    seg = "SV2" if claim.claim_type == "837I" else "SV1"
    if line.procedure_code is None:
        if claim.claim_type == "837P" or not line.revenue_code:
            yield Issue(
                code="CLM-PROC-MISSING",
                field=f"lines[{n}].procedure_code",
                message=say(
                    f"Service line {n + 1} has no procedure code",
                    "Enter the CPT or HCPCS code of the service (99213, G0439)",
                    f"2400 {seg} line {n + 1}",
                ),
            )
    elif not procedure_is_valid(line.procedure_code):
        yield Issue(
            code="CLM-PROC-INVALID",
            field=f"lines[{n}].procedure_code",
            message=say(
                f"Service line {n + 1}: '{line.procedure_code[:12]}' is not a procedure code",
                "A CPT code is five digits (99213), a HCPCS code a letter and four digits (G0439)",
                f"2400 {seg} line {n + 1}",
            ),
        )
    if len(line.modifiers) > MAX_MODIFIERS:
        yield Issue(
            code="CLM-MODIFIER-COUNT",
            field=f"lines[{n}].modifiers",
            message=say(
                f"Service line {n + 1} has {len(line.modifiers)} modifiers; a line takes at most 4",
                "Keep the four that matter for payment, or split the line",
                f"2400 {seg} line {n + 1}",
            ),
        )
    for m in line.modifiers:
        if not modifier_is_valid(m):
            yield Issue(
                code="CLM-MODIFIER-INVALID",
                field=f"lines[{n}].modifiers",
                message=say(
                    f"Service line {n + 1}: modifier '{m[:4]}' is not a modifier",
                    "A modifier is two letters or digits (25, 59, LT)",
                    f"2400 {seg} line {n + 1}",
                ),
            )
    if line.units is not None and line.units <= 0:
        yield Issue(
            code="CLM-UNITS-INVALID",
            field=f"lines[{n}].units",
            message=say(
                f"Service line {n + 1} bills zero or fewer units",
                "Enter how many units were given (1 or more)",
                f"2400 {seg} line {n + 1}",
            ),
        )
    if line.service_date is not None and line.service_date > today:
        yield Issue(
            code="CLM-DATE-FUTURE",
            field=f"lines[{n}].service_date",
            message=say(
                f"Service line {n + 1} is dated {line.service_date}, in the future",
                "Check the date of service; a claim is billed after the service",
                f"2400 DTP*472 line {n + 1}",
            ),
        )
    if claim.claim_type == "837P":
        pointers = line.diagnosis_pointers
        count = len(claim.diagnosis_codes)
        if not pointers or any(not 1 <= p <= min(count, MAX_POINTERS) for p in pointers):
            yield Issue(
                code="CLM-DX-POINTER",
                field=f"lines[{n}].diagnosis_pointers",
                message=say(
                    f"Service line {n + 1} points at diagnoses {list(pointers)}, but the claim "
                    f"has {count}",
                    f"Point the line at diagnoses 1 to {min(count, MAX_POINTERS) or 1} "
                    "(which condition the service treated)",
                    f"2400 SV107 line {n + 1}",
                ),
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
            message=say(
                f"The claim's total charge {claim.total_charge} is not the sum of its lines "
                f"{line_sum}",
                "Correct the total or the line charge that is wrong; the two must agree",
                "2300 CLM02 vs 2400 line charges, SNIP 3",
            ),
        )


def _header_issues(claim: Claim, ctx: EditContext) -> Iterable[Issue]:
    if not claim.claim_id:
        yield Issue(
            code="CLM-ID-MISSING",
            field="claim_id",
            message=say(
                "The claim has no claim number",
                "Enter the provider's patient control number for this claim",
                "2300 CLM01",
            ),
        )
    if not claim.member_id:
        yield Issue(
            code="CLM-MEMBER-MISSING",
            field="member_id",
            message=say(
                "The member id is missing",
                "Enter the id on the patient's insurance card",
                "2010BA NM1*IL NM109",
            ),
        )
    elif ctx.eligible_members is not None and claim.member_id not in ctx.eligible_members:
        yield Issue(
            code="CLM-MEMBER-INELIGIBLE",
            field="member_id",
            message=say(
                f"Member {mask_id(claim.member_id)} is not in the client's eligibility file",
                "Check the id against the insurance card; if it is right, the member may not "
                "be covered on the date of service",
                "2010BA NM1*IL NM109",
            ),
        )
    if not claim.payer_id:
        yield Issue(
            code="CLM-PAYER-MISSING",
            field="payer_id",
            message=say(
                "The payer (insurer) id is missing",
                "Enter the payer id of the insurance plan billed",
                "2010BB NM1*PR NM109",
            ),
        )
    if not claim.lines:
        yield Issue(
            code="CLM-NO-LINES",
            field="lines",
            message=say(
                "The claim has no service lines",
                "Add the services billed, or reject the claim back to the provider",
                "2400 loop",
            ),
        )
    start, end = claim.service_date_from, claim.service_date_to
    if start is None:
        yield Issue(
            code="CLM-DATE-MISSING",
            field="service_date_from",
            message=say(
                "The claim has no date of service",
                "Enter the date the service was given",
                "DTP*472 in 2300/2400, or DTP*434 for 837I statement dates",
            ),
        )
    elif start > ctx.today:
        yield Issue(
            code="CLM-DATE-FUTURE",
            field="service_date_from",
            message=say(
                f"The date of service {start} is in the future",
                "Check the date; a claim is billed after the service",
                "2300 DTP*472",
            ),
        )
    if start is not None and end is not None and end < start:
        yield Issue(
            code="CLM-DATE-INVALID",
            field="service_date_to",
            message=say(
                f"The service period ends ({end}) before it starts ({start})",
                "Swap or correct the from and to dates",
                "2300 DTP*472/434",
            ),
        )


def claim_issues(claim: Claim, ctx: EditContext) -> list[Issue]:
    """Every claim-level edit on one claim (severity review: a person can fix these)."""
    issues = too_long(Claim, dict(claim), "CLM-TOO-LONG")
    issues.extend([*_header_issues(claim, ctx), *_npi_issues(claim), *_diagnosis_issues(claim)])
    issues.extend(_charge_issues(claim))
    for n, line in enumerate(claim.lines):
        issues.extend(too_long(ServiceLine, dict(line), "CLM-TOO-LONG", f"lines[{n}]."))
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
                        message=say(
                            f"This claim repeats claim #{first[key] + 1} of the same file "
                            "(same claim number, dates and charge)",
                            "Reject it if it is a copy; correct it if it is a different claim",
                            "2300 CLM01",
                        ),
                    ),
                )
            )
        else:
            first[key] = i
    return out
