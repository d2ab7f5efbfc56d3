"""Records frame rows <-> JSON-compatible canonical fields (``record_json``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from schemas.invoice import CANONICAL_FIELDS, LINE_SCHEMA, OPTIONAL_EXTRA_FIELDS


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_fields(row: dict[str, Any]) -> dict[str, Any]:
    """Canonical fields + ``document_type`` (+ extras only when they hold a value)."""
    out: dict[str, Any] = {"document_type": row.get("document_type")}
    for name in CANONICAL_FIELDS:
        if name == "lines":
            out["lines"] = [
                {k: jsonable(ln.get(k)) for k in LINE_SCHEMA} for ln in row.get("lines") or []
            ]
        else:
            out[name] = jsonable(row.get(name))
    for name in OPTIONAL_EXTRA_FIELDS:
        if row.get(name) is not None:
            out[name] = jsonable(row[name])
    return out
