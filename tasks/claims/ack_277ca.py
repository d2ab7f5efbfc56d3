"""The claim acknowledgment as an X12 277CA (005010X214), the file practice-management systems
import, built from the same per-claim status rows as the CSV (``status_277.status_rows``).

One interchange, one functional group (GS01 ``HN``), one transaction set per file:

- 2000A information source: us (``ClaimOptions.receiver_id``); the file's receipt and
  processing dates;
- 2000B information receiver: the submitter (the source ISA06, else the client id) with the
  file's totals: accepted and rejected claim counts (QTY 90 / AA) and charges (AMT YU / YY);
- 2000C billing provider: one per billing NPI of the file's claims, with their charges;
- 2000D patient: one per claim, its status in 2200D: ``TRN*2`` the patient control number
  (CLM01), ``STC`` category:status, action (``WQ`` accepted, ``U`` rejected) and the claim's
  charge, ``REF*D9`` our trace (``<sha256[:16]>-<record index>``), ``DTP*472`` the service
  dates, and for claims not accepted the reason codes and message in STC12.

| category:status | when |
|---|---|
| A2:20 | accepted into adjudication: the claim completed |
| A1:19 | received, pending: the claim is in review |
| A3:21 | returned as unprocessable: its envelope (999) rejected it |
| A7:21 | rejected for invalid information: a claim edit rejected it |

The pipeline keeps no patient names (PHI minimised): 2100D carries the member id and the
name ``UNKNOWN``; receivers match claims on TRN02 and REF*D9. Messages are the edits' own,
which never carry PHI. Control numbers come from the source's sha256 and dates from its
registration, so the same bytes always give the same file.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import polars as pl

from schemas.batch import RECORD_INDEX, ValidatedBatch
from tasks.claims.status_277 import status_rows

_ISA_BLANK = " " * 10
#: STC01 of each status category (``status_277``) and whether it is accepted (STC03).
_STATUS = {
    "A2": ("A2:20", "WQ"),
    "A1": ("A1:19", "WQ"),
    "A3": ("A3:21", "U"),
    "A7": ("A7:21", "U"),
}
_UNSAFE = re.compile(r"[*~:^\r\n|]")
_NO_NAME = "UNKNOWN"


def _clean(text: Any, limit: int) -> str:
    """``text`` without X12 delimiters, upper case, at most ``limit`` characters."""
    return _UNSAFE.sub(" ", str(text or "")).strip().upper()[:limit]


def _amount(value: Any) -> str:
    if value is None or value == "":
        return "0"
    return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")


def _sender(batch: ValidatedBatch, client_id: str) -> tuple[str, str]:
    """The submitter's ISA qualifier and id (the source ISA05/06), else ``ZZ`` + client id."""
    interchanges: list[dict[str, Any]] = batch.meta.get("interchanges") or []  # type: ignore[assignment]
    for isa in interchanges:
        if isa.get("sender_id"):
            return str(isa.get("sender_qualifier") or "ZZ"), str(isa["sender_id"])
    return "ZZ", client_id


def _service_dates(row: dict[str, Any], fallback: dt.date) -> list[str]:
    start, end = row.get("service_date_from"), row.get("service_date_to")
    if start is None:
        return ["D8", fallback.strftime("%Y%m%d")]
    if end is None or end == start:
        return ["D8", start.strftime("%Y%m%d")]
    return ["RD8", f"{start:%Y%m%d}-{end:%Y%m%d}"]


