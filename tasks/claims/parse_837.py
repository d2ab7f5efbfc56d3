"""Loops 2000A/2000B/2000C/2300/2400 of one 837 transaction set into ``Claim`` models.

A fast single pass: only the segments a claim needs are split into elements. Values that
cannot be read become ``None`` plus an issue naming the loop, segment and element; the claim
is still returned so a reviewer can fix it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from schemas.claim import Claim, ClaimType, ServiceLine
from schemas.issue import Issue
from tasks.claims.edits import say
from tasks.claims.phi import PERSON_ENTITIES, mask_segment
from tasks.claims.segment_errors import SegmentError
from tasks.claims.x12_tokens import Delimiters
from tasks.claims.x12_values import parse_amount, parse_period, parse_units

#: HI qualifiers that carry diagnoses (5010 ICD-10 and 4010 ICD-9), principal first.
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "ABN", "APR", "BK", "BF", "BJ", "BN", "PR"})
KNOWN_SEGMENTS = frozenset(
    [
        "ST",
        "BHT",
        "REF",
        "NM1",
        "N2",
        "PER",
        "HL",
        "PRV",
        "N3",
        "N4",
        "SBR",
        "PAT",
        "DMG",
        "CLM",
        "DTP",
        "PWK",
        "CN1",
        "AMT",
        "K3",
        "NTE",
        "CR1",
        "CR2",
        "CRC",
        "HI",
        "HCP",
        "LX",
        "SV1",
        "SV2",
        "SV3",
        "SV4",
        "SV5",
        "TOO",
        "QTY",
        "MEA",
        "PS1",
        "LIN",
        "CTP",
        "LQ",
        "FRM",
        "SVD",
        "CAS",
        "OI",
        "MOA",
        "MIA",
        "CL1",
        "CR3",
        "CR4",
        "CR5",
        "CR6",
        "CR7",
        "CR8",
        "HSD",
        "SE",
    ]
)


@dataclass
class ParsedClaim:
    claim: Claim
    #: The claim's segments (subscriber/patient loops, then 2300/2400), PHI masked.
    raw: list[str]
    issues: list[Issue]
    #: Position of CLM in its transaction set (ST = 1).
    position: int


@dataclass
class _Line:
    procedure_code: str | None = None
    modifiers: tuple[str, ...] = ()
    charge: Decimal | None = None
    units: Decimal | None = None
    service_date: dt.date | None = None
    pointers: tuple[int, ...] = ()
    revenue_code: str | None = None


@dataclass
class _Draft:
    claim_id: str
    total_charge: Decimal | None
    position: int
    billing_npi: str | None
    member_id: str | None
    payer_id: str | None
    raw: list[str]
    rendering_npi: str | None = None
    attending_npi: str | None = None
    dx_codes: list[str] = field(default_factory=list)
    dx_quals: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    lines: list[_Line] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _get(elements: list[str], i: int) -> str:
    return elements[i].strip() if len(elements) > i else ""


class _TransactionParser:
    def __init__(self, delimiters: Delimiters, claim_type: ClaimType) -> None:
        self.sep = delimiters.element
        self.comp = delimiters.component
        self.claim_type: ClaimType = claim_type
        self.claims: list[ParsedClaim] = []
        self.errors: list[SegmentError] = []
        self.billing_npi: str | None = None
        self.member_id: str | None = None
        self.payer_id: str | None = None
        self.context: list[str] = []
        #: The billing provider's segments (2000A/2010AA), shown to reviewers with each claim.
        self.provider: list[str] = []
        self.person = False
        self.draft: _Draft | None = None

    # -- claim lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        d = self.draft
        if d is None:
            return
        self.draft = None
        lines = tuple(
            ServiceLine.model_construct(
                procedure_code=x.procedure_code,
                modifiers=x.modifiers,
                charge=x.charge,
                units=x.units,
                service_date=x.service_date,
                diagnosis_pointers=x.pointers,
                revenue_code=x.revenue_code,
            )
            for x in d.lines
        )
        dates = [x.service_date for x in d.lines if x.service_date is not None]
        claim = Claim.model_construct(
            claim_id=d.claim_id,
            patient_control_number=d.claim_id or None,
            billing_npi=d.billing_npi,
            rendering_npi=d.rendering_npi or d.attending_npi,
            payer_id=d.payer_id,
            member_id=d.member_id,
            total_charge=d.total_charge,
            diagnosis_codes=tuple(d.dx_codes),
            diagnosis_qualifiers=tuple(d.dx_quals),
            service_date_from=d.date_from or (min(dates) if dates else None),
            service_date_to=d.date_to or (max(dates) if dates else None),
            claim_type=self.claim_type,
            lines=lines,
        )
        self.claims.append(ParsedClaim(claim, d.raw, d.issues, d.position))

    def issue(self, code: str, field_path: str, message: str) -> None:
        if self.draft is not None:
            self.draft.issues.append(Issue(code=code, field=field_path, message=message))

    # -- segments --------------------------------------------------------------------------
    def segment(self, text: str, position: int) -> None:
        e = text.split(self.sep)
        sid = e[0]
        if sid not in KNOWN_SEGMENTS:
            loop = "2400" if self.draft and self.draft.lines else "2300" if self.draft else ""
            self.errors.append(SegmentError(sid[:3] or "?", position, loop, "1"))
            return
        if sid == "NM1":
            self.person = _get(e, 1) in PERSON_ENTITIES
        masked = mask_segment(e, self.sep, self.person)
        if sid == "HL":
            self.hl(e, masked)
        elif sid == "CLM":
            self.clm(e, masked, position)
        elif self.draft is None:
            self.before_claim(sid, e, masked)
        else:
            self.draft.raw.append(masked)
            self.in_claim(sid, e)

    def hl(self, e: list[str], masked: str) -> None:
        self.close()
        level = _get(e, 3)
        self.person = False
        if level == "20":
            self.billing_npi = None
            self.context = []
            self.provider = [masked]
        elif level == "22":
            self.member_id = self.payer_id = None
            self.context = [masked]
        else:
            self.context.append(masked)

    def clm(self, e: list[str], masked: str, position: int) -> None:
        self.close()
        total = parse_amount(_get(e, 2))
        self.draft = _Draft(
            claim_id=_get(e, 1),
            total_charge=total,
            position=position,
            billing_npi=self.billing_npi,
            member_id=self.member_id,
            payer_id=self.payer_id,
            raw=[*self.provider, *self.context, masked],
        )
        if total is None:
            self.issue(
                "CLM-AMOUNT-INVALID",
                "total_charge",
                say(
                    "The claim's total charge is not an amount",
                    "Enter it as digits with at most two decimals (125.00)",
                    "2300 CLM02",
                ),
            )

    def before_claim(self, sid: str, e: list[str], masked: str) -> None:
        if sid == "NM1":
            entity = _get(e, 1)
            if entity == "85":
                self.billing_npi = _get(e, 9) if _get(e, 8) == "XX" else None
            elif entity == "IL":
                self.member_id = _get(e, 9) or None
            elif entity == "PR":
                self.payer_id = _get(e, 9) or None
        if self.member_id is not None or sid in ("SBR", "PAT"):
            self.context.append(masked)
        elif not self.context:
            self.provider.append(masked)

    def in_claim(self, sid: str, e: list[str]) -> None:
        d = self.draft
        assert d is not None
        if sid == "LX":
            d.lines.append(_Line())
        elif sid == "SV1":
            self.sv1(d, e)
        elif sid == "SV2":
            self.sv2(d, e)
        elif sid == "DTP":
            self.dtp(d, e)
        elif sid == "HI":
            for element in e[1:]:
                qual, _, rest = element.partition(self.comp)
                code = rest.partition(self.comp)[0]
                if qual in DIAGNOSIS_QUALIFIERS:
                    d.dx_quals.append(qual)
                    d.dx_codes.append(code.strip().upper())
        elif sid == "NM1":
            entity, npi = _get(e, 1), _get(e, 9) if _get(e, 8) == "XX" else None
            if entity == "82" and (not d.lines or d.rendering_npi is None):
                d.rendering_npi = npi
            elif entity == "71" and not d.lines:
                d.attending_npi = npi

    def _line(self, d: _Draft) -> tuple[_Line, int]:
        if not d.lines:
            d.lines.append(_Line())
        return d.lines[-1], len(d.lines) - 1

    def _procedure(self, line: _Line, n: int, composite: str, seg: str) -> None:
        parts = composite.split(self.comp)
        line.procedure_code = parts[1].strip().upper() if len(parts) > 1 and parts[1] else None
        line.modifiers = tuple(m.strip().upper() for m in parts[2:6] if m.strip())
        if parts[0].strip() not in ("HC", "ER", "HP", "IV", "WK", ""):
            self.issue(
                "CLM-PROC-QUALIFIER",
                f"lines[{n}].procedure_code",
                say(
                    f"Service line {n + 1}'s code is marked as '{parts[0][:3]}', not as a "
                    "CPT/HCPCS procedure code",
                    "Check the procedure code is a CPT or HCPCS code (HC)",
                    f"2400 {seg}-1",
                ),
            )

    def _money(self, line: _Line, n: int, text: str, seg: str) -> None:
        line.charge = parse_amount(text)
        if line.charge is None:
            self.issue(
                "CLM-AMOUNT-INVALID",
                f"lines[{n}].charge",
                say(
                    f"Service line {n + 1}'s charge is not an amount",
                    "Enter it as digits with at most two decimals (125.00)",
                    f"2400 {seg}",
                ),
            )

    def _units(self, line: _Line, n: int, text: str, seg: str) -> None:
        line.units = parse_units(text) if text else Decimal(1)
        if line.units is None:
            self.issue(
                "CLM-UNITS-INVALID",
                f"lines[{n}].units",
                say(
                    f"Service line {n + 1}'s units cannot be read",
                    "Enter how many units were given (1 or more)",
                    f"2400 {seg}",
                ),
            )

    def sv1(self, d: _Draft, e: list[str]) -> None:
        line, n = self._line(d)
        self._procedure(line, n, _get(e, 1), "SV101")
        self._money(line, n, _get(e, 2), "SV102")
        self._units(line, n, _get(e, 4), "SV104")
        pointers = [p for p in _get(e, 7).split(self.comp) if p]
        if all(p.isdigit() and len(p) <= 2 for p in pointers):
            line.pointers = tuple(int(p) for p in pointers)
        else:
            line.pointers = (0,)

    def sv2(self, d: _Draft, e: list[str]) -> None:
        line, n = self._line(d)
        line.revenue_code = _get(e, 1) or None
        if _get(e, 2):
            self._procedure(line, n, _get(e, 2), "SV202")
        self._money(line, n, _get(e, 3), "SV203")
        self._units(line, n, _get(e, 5), "SV205")

    def dtp(self, d: _Draft, e: list[str]) -> None:
        qualifier = _get(e, 1)
        if qualifier not in ("472", "434"):
            return
        period = parse_period(_get(e, 2), _get(e, 3))
        where = "2400" if d.lines else "2300"
        if period is None:
            field_path = (
                f"lines[{len(d.lines) - 1}].service_date" if d.lines else ("service_date_from")
            )
            self.issue(
                "CLM-DATE-INVALID",
                field_path,
                say(
                    "The date of service is not a valid date",
                    "Enter it as YYYY-MM-DD",
                    f"{where} DTP*{qualifier} DTP03 ({_get(e, 2) or 'D8'})",
                ),
            )
            return
        if d.lines:
            d.lines[-1].service_date = period[0]
        else:
            d.date_from, d.date_to = period


def parse_transaction(
    segments: list[str], start: int, end: int, delimiters: Delimiters, claim_type: ClaimType
) -> tuple[list[ParsedClaim], list[SegmentError]]:
    """Claims of the transaction set whose ST is ``segments[start]`` and SE ``segments[end]``."""
    parser = _TransactionParser(delimiters, claim_type)
    for i in range(start + 1, end):
        parser.segment(segments[i], i - start + 1)
    parser.close()
    return parser.claims, parser.errors
