"""Applying a reviewer's corrections to a flagged record and re-validating it by the same rules.

A correction names a canonical field (``routing_number``, or a path into a list such as
``lines[1].amount``) and its new value; an empty string clears the field. A value that reads
like the masked text views show (``*********0002``) is refused: it would replace the real
account or member id with stars. The corrected record
goes through the doc type's own ``revalidate``; when any rule still fails the change is refused
with those reasons and nothing is stored.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from schemas.batch import RECORD_INDEX, RECORD_KEY
from schemas.doc_type import DocType
from schemas.issue import Issue
from schemas.pii import is_masked
from schemas.short_text import shorten
from tasks.doctype import ClientContext, DocHandler

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")
#: A correction naming a field the record does not have (a typo, another doc type's field).
UNKNOWN_FIELD = "REVIEW-UNKNOWN-FIELD"
#: A correction typed as the masked text the queue shows.
MASKED_VALUE = "REVIEW-MASKED-VALUE"
#: Codes that say the correction itself is malformed, not that the record fails a rule.
CORRECTION_CODES = frozenset({UNKNOWN_FIELD, MASKED_VALUE})


@dataclass(frozen=True)
class Correction:
    """Set ``field`` to ``value``; with ``remove``, drop the list entry ``field`` names
    (``lines[2]``). A path one past a list's end (``lines[3].amount`` of three lines) adds an
    entry."""

    field: str
    value: Any
    remove: bool = False


def parse_correction(text: str) -> Correction | None:
    """``FIELD=VALUE`` as a correction (the value as typed); None without a field name."""
    name, sep, value = text.partition("=")
    return Correction(name.strip(), value) if sep and name.strip() else None


@dataclass(frozen=True)
class Applied:
    """The outcome of applying corrections: normalised fields, the issues that remain and the
    ``(field, before, after)`` changes a correction made (for the audit trail)."""

    fields: dict[str, Any]
    issues: list[Issue]
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def _steps(path: str) -> list[tuple[str, int | None]] | None:
    parts = path.split(".")
    out: list[tuple[str, int | None]] = []
    for part in parts:
        m = _STEP.fullmatch(part)
        if m is None:
            return None
        out.append((m.group(1), int(m.group(2)) if m.group(2) is not None else None))
    return out


def _get(fields: dict[str, Any], steps: list[tuple[str, int | None]]) -> Any:
    node: Any = fields
    for name, index in steps:
        node = node.get(name) if isinstance(node, dict) else None
        if index is not None:
            node = node[index] if isinstance(node, list) and index < len(node) else None
    return node


def _set(fields: dict[str, Any], steps: list[tuple[str, int | None]], value: Any) -> bool:
    node: Any = fields
    for pos, (name, index) in enumerate(steps):
        last = pos == len(steps) - 1
        if not isinstance(node, dict) or name not in node:
            return False
        if index is None:
            if last:
                node[name] = value
                return True
            node = node[name]
            continue
        seq = node[name]
        if not isinstance(seq, list) or index > len(seq):
            return False
        if index == len(seq):  # one past the end: a new entry, shaped like the others
            if not last and (not seq or not isinstance(seq[0], dict)):
                return False
            seq.append(dict.fromkeys(seq[0]) if not last else None)
        if last:
            seq[index] = value
            return True
        node = seq[index]
    return False


def _remove(fields: dict[str, Any], steps: list[tuple[str, int | None]]) -> Any:
    """Drop the list entry ``steps`` ends on; returns it (None when there is none)."""
    *parents, (name, index) = steps
    holder = _get(fields, parents) if parents else fields
    seq = holder.get(name) if isinstance(holder, dict) else None
    if index is None or not isinstance(seq, list) or index >= len(seq):
        return None
    return seq.pop(index)


def field_names(fields: dict[str, Any]) -> list[str]:
    """The paths a correction may name: top-level fields, and ``name[i].sub`` for the fields of
    a list's entries (shown once, as ``lines[i].amount``).

    >>> field_names({"total": "1", "lines": [{"amount": "1", "code": "A"}]})
    ['lines[i].amount', 'lines[i].code', 'total']
    """
    names: list[str] = []
    for name, value in fields.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            names.extend(f"{name}[i].{sub}" for sub in value[0])
        else:
            names.append(name)
    return sorted(names)


def apply_corrections(
    fields: dict[str, Any], corrections: Sequence[Correction]
) -> tuple[dict[str, Any], list[tuple[str, Any, Any]], list[Issue]]:
    """A corrected copy of ``fields``, the changes made, and issues for unknown fields."""
    out = copy.deepcopy(fields)
    changes: list[tuple[str, Any, Any]] = []
    problems: list[Issue] = []
    for c in (c for c in corrections if not c.remove):
        value = None if c.value == "" else c.value
        if is_masked(value):
            problems.append(
                Issue(
                    code=MASKED_VALUE,
                    field=c.field,
                    message=(
                        f"{c.value!r} is the masked text the queue shows, not a value: type the "
                        f"full {c.field} (or leave it out to keep the value the record has)."
                    ),
                )
            )
            continue
        steps = _steps(c.field)
        before = _get(out, steps) if steps else None
        if not steps or not _set(out, steps, value):
            problems.append(
                Issue(
                    code=UNKNOWN_FIELD,
                    field=c.field,
                    message=f"{c.field} is not a field of this record; its fields are "
                    + ", ".join(field_names(fields))
                    + ".",
                )
            )
            continue
        changes.append((c.field, before, value))
    # Removals after every change, each list's highest index first, so the indexes a
    # reviewer saw still name the entries they meant.
    removals = [(c, _steps(c.field)) for c in corrections if c.remove]
    removals.sort(key=lambda cs: -(cs[1][-1][1] or 0) if cs[1] else 0)
    for c, steps in removals:
        removed = _remove(out, steps) if steps and steps[-1][1] is not None else None
        if removed is None:
            problems.append(
                Issue(
                    code=UNKNOWN_FIELD,
                    field=c.field,
                    message=f"{c.field} is not an entry of this record that can be removed.",
                )
            )
            continue
        changes.append((c.field, removed, None))
    return out, changes, problems


def revalidate(
    handler: DocHandler,
    ctx: ClientContext,
    fields: dict[str, Any],
    corrections: Sequence[Correction] = (),
) -> Applied:
    """Apply ``corrections`` and run the doc type's rules on the result."""
    corrected, changes, problems = apply_corrections(fields, corrections)
    if problems:
        return Applied(fields, problems, changes)
    try:
        normalised, issues = handler.revalidate(corrected, ctx)
    except ValueError as exc:  # the record model itself refused the values
        return Applied(
            corrected, [Issue(code="REVIEW-INVALID", message=shorten(str(exc), 500))], changes
        )
    return Applied(normalised, list(issues), changes)


