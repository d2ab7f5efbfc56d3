"""Per-claim status report in 277CA categories, written as CSV (one row per claim).

| category | when |
|---|---|
| A2 | accepted into adjudication: the claim completed |
| A1 | received, pending: the claim is in review (codes say why) |
| A3 | returned as unprocessable: its functional group or transaction set was rejected (999) |
| A7 | rejected for invalid information: a claim edit rejected it |

Messages are the edits' own, which never carry PHI.
"""

from __future__ import annotations

import io

import polars as pl

from schemas.batch import RECORD_INDEX, ValidatedBatch
from schemas.formula import formula_safe
from schemas.issue import Severity

STATUS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    RECORD_INDEX: pl.UInt32,
    "claim_id": pl.String,
    "interchange_control": pl.String,
    "group_control": pl.String,
    "transaction_control": pl.String,
    "total_charge": pl.String,
    "category": pl.String,
    "status": pl.String,
    "reason_codes": pl.String,
    "message": pl.String,
}
_ENVELOPE_PREFIXES = ("ENV-", "X12-")


def status_rows(batch: ValidatedBatch, completed: pl.DataFrame) -> pl.DataFrame:
    done = set(completed.get_column(RECORD_INDEX).to_list()) if completed.height else set()
    by_record: dict[int, list[tuple[str, str, str]]] = {}
    for index, code, message, severity in batch.issues.select(
        RECORD_INDEX, "code", "message", "severity"
    ).iter_rows():
        by_record.setdefault(index, []).append((code, message, severity))
    rows: dict[str, list[object]] = {name: [] for name in STATUS_SCHEMA}
    records = batch.records
    for row in records.iter_rows(named=True):
        index = row[RECORD_INDEX]
        issues = by_record.get(index, [])
        rejects = [i for i in issues if i[2] == Severity.REJECT.value]
        if index in done:
            category, status, shown = "A2", "accepted", []
        elif rejects:
            envelope = any(c.startswith(_ENVELOPE_PREFIXES) for c, _, _ in rejects)
            category, status, shown = ("A3" if envelope else "A7"), "rejected", rejects
        else:
            category, status, shown = "A1", "pending review", issues
        rows[RECORD_INDEX].append(index)
        rows["claim_id"].append(row.get("record_key"))
        for name in ("interchange_control", "group_control", "transaction_control"):
            rows[name].append(row.get(name))
        total = row.get("total_charge")
        rows["total_charge"].append(None if total is None else str(total))
        rows["category"].append(category)
        rows["status"].append(status)
        rows["reason_codes"].append(";".join(dict.fromkeys(c for c, _, _ in shown)))
        rows["message"].append(shown[0][1] if shown else "")
    return pl.DataFrame(rows, schema=STATUS_SCHEMA)


def status_csv(batch: ValidatedBatch, completed: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    formula_safe(status_rows(batch, completed)).write_csv(buffer)
    return buffer.getvalue()
