"""An amount written in another currency than its invoice's: ``INV-CURRENCY-MISMATCH``.

An EUR invoice whose total reads ``$1,200.00`` is not 1,200 euros; nothing converts it, so a
person decides. The amounts' text as the document wrote it (``Candidate.raw``) is read by the
one currency reader (:func:`schemas.money.other_currency`): a symbol the invoice's currency
shares (``$`` on a CAD invoice) names no other currency.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from schemas.issue import Issue
from schemas.money import other_currency

#: Header amounts and the line amounts whose text may name a currency.
HEADER_AMOUNTS = ("subtotal", "tax_total", "total", "allowance_total", "charge_total")
LINE_AMOUNTS = ("unit_price", "amount")


def _amount_texts(raw: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name in HEADER_AMOUNTS:
        if isinstance(text := raw.get(name), str):
            yield name, text
    lines = raw.get("lines")
    for n, line in enumerate(lines if isinstance(lines, list) else []):
        for name in LINE_AMOUNTS:
            if isinstance(line, Mapping) and isinstance(text := line.get(name), str):
                yield f"lines[{n}].{name}", text


def currency_issues(raw: Mapping[str, Any], currency: object) -> list[Issue]:
    """One issue per amount whose text names a currency other than the invoice's."""
    if not isinstance(currency, str) or not currency:
        return []
    out = []
    for field, text in _amount_texts(raw):
        named = other_currency(text, currency)
        if named is not None:
            out.append(
                Issue(
                    code="INV-CURRENCY-MISMATCH",
                    field=field,
                    message=(
                        f"{field} {text.strip()[:40]!r} is written in {named}, but the invoice is"
                        f" in {currency}; correct the amount or the invoice currency (amounts"
                        " are not converted)."
                    ),
                )
            )
    return out
