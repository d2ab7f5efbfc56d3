"""Check digits of the seller's VAT id and IBAN (python-stdnum)."""

from __future__ import annotations

from stdnum import iban
from stdnum.eu import vat

from schemas.issue import Issue

_EU_PREFIXES = frozenset(vat.MEMBER_STATES) | {"el"}


def vat_id_issue(value: str) -> Issue | None:
    """``INV-VAT-ID`` when an EU VAT number fails its check digits; other schemes pass
    (a national tax number like ``201/113/40209`` is not a VAT id)."""
    compact = compact_tax_id(value)
    if len(compact) < 4 or compact[:2].lower() not in _EU_PREFIXES or compact[2:3].isalpha():
        return None
    if vat.is_valid(compact):
        return None
    return Issue(
        code="INV-VAT-ID",
        field="vendor_tax_id",
        message=f"VAT id {value!r} fails its check digits; check it against the vendor master.",
    )


def iban_issue(value: str) -> Issue | None:
    if iban.is_valid(value):
        return None
    return Issue(
        code="INV-IBAN",
        field="vendor_iban",
        message=f"IBAN {value!r} fails its check digits; confirm bank details with the vendor.",
    )


def compact_tax_id(value: str) -> str:
    """Tax ids compared without spaces, dots or case."""
    return "".join(ch for ch in value.upper() if ch.isalnum())