def build_277ca(
    batch: ValidatedBatch,
    completed: pl.DataFrame,
    *,
    sha256: str,
    received_at: dt.datetime,
    client_id: str,
    client_name: str,
    receiver_id: str,
) -> bytes | None:
    """The 277CA of one file's claims, or ``None`` when the file has no claim."""
    if batch.records.height == 0:
        return None
    statuses = status_rows(batch, completed)
    facts = {
        r[RECORD_INDEX]: r
        for r in batch.records.select(
            RECORD_INDEX,
            *(
                c
                for c in ("billing_npi", "member_id", "service_date_from", "service_date_to")
                if c in batch.records.columns
            ),
        ).iter_rows(named=True)
    }
    day, hm = received_at.strftime("%Y%m%d"), received_at.strftime("%H%M")
    control = f"{int(sha256[:8] or '1', 16) % 999_999_000 + 1:09d}"
    trace = sha256[:16]
    qualifier, sender = _sender(batch, client_id)
    us = _clean(receiver_id, 15) or "BPO"
    accepted = statuses.filter(pl.col("category").is_in(["A1", "A2"]))
    rejected = statuses.filter(~pl.col("category").is_in(["A1", "A2"]))

    def total(frame: pl.DataFrame) -> str:
        return _amount(
            sum((Decimal(v) for v in frame.get_column("total_charge").drop_nulls()), Decimal(0))
        )

    body: list[list[str]] = [
        ["ST", "277", "0001", "005010X214"],
        ["BHT", "0085", "08", trace, day, hm, "TH"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "AY", "2", us, "", "", "", "", "46", us],
        ["TRN", "1", trace],
        ["DTP", "050", "D8", day],
        ["DTP", "009", "D8", day],
        ["HL", "2", "1", "21", "1"],
        [
            "NM1",
            "41",
            "2",
            _clean(client_name, 60) or _clean(client_id, 60),
            "",
            "",
            "",
            "",
            "46",
            _clean(sender, 80),
        ],
        ["TRN", "2", trace],
        ["STC", "A1:19", day, "WQ", total(statuses)],
        ["QTY", "90", str(accepted.height)],
        ["QTY", "AA", str(rejected.height)],
        ["AMT", "YU", total(accepted)],
        ["AMT", "YY", total(rejected)],
    ]
    hl = 2
    by_provider: dict[str, list[dict[str, Any]]] = {}
    for row in statuses.iter_rows(named=True):
        npi = facts.get(row[RECORD_INDEX], {}).get("billing_npi") or ""
        by_provider.setdefault(str(npi), []).append(row)
    for npi, rows in by_provider.items():
        hl += 1
        provider = hl
        id_qualifier, provider_id = ("XX", npi) if npi else ("SV", client_id)
        body += [
            ["HL", str(provider), "2", "19", "1"],
            [
                "NM1",
                "85",
                "2",
                _clean(client_name, 60) or _clean(client_id, 60),
                "",
                "",
                "",
                "",
                id_qualifier,
                _clean(provider_id, 80),
            ],
            ["TRN", "1", "0"],
            ["STC", "A1:19", "", "WQ", total(pl.DataFrame(rows, schema=statuses.schema))],
        ]
        for row in rows:
            hl += 1
            fact = facts.get(row[RECORD_INDEX], {})
            code, action = _STATUS[row["category"]]
            stc = ["STC", code, day, action, _amount(row["total_charge"])]
            if action == "U":
                reason = "; ".join(p for p in (row["reason_codes"], row["message"]) if p)
                stc += [""] * 7 + [_clean(reason, 264)]
            body += [
                ["HL", str(hl), str(provider), "PT"],
                [
                    "NM1",
                    "QC",
                    "1",
                    _NO_NAME,
                    "",
                    "",
                    "",
                    "",
                    "MI",
                    _clean(fact.get("member_id"), 80) or _NO_NAME,
                ],
                ["TRN", "2", _clean(row["claim_id"], 50) or f"{trace}-{row[RECORD_INDEX]}"],
                stc,
                ["REF", "D9", f"{trace}-{row[RECORD_INDEX]}"],
                ["DTP", "472", *_service_dates(fact, received_at.date())],
            ]
    body.append(["SE", str(len(body) + 1), "0001"])
    segments: list[list[str]] = [
        [
            "ISA",
            "00",
            _ISA_BLANK,
            "00",
            _ISA_BLANK,
            "ZZ",
            f"{us:<15}"[:15],
            f"{qualifier:<2}"[:2],
            f"{_clean(sender, 15):<15}"[:15],
            received_at.strftime("%y%m%d"),
            hm,
            "^",
            "00501",
            control,
            "0",
            "P",
            ":",
        ],
        ["GS", "HN", us, _clean(sender, 15), day, hm, "1", "X", "005010X214"],
        *body,
        ["GE", "1", "1"],
        ["IEA", "1", control],
    ]
    return "".join(_segment(s) + "~\n" for s in segments).encode("ascii", errors="replace")


def _segment(elements: list[str]) -> str:
    while len(elements) > 1 and elements[-1] == "":
        elements = elements[:-1]
    return "*".join(elements)


__all__ = ["build_277ca"]
