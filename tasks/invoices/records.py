"""Candidates -> the records frame of a :class:`schemas.batch.ValidatedBatch`.

Columns: ``record_index`` (UInt32), ``record_key`` (``invoice_number`` or ``#<index>``), the
scalar :data:`schemas.invoice.INVOICE_SCHEMA` columns (money ``Decimal(18, 2)``, dates
``Date``), ``lines`` (list of struct, :data:`schemas.invoice.LINES_DTYPE`), ``confidence``
(Float64, the lowest confidence of a required field), ``field_confidence``, ``field_source``
and ``raw`` (JSON strings for reviewers), ``source_format`` and ``pages`` (String, e.g. ``"1-2"``),
``sources`` (JSON: where each field was read on its page, for the review page's boxes; OCR).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import polars as pl

from schemas.batch import RECORD_INDEX, RECORD_KEY
from schemas.invoice import INVOICE_SCHEMA, LINE_SCHEMA, LINES_DTYPE
from schemas.money import to_cents
from tasks.invoices.candidate import Candidate
from tasks.invoices.rules import REQUIRED

RECORDS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    RECORD_INDEX: pl.UInt32,
    RECORD_KEY: pl.String,
    **INVOICE_SCHEMA,
    "lines": LINES_DTYPE,
    "confidence": pl.Float64,
    "field_confidence": pl.String,
    "field_source": pl.String,
    "source_format": pl.String,
    "pages": pl.String,
    "raw": pl.String,
    "sources": pl.String,
}


def _fit(value: Any, dtype: pl.DataType) -> Any:
    """Decimals rounded half-up to the column's scale (the unrounded value stays in ``raw``
    and ``INV-AMOUNT-DECIMALS`` already flags it)."""
    if isinstance(value, Decimal) and isinstance(dtype, pl.Decimal):
        scale = dtype.scale or 0
        return to_cents(value) if scale == 2 else value.quantize(Decimal(1).scaleb(-scale))
    return value


def record_key(cand: Candidate, index: int) -> str:
    number = cand.values.get("invoice_number")
    return number if isinstance(number, str) and number else f"#{index}"


def min_confidence(cand: Candidate) -> float:
    return min((cand.confidence.get(f, 0.0) for f in REQUIRED if f in cand.values), default=0.0)


def _raw_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _raw_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_raw_json(v) for v in value]
    return value if value is None or isinstance(value, (str, int, bool)) else str(value)


def _sources(cand: Candidate) -> str | None:
    """``{"<field>": {"page": 0-based, "bbox": [x0, top, x1, bottom], "confidence"}}`` of the
    fields whose place on the page the reader reported (see ``review.source_view``)."""
    if not cand.boxes:
        return None
    return json.dumps(
        {
            name: {"page": page, "bbox": list(bbox), "confidence": cand.confidence.get(name)}
            for name, (page, bbox) in cand.boxes.items()
        },
        sort_keys=True,
    )


def records_frame(candidates: list[Candidate]) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, cand in enumerate(candidates):
        row: dict[str, Any] = {RECORD_INDEX: i, RECORD_KEY: record_key(cand, i)}
        for name, dtype in INVOICE_SCHEMA.items():
            value = cand.values.get(name)
            if isinstance(dtype, pl.Decimal) and not isinstance(value, Decimal):
                value = None  # a non-amount never lands in a money column
            row[name] = _fit(value, dtype)
        row["lines"] = [
            {k: _fit(ln.get(k), dtype) for k, dtype in LINE_SCHEMA.items()}
            for ln in cand.values.get("lines") or []
        ]
        row["confidence"] = min_confidence(cand)
        row["field_confidence"] = json.dumps(cand.confidence, sort_keys=True)
        row["field_source"] = json.dumps(
            {k: cand.origin.get(k, cand.source) for k in cand.confidence}, sort_keys=True
        )
        row["source_format"] = cand.source
        row["pages"] = f"{cand.pages[0]}-{cand.pages[-1]}" if cand.pages else None
        row["raw"] = json.dumps(_raw_json(cand.raw), ensure_ascii=False, sort_keys=True)
        row["sources"] = _sources(cand)
        rows.append(row)
    return pl.DataFrame(rows, schema=RECORDS_SCHEMA)
