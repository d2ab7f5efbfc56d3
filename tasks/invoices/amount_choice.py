"""The jointly consistent choice of subtotal, tax and total.

Each amount field has several candidates (every labelled amount: ``Total HT``, ``TVA 20%``,
``Total TTC``, a prepayment, a carried-forward sum) and the page prints many more amounts. The
choice is the triple that adds up, ``subtotal + tax = total``, with the strongest labels; when
only two of the three are labelled, the third is the printed amount that completes the sum
(or the sum of the lines, for the subtotal), kept below the review threshold because no label
named it. When nothing adds up the caller falls back to the labels alone and the arithmetic
rules flag the invoice.

>>> from tasks.invoices.pdf_fields import Found
>>> found = [Found("total", "100,00", 0.9, 1), Found("tax_total", "20,00", 0.9, 1),
...          Found("total", "120,00", 0.9, 1)]
>>> sorted((k, v.text, v.confidence) for k, v in choose_amounts(found, set(), None).items())
[('subtotal', '100,00', 0.75), ('tax_total', '20,00', 0.9), ('total', '120,00', 0.9)]
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from schemas.money import parse_amount
from tasks.invoices.pdf_fields import Found

#: Confidence of an amount no label named, found because it completes the sum.
INFERRED = 0.75
_FIELDS = ("subtotal", "tax_total", "total")
#: Candidates per field looked at (the last printed ones: totals close the invoice).
_LIMIT = 12


def _options(found: Sequence[Found]) -> dict[str, dict[Decimal, Found]]:
    """Per field, its labelled values; of equal values the strongest, then the last."""
    out: dict[str, dict[Decimal, Found]] = {f: {} for f in _FIELDS}
    for f in found:
        if f.field not in out:
            continue
        value = parse_amount(f.text)
        if value is None:
            continue
        kept = out[f.field].get(value)
        if kept is None or f.confidence >= kept.confidence:
            out[f.field][value] = f
    return {k: dict(list(v.items())[-_LIMIT:]) for k, v in out.items()}


def _retag(f: Found, field: str, confidence: float | None = None) -> Found:
    return Found(
        field,
        f.text,
        f.confidence if confidence is None else confidence,
        f.page,
        f.source,
        f.context,
        f.top,
        f.x0,
    )


def _inferred(field: str, value: Decimal, page: int) -> Found:
    return Found(field, str(value), INFERRED, page, source="type")


def choose_amounts(
    found: Sequence[Found], printed: set[Decimal], line_sum: Decimal | None
) -> dict[str, Found]:
    """The consistent subtotal/tax/total (some or all of them), or ``{}`` when none adds up.

    A label read for one amount field may hold another's value (a grand total labelled
    ``Total`` that is the net, ``TVA`` beside the gross): every labelled amount may play
    any role, at a small cost when it is not the role its label says."""
    opts = _options(found)
    pool: dict[Decimal, tuple[str, Found]] = {}
    for field, values in opts.items():
        for value, f in values.items():
            if value not in pool or f.confidence > pool[value][1].confidence:
                pool[value] = (field, f)
    if not pool:
        return {}
    page = max(f.page for _, f in pool.values())

    def weight(value: Decimal, role: str) -> float:
        own, f = pool[value]
        return f.confidence * (1.0 if own == role else 0.6)

    best: tuple[float, dict[str, Found]] | None = None
    amounts = list(pool)
    for s in amounts:
        for t in [*amounts, Decimal(0)]:
            g = s + t
            if g not in pool or s <= 0 or t < 0 or t > s or g == s == t:
                continue
            if t == 0 and t not in pool and s == g:
                continue  # a single amount read twice proves nothing
            w_t = weight(t, "tax_total") if t in pool else 0.5
            score = weight(s, "subtotal") + w_t + weight(g, "total")
            if best is None or score > best[0]:
                roles = {"subtotal": s, "total": g}
                chosen = {r: _retag(pool[v][1], r) for r, v in roles.items()}
                chosen["tax_total"] = (
                    _retag(pool[t][1], "tax_total")
                    if t in pool
                    else _inferred("tax_total", t, page)
                )
                for r, v in (*roles.items(), ("tax_total", t)):
                    if v in pool and pool[v][0] != r:
                        chosen[r] = _retag(chosen[r], r, min(chosen[r].confidence, INFERRED))
                best = (score, chosen)
    if best is not None:
        return best[1]
    return _complete(opts, printed, line_sum, page)


def _complete(
    opts: dict[str, dict[Decimal, Found]],
    printed: set[Decimal],
    line_sum: Decimal | None,
    page: int,
) -> dict[str, Found]:
    """Two labelled amounts and the printed one (or the lines' sum) that completes them."""
    subs, taxes, totals = (opts[f] for f in _FIELDS)
    for t, ft in reversed(taxes.items()):
        for g, fg in reversed(totals.items()):
            s = g - t
            if s > t >= 0 and (s in printed or s == line_sum):
                return {
                    "subtotal": _inferred("subtotal", s, page),
                    "tax_total": ft,
                    "total": fg,
                }
        for s, fs in reversed(subs.items()):
            g = s + t
            if t < s and g in printed:
                return {"subtotal": fs, "tax_total": ft, "total": _inferred("total", g, page)}
    return {}
