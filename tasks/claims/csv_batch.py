"""CSV claim batches: one row per service line, claim header repeated on each line.

Columns (after the client's ``ClaimOptions.columns`` mapping): ``claim_id,
patient_control_number, billing_npi, rendering_npi, payer_id, member_id, total_charge,
diagnosis_codes`` (``;``-separated, principal first), ``service_date_from, service_date_to,
claim_type, procedure_code, modifiers`` (``;``-separated), ``charge, units, service_date,
diagnosis_pointers`` (``;``-separated). Rows with the same ``claim_id`` form one claim.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from readers.row_shape import ROW_SHAPE
from readers.tabular import TableError, named_frame, read_csv_strings
from schemas.claim import Claim, ServiceLine
from schemas.issue import Issue
from tasks.claims.x12_values import parse_amount, parse_units

REQUIRED = ("claim_id", "total_charge", "procedure_code", "charge")


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip().upper() for p in (text or "").split(";") if p.strip())


def read_claims_csv(
    data: bytes, columns: dict[str, str]
) -> tuple[list[Claim], list[list[Issue]]] | Issue:
    """Claims and their parse issues, or a file issue when the CSV is unusable."""
    try:
        frame = named_frame(read_csv_strings(data))
    except TableError as exc:
        return Issue(code=exc.code, message=exc.message)
    frame = frame.rename(
        {c: columns.get(c, c).strip().lower() for c in frame.columns if c != ROW_SHAPE}
    )
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        return Issue(code="CSV-COLUMNS", message=f"missing columns: {', '.join(missing)}")
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in frame.iter_rows(named=True):
        groups.setdefault(row.get("claim_id") or "", []).append(row)
    claims, issues = [], []
    for claim_id, rows in groups.items():
        head, found = rows[0], []
        lines = []
        for n, r in enumerate(rows):
            charge = parse_amount(r.get("charge") or "")
            if charge is None:
                found.append(
                    Issue(
                        code="CLM-AMOUNT-INVALID",
                        field=f"lines[{n}].charge",
                        message=f"line {n + 1}: charge is not an amount",
                    )
                )
            pointers = _split(r.get("diagnosis_pointers"))
            lines.append(
                ServiceLine.model_construct(
                    procedure_code=(r.get("procedure_code") or "").strip().upper() or None,
                    modifiers=_split(r.get("modifiers")),
                    charge=charge,
                    units=parse_units(r.get("units") or "1"),
                    service_date=_date(r.get("service_date")),
                    diagnosis_pointers=tuple(int(p) if p.isdigit() else 0 for p in pointers),
                    revenue_code=r.get("revenue_code") or None,
                )
            )
        total = parse_amount(head.get("total_charge") or "")
        if total is None:
            found.append(
                Issue(
                    code="CLM-AMOUNT-INVALID",
                    field="total_charge",
                    message="total_charge is not an amount",
                )
            )
        found.extend(
            Issue(
                code="ROW-SHAPE",
                message=f"{note} Its values may sit in the wrong columns: correct the claim"
                " from the client's file, or reject it and ask for the row again.",
            )
            for r in rows
            if (note := r.get(ROW_SHAPE))
        )
        dx = _split(head.get("diagnosis_codes"))
        dates = [x.service_date for x in lines if x.service_date]
        claims.append(
            Claim.model_construct(
                claim_id=claim_id,
                patient_control_number=head.get("patient_control_number") or claim_id or None,
                billing_npi=head.get("billing_npi") or None,
                rendering_npi=head.get("rendering_npi") or None,
                payer_id=head.get("payer_id") or None,
                member_id=head.get("member_id") or None,
                total_charge=total,
                diagnosis_codes=tuple(c.replace(".", "") for c in dx),
                diagnosis_qualifiers=tuple("ABK" if i == 0 else "ABF" for i in range(len(dx))),
                service_date_from=_date(head.get("service_date_from"))
                or (min(dates) if dates else None),
                service_date_to=_date(head.get("service_date_to"))
                or (max(dates) if dates else None),
                claim_type="837I" if (head.get("claim_type") or "").upper() == "837I" else "837P",
                lines=tuple(lines),
            )
        )
        issues.append(found)
    return claims, issues
