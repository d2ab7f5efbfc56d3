"""The item page's form as data: the record's fields as inputs (scalars), lists of values as
one input each (diagnosis codes), lists of objects as an editable table (line items), each
with the reasons it is flagged for; and the corrections a submitted form asks for.

Input names are the correction paths: ``f:routing_number``, ``f:lines[1].amount``,
``f:diagnosis_codes[0]``; ``orig:<path>`` carries the value shown, so only what the reviewer
changed is a correction, and a masked value submitted as shown never overwrites the real one.
A blank last row adds an entry; ``remove:lines[1]`` drops one. After a refusal the page is
drawn again from what was typed (``typed``), so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from review.corrections import Correction
from schemas.pii import PII_FIELDS


@dataclass(frozen=True)
class Input:
    path: str
    label: str
    value: str
    original: str
    reasons: list[dict[str, Any]]
    pii: bool
    #: The value is a list written as comma-separated text (``modifiers``).
    listed: bool = False

    @property
    def changed(self) -> bool:
        return self.value != self.original


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]
    rows: list[list[Input]]
    #: The blank row that adds an entry.
    new_row: list[Input]
    reasons: list[dict[str, Any]]
    removed: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class ValueList:
    name: str
    inputs: list[Input]
    new_input: Input
    reasons: list[dict[str, Any]]


@dataclass(frozen=True)
class Form:
    scalars: list[Input]
    lists: list[ValueList]
    tables: list[Table]
    #: Reasons about no shown field (file-level, record key...).
    other: list[dict[str, Any]]

    @property
    def first_flagged(self) -> str | None:
        for group in (
            self.scalars,
            *(v.inputs for v in self.lists),
            *(c for t in self.tables for c in t.rows),
        ):
            for i in group:
                if i.reasons:
                    return i.path
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _reasons_by_path(reasons: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in reasons:
        out.setdefault(str(r.get("field") or ""), []).append(r)
    return out


def build_form(
    fields: Mapping[str, Any],
    reasons: list[dict[str, Any]],
    *,
    doc_type: str,
    typed: Mapping[str, str] | None = None,
    removed: set[str] | None = None,
    refused: list[dict[str, Any]] | None = None,
) -> Form:
    """The form for a record's (masked) ``fields``; ``typed`` (path -> text) and ``removed``
    redraw what a refused submission asked for, ``refused`` its remaining reasons."""
    typed = typed or {}
    removed = removed or set()
    by_path = _reasons_by_path([*reasons, *(refused or [])])
    pii = PII_FIELDS.get(doc_type, frozenset())
    used: set[str] = set()

    def make(path: str, label: str, value: Any, leaf: str) -> Input:
        original = _text(value)
        used.add(path)
        return Input(
            path=path,
            label=label,
            value=typed.get(path, original),
            original=original,
            reasons=by_path.get(path, []),
            pii=leaf in pii,
            listed=isinstance(value, list),
        )

    scalars: list[Input] = []
    lists: list[ValueList] = []
    tables: list[Table] = []
    for name, value in fields.items():
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            columns: list[str] = []
            for row in value:
                for key in row if isinstance(row, dict) else ():
                    if key not in columns:
                        columns.append(key)
            rows = [
                [make(f"{name}[{i}].{c}", c, (row or {}).get(c), c) for c in columns]
                for i, row in enumerate(value)
            ]
            n = len(value)
            blank = [make(f"{name}[{n}].{c}", c, None, c) for c in columns]
            gone = {i for i in range(n) if f"{name}[{i}]" in removed}
            tables.append(Table(name, columns, rows, blank, by_path.get(name, []), gone))
            used.add(name)
        elif isinstance(value, list):
            inputs = [make(f"{name}[{i}]", f"{i + 1}", v, name) for i, v in enumerate(value)]
            extra = make(f"{name}[{len(value)}]", "new", None, name)
            lists.append(ValueList(name, inputs, extra, by_path.get(name, [])))
            used.add(name)
        elif isinstance(value, dict):
            continue  # nested objects are not edited here (none of our records has one)
        else:
            scalars.append(make(name, name, value, name))
    other = [
        r
        for path, rs in by_path.items()
        if path not in used and not any(path.startswith(f"{t.name}[") for t in tables)
        for r in rs
    ]
    return Form(scalars, lists, tables, other)


def typed_values(form: Any) -> tuple[dict[str, str], set[str]]:
    """``(path -> text typed, paths marked for removal)`` of a submitted form."""
    typed = {key[2:]: str(value) for key, value in form.multi_items() if key.startswith("f:")}
    removed = {key[7:] for key, _v in form.multi_items() if key.startswith("remove:")}
    return typed, removed


def corrections_of(form: Any, fields: Mapping[str, Any], extra_lines: str = "") -> list[Correction]:
    """What the reviewer changed: inputs whose text differs from the one shown, new rows with
    anything typed, entries marked for removal, and ``path=value`` lines (``extra``)."""
    from review.corrections import parse_correction

    typed, removed = typed_values(form)
    out: list[Correction] = []
    new_rows: dict[str, list[tuple[str, str]]] = {}
    for path, value in typed.items():
        head = path.split(".", 1)[0]
        if _is_new_entry(fields, head):  # every cell of a new row, if any is filled
            new_rows.setdefault(head, []).append((path, value))
            continue
        if value == str(form.get(f"orig:{path}", "")):
            continue
        out.append(Correction(path, _as_value(fields, path, value.strip())))
    for entries in new_rows.values():
        if any(v.strip() for _p, v in entries):
            out.extend(Correction(p, _as_value(fields, p, v.strip())) for p, v in entries)
    out.extend(Correction(path, None, remove=True) for path in sorted(removed))
    for line in extra_lines.splitlines():
        extra = parse_correction(line)
        if extra is not None:
            out.append(Correction(extra.field, str(extra.value).strip()))
    return out


def _is_new_entry(fields: Mapping[str, Any], head: str) -> bool:
    """``lines[3]`` of a record with three lines: the blank row."""
    name, _, index = head.partition("[")
    value = fields.get(name)
    return bool(index) and isinstance(value, list) and int(index.rstrip("]")) >= len(value)


def _as_value(fields: Mapping[str, Any], path: str, text: str) -> Any:
    """A list-valued cell (``modifiers``) typed as ``25, 59`` is a list again."""
    current = _lookup(fields, path)
    if current is None and "[" in path:  # a new entry: shaped like the first one
        name, _, rest = path.partition("[")
        current = _lookup(fields, f"{name}[0{rest[rest.index(']') :]}")
    if isinstance(current, list):
        return [v.strip() for v in text.split(",") if v.strip()]
    return text


def _lookup(fields: Mapping[str, Any], path: str) -> Any:
    node: Any = fields
    for part in path.split("."):
        name, _, index = part.partition("[")
        node = node.get(name) if isinstance(node, dict) else None
        if index:
            i = int(index.rstrip("]"))
            node = node[i] if isinstance(node, list) and i < len(node) else None
    return node
