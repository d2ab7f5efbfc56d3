"""Claims as frames: the records frame of a batch, canonical JSON, header and line tables.

The records frame has ``record_index``, ``record_key`` (CLM01), the scalar ``Claim`` fields
(money ``Decimal(18, 2)``, dates ``Date``), ``diagnosis_codes`` and ``diagnosis_qualifiers`` as
``List(String)``, ``lines`` as a JSON string (a list of line objects with the canonical line
fields plus ``diagnosis_pointers`` and ``revenue_code``), the envelope control numbers the claim
came in (``interchange_control``, ``group_control``, ``transaction_control``) and ``raw``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import polars as pl

from schemas.batch import RECORD_INDEX, RECORD_KEY
from schemas.claim import CLAIM_FIELDS, CLAIM_SCALAR_SCHEMA, LINE_SCALAR_SCHEMA, Claim, ServiceLine

ENVELOPE_COLUMNS = ("interchange_control", "group_control", "transaction_control")
RECORDS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    RECORD_INDEX: pl.UInt32,
    RECORD_KEY: pl.String,
    **CLAIM_SCALAR_SCHEMA,
    "diagnosis_codes": pl.List(pl.String),
    "diagnosis_qualifiers": pl.List(pl.String),
    "lines": pl.String,
    **dict.fromkeys(ENVELOPE_COLUMNS, pl.String),
    "raw": pl.String,
}
LINES_TABLE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    RECORD_INDEX: pl.UInt32,
    "claim_id": pl.String,
    "line_number": pl.UInt32,
    **LINE_SCALAR_SCHEMA,
    "modifiers": pl.List(pl.String),
    "diagnosis_pointers": pl.List(pl.Int64),
}


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def line_json(line: ServiceLine) -> dict[str, Any]:
    return {
        "procedure_code": line.procedure_code,
        "modifiers": list(line.modifiers),
        "charge": _text(line.charge),
        "units": _text(line.units),
        "service_date": _text(line.service_date),
        "diagnosis_pointers": list(line.diagnosis_pointers),
        "revenue_code": line.revenue_code,
    }


def lines_json(claim: Claim) -> str:
    return json.dumps([line_json(x) for x in claim.lines], separators=(",", ":"))


def records_frame(
    claims: list[Claim], envelopes: list[tuple[str, str, str]], raws: list[str]
) -> pl.DataFrame:
    """One row per claim, in file order; ``envelopes`` and ``raws`` are parallel to ``claims``."""
    columns: dict[str, list[Any]] = {
        RECORD_INDEX: list(range(len(claims))),
        RECORD_KEY: [c.claim_id for c in claims],
    }
    for name in CLAIM_SCALAR_SCHEMA:
        columns[name] = [getattr(c, name) for c in claims]
    columns["diagnosis_codes"] = [list(c.diagnosis_codes) for c in claims]
    columns["diagnosis_qualifiers"] = [list(c.diagnosis_qualifiers) for c in claims]
    columns["lines"] = [lines_json(c) for c in claims]
    for i, name in enumerate(ENVELOPE_COLUMNS):
        columns[name] = [e[i] for e in envelopes]
    columns["raw"] = raws
    return pl.DataFrame(columns, schema=RECORDS_SCHEMA)


def record_json(records: pl.DataFrame) -> list[dict[str, Any]]:
    """Exactly the DESIGN.md claim fields per record; money and dates as strings."""
    out = []
    for row in records.iter_rows(named=True):
        fields = {name: _text(row.get(name)) for name in CLAIM_FIELDS if name != "lines"}
        fields["diagnosis_codes"] = list(row.get("diagnosis_codes") or [])
        fields["lines"] = json.loads(row.get("lines") or "[]")
        out.append({name: fields[name] for name in CLAIM_FIELDS})
    return out


def header_table(records: pl.DataFrame) -> pl.DataFrame:
    """Claim header rows for the Parquet output (no ``raw``, no JSON)."""
    keep = [c for c in RECORDS_SCHEMA if c not in ("raw", "lines", RECORD_KEY)]
    return records.select([c for c in keep if c in records.columns])


def lines_table(records: pl.DataFrame) -> pl.DataFrame:
    rows: dict[str, list[Any]] = {name: [] for name in LINES_TABLE_SCHEMA}
    for index, claim_id, text in records.select(RECORD_INDEX, "claim_id", "lines").iter_rows():
        for n, line in enumerate(json.loads(text or "[]"), start=1):
            rows[RECORD_INDEX].append(index)
            rows["claim_id"].append(claim_id)
            rows["line_number"].append(n)
            rows["procedure_code"].append(line.get("procedure_code"))
            rows["charge"].append(Decimal(line["charge"]) if line.get("charge") else None)
            rows["units"].append(Decimal(line["units"]) if line.get("units") else None)
            date = line.get("service_date")
            rows["service_date"].append(dt.date.fromisoformat(date) if date else None)
            rows["revenue_code"].append(line.get("revenue_code"))
            rows["modifiers"].append(list(line.get("modifiers") or []))
            rows["diagnosis_pointers"].append(list(line.get("diagnosis_pointers") or []))
    return pl.DataFrame(rows, schema=LINES_TABLE_SCHEMA)