def completed_frame(
    doc_type: str, fields: dict[str, Any], ctx: ClientContext, *, record_index: int, record_key: str
) -> tuple[pl.DataFrame, bool]:
    """One typed record row (as the doc type's extractor would produce it) for metering and
    outputs, keeping the record's original ``record_index`` so its transaction id is unchanged.

    Returns the frame and whether the doc type's outputs can be written from it (for claims:
    the status report only, since the 999 belongs to the original interchange).
    """
    kind = DocType(doc_type)
    index = pl.lit(record_index, pl.UInt32).alias(RECORD_INDEX)
    if kind is DocType.PAYROLL:
        from schemas.payroll import PAYROLL_COLUMNS
        from tasks.payroll.rules import type_records

        raw = pl.DataFrame(
            {c: [None if fields.get(c) is None else str(fields[c])] for c in PAYROLL_COLUMNS},
            schema=dict.fromkeys(PAYROLL_COLUMNS, pl.String),
        ).with_row_index(RECORD_INDEX)
        # Typing only: the rules already passed in ``revalidate`` (they cost ~20 ms a row).
        return type_records(raw).select(PAYROLL_COLUMNS).with_columns(index), True
    if kind is DocType.INVOICES:
        from tasks.invoices.csv_json import candidate_from_fields
        from tasks.invoices.records import records_frame

        frame = records_frame([candidate_from_fields(fields, source="review")])
        return frame.with_columns(index), True
    lines = fields.get("lines") or []
    total = fields.get("total_charge")
    frame = pl.DataFrame(
        {
            RECORD_KEY: [record_key],
            "lines": [json.dumps(lines, default=str)],
            "total_charge": [None if total is None else str(total)],
        }
    ).with_columns(index)
    # The claim's status (A2, accepted after review) goes out as a status report; the 999
    # and the adjudication tables belong to the original interchange and are not rewritten.
    return frame.select(RECORD_INDEX, RECORD_KEY, "lines", "total_charge"), True
