"""CSV / JSON batches of invoices in the canonical fields.

CSV has one row per line item with the header fields repeated (grouped by ``invoice_number``
in file order); line columns are ``description, quantity, unit_price, amount`` or the same
with a ``line_`` prefix. JSON is a list of invoice objects (or ``{"invoices": [...]}``) with a
``lines`` list. The client's ``columns`` mapping renames its headers first.
"""

from __future__ import annotations

import json
from typing import Any

from readers.row_shape import ROW_SHAPE
from readers.tabular import TableError, named_frame, read_csv_strings
from schemas.issue import Issue
from schemas.money import parse_amount
from tasks.invoices.candidate import Candidate, line
from tasks.invoices.dates import month_first_document

_TEXT = (
    "invoice_number",
    "vendor_name",
    "vendor_tax_id",
    "vendor_iban",
    "buyer_name",
    "po_number",
    "document_type",
)
_DATES = ("invoice_date", "due_date")
_AMOUNTS = ("subtotal", "tax_total", "total", "allowance_total", "charge_total")
_ROW_SHAPE_HINT = (
    "{note} Its values may sit in the wrong columns: correct the invoice from the client's"
    " file, or reject it and ask for the row again."
)
_LINE_KEYS = ("description", "quantity", "unit_price", "amount", "tax_category", "tax_rate")


def _month_first(items: list[dict[str, Any]]) -> bool:
    """Whether the batch writes its slash dates month first (see ``month_first_document``):
    one ``11/17/2026`` in a date column settles how ``11/03/2026`` reads in all of them; with
    none, a batch in US dollars only is read month first."""
    currencies = {(_str(item.get("currency")) or "").upper() for item in items}
    return month_first_document(
        (text for item in items for name in _DATES if (text := _str(item.get(name)))),
        currencies.pop() if len(currencies) == 1 else None,
    )


def _candidate(fields: dict[str, Any], source: str, month_first: bool = False) -> Candidate:
    cand = Candidate(source=source)
    for name in _TEXT:
        cand.set_text(name, _str(fields.get(name)))
    if "document_type" not in cand.values:
        cand.set_text("document_type", "380")  # a batch row is an invoice unless it says not
    currency = _str(fields.get("currency"))
    cand.set_text("currency", currency.upper() if currency else None)
    for name in _DATES:
        cand.set_date(name, _str(fields.get(name)), month_first=month_first)
    for name in _AMOUNTS:
        cand.set_amount(name, _str(fields.get(name)))
    return cand


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        value = repr(value)  # JSON numbers: keep the digits as written, never float math
    return str(value).strip() or None


def _line(cand: Candidate, index: int, raw: dict[str, Any]) -> dict[str, Any] | None:
    values = {k: _str(raw.get(k)) for k in _LINE_KEYS}
    if not any(values.values()):
        return None
    parsed: dict[str, Any] = {}
    for key in ("quantity", "unit_price", "amount", "tax_rate"):
        text = values[key]
        parsed[key] = parse_amount(text) if text else None
        if text and parsed[key] is None:
            cand.issues.append(
                Issue(
                    code="INV-AMOUNT-INVALID",
                    field=f"lines[{index}].{key}",
                    message=f"{text!r} is not a number; enter digits like 12.50.",
                )
            )
    cand.raw.setdefault("lines", []).append(values)
    return line(description=values["description"], tax_category=values["tax_category"], **parsed)


def candidates_from_rows(rows: list[dict[str, Any]], source: str) -> list[Candidate]:
    """Group flat rows (one per line item) into invoices by ``invoice_number``."""
    order: list[str] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for i, row in enumerate(rows):
        key = _str(row.get("invoice_number")) or f"#row{i}"
        if key not in groups:
            order.append(key)
            groups[key] = []
        groups[key].append(row)
    out = []
    month_first = _month_first(rows)
    for key in order:
        first = groups[key][0]
        cand = _candidate(first, source, month_first)
        lines: list[dict[str, Any]] = []
        for row in groups[key]:
            item = {k: row.get(f"line_{k}", row.get(k)) for k in _LINE_KEYS}
            if "amount" not in row and "line_amount" not in row:
                item["amount"] = None
            parsed = _line(cand, len(lines), item)
            if parsed is not None:
                lines.append(parsed)
        cand.values["lines"] = lines
        cand.issues.extend(
            Issue(code="ROW-SHAPE", field="", message=_ROW_SHAPE_HINT.format(note=note))
            for row in groups[key]
            if (note := row.get(ROW_SHAPE))
        )
        out.append(cand)
    return out


def read_csv(data: bytes, columns: dict[str, str]) -> list[Candidate] | Issue:
    """Invoices of a CSV batch; a row that does not fit the header flags its invoice
    (``ROW-SHAPE``), a file that is not delimited text is a file issue."""
    try:
        frame = named_frame(read_csv_strings(data))
    except TableError as exc:
        return Issue(code=exc.code, message=exc.message)
    mapping = {c: columns.get(c, columns.get(c.strip(), c.strip().lower())) for c in frame.columns}
    mapping[ROW_SHAPE] = ROW_SHAPE
    frame = frame.rename(mapping)
    if "invoice_number" not in frame.columns or not {"total", "amount", "line_amount"} & set(
        frame.columns
    ):
        return Issue(
            code="INV-NOT-AN-INVOICE",
            message="The CSV has no invoice_number and total/amount columns; map the client's"
            " headers in [clients.<id>.invoices.columns].",
        )
    return candidates_from_rows(frame.to_dicts(), "csv")


def read_json(data: bytes, columns: dict[str, str]) -> list[Candidate] | Issue:
    try:
        doc = json.loads(data, parse_float=str, parse_int=str)
    except (ValueError, RecursionError) as exc:
        return Issue(code="INV-JSON-UNREADABLE", message=f"The JSON cannot be parsed: {exc}.")
    items = doc.get("invoices") if isinstance(doc, dict) else doc
    if isinstance(doc, dict) and items is None:
        items = [doc]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return Issue(code="INV-NOT-AN-INVOICE", message="The JSON holds no list of invoices.")
    out = []
    renamed = [{columns.get(k, k): v for k, v in item.items()} for item in items]
    month_first = _month_first(renamed)
    for fields in renamed:
        cand = _candidate(fields, "json", month_first)
        raw_lines = fields.get("lines") or []
        lines: list[dict[str, Any]] = []
        for raw in raw_lines if isinstance(raw_lines, list) else []:
            if isinstance(raw, dict) and (parsed := _line(cand, len(lines), raw)) is not None:
                lines.append(parsed)
        cand.values["lines"] = lines
        out.append(cand)
    return out


def candidate_from_fields(fields: dict[str, Any], source: str) -> Candidate:
    """One candidate from canonical fields as a reviewer edited them (strings or typed)."""
    cand = _candidate(fields, source)
    lines: list[dict[str, Any]] = []
    for raw in fields.get("lines") or []:
        if isinstance(raw, dict) and (parsed := _line(cand, len(lines), raw)) is not None:
            lines.append(parsed)
    cand.values["lines"] = lines
    return cand
