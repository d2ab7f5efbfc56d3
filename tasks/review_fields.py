"""The fields a reviewer sees for a flagged record: canonical values, raw text where one failed.

A value that did not parse (a date of ``2026-02-31``, a number of ``lots``) is null in the
typed record; the reviewer sees what the file said instead, so they can correct it.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl


def merged_fields_json(fields: list[dict[str, Any]], raws: list[str | None]) -> pl.Series:
    """Row by row: ``fields`` (as ``record_json`` gives them) with raw text filling the nulls."""
    out = []
    for f, raw in zip(fields, raws, strict=True):
        try:
            raw_values = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            raw_values = {}
        if isinstance(raw_values, dict):
            for k, v in f.items():
                if v is None and raw_values.get(k) not in (None, ""):
                    f[k] = raw_values[k]
        out.append(json.dumps(f, default=str))
    return pl.Series("fields", out, dtype=pl.String)


#: Records encoded at a time: decoding ``raw`` into columns and encoding them again costs
#: about 2 KB a record in flight, 600 MB for a third of a million-row batch in one go.
_FIELDS_CHUNK = 20_000


def flat_fields_json(flagged: pl.DataFrame, columns: list[str]) -> pl.Series:
    """Column-wise, for records of flat scalar ``columns`` (``raw`` the JSON object of their
    text as the file wrote it): every value as text (decimals and dates as ``str`` writes
    them) or null. For columns without integers or booleans this is the answer of
    :func:`merged_fields_json`, without a Python object per record."""
    if flagged.height <= _FIELDS_CHUNK:
        return _flat_fields_json(flagged, columns)
    return pl.concat(
        [
            _flat_fields_json(flagged.slice(start, _FIELDS_CHUNK), columns)
            for start in range(0, flagged.height, _FIELDS_CHUNK)
        ],
        rechunk=True,
    )


def _flat_fields_json(flagged: pl.DataFrame, columns: list[str]) -> pl.Series:
    frame = flagged.select(columns)
    if "raw" in flagged.columns:  # decoded once, then one coalesce per column
        raw = flagged.get_column("raw").str.json_decode(
            pl.Struct(dict.fromkeys(columns, pl.String()))
        )
        frame = frame.with_columns(raw.struct.unnest().select(pl.all().name.prefix("__raw_")))
    values = []
    for c in columns:
        typed = pl.col(c).cast(pl.String)
        if f"__raw_{c}" in frame.columns:
            text = pl.col(f"__raw_{c}")
            typed = pl.coalesce(typed, pl.when(text != "").then(text))
        values.append(typed.alias(c))
    return frame.select(pl.struct(values).struct.json_encode().alias("fields")).to_series()


def reasons_json(reasons: pl.Series) -> pl.Series:
    """Each record's list of ``{code, field, message}`` as one JSON array (``[]`` when none)."""
    frame = reasons.to_frame("r").select(
        pl.concat_str(
            pl.lit("["),
            pl.col("r").list.eval(pl.element().struct.json_encode()).list.join(","),
            pl.lit("]"),
        )
        .fill_null("[]")
        .alias("reasons")
    )
    return frame.to_series()


def learned_from(records: pl.DataFrame) -> list[dict[str, str]]:
    """Per record, the fields read where a reviewer's earlier correction said they stand, and
    which review item taught each (``raw["learned_from"]``; empty for every other record)."""
    if "raw" not in records.columns:
        return [{} for _ in range(records.height)]
    out: list[dict[str, str]] = []
    for raw in records.get_column("raw").to_list():
        try:
            value = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            value = {}
        learned = value.get("learned_from") if isinstance(value, dict) else None
        out.append(
            {str(k): str(v) for k, v in learned.items()} if isinstance(learned, dict) else {}
        )
    return out
