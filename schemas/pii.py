"""Which fields are personal data, and how they look in every view (logs, artifacts, queues)."""

from __future__ import annotations

import re
from typing import Any

#: What :func:`mask` makes of a value: stars, then at most its last four characters.
_MASKED = re.compile(r"\*+[^*]{0,4}")

PII_FIELDS: dict[str, frozenset[str]] = {
    "payroll": frozenset({"account_number", "routing_number"}),
    "claims": frozenset(
        {
            "member_id",
            "subscriber_id",
            "patient_name",
            "subscriber_name",
            "patient_dob",
            "subscriber_dob",
            "patient_first_name",
            "patient_last_name",
            "subscriber_first_name",
            "subscriber_last_name",
            "date_of_birth",
        }
    ),
    "invoices": frozenset({"vendor_iban", "iban", "bank_account"}),
}


def mask(value: Any) -> Any:
    """``"123456789"`` -> ``"*****6789"``; short values are masked whole."""
    if value is None:
        return None
    text = str(value)
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


def is_masked(value: Any) -> bool:
    """Whether ``value`` reads like :func:`mask`'s output (``*********0002``): a view's masked
    text, never a real value, so it must not be taken as a correction.

    >>> is_masked("*********0002"), is_masked("****"), is_masked("0002"), is_masked(None)
    (True, True, False, False)
    """
    return isinstance(value, str) and _MASKED.fullmatch(value.strip()) is not None


def mask_fields(doc_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``fields`` with the doc type's PII masked (nested lists of dicts too)."""
    pii = PII_FIELDS.get(doc_type, frozenset())

    def walk(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: mask(v) if k in pii else walk(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        return obj

    return dict(walk(fields))
