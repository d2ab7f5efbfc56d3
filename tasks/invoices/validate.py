"""All rules for a list of candidates: the invoice's own rules, confidence, reference data and
duplicates inside the file. Returns ``(record_index, Issue)`` pairs."""

from __future__ import annotations

from decimal import Decimal

from schemas.invoice import Invoice, InvoiceLine
from schemas.issue import Issue
from schemas.lengths import too_long
from schemas.money import CENT
from tasks.doctype import ClientContext
from tasks.invoices.candidate import Candidate
from tasks.invoices.currency_rules import currency_issues
from tasks.invoices.identifiers import compact_tax_id
from tasks.invoices.reference_rules import normalise_name, reference_issues
from tasks.invoices.rules import REQUIRED, check
from tasks.invoices.vat_country import vat_country_issue

#: The official CII rule for BR-CO-17 accepts a VAT category amount within 1.00 of taxable x
#: rate (UBL's does not); CII invoices are held to it, so what it accepts is not flagged here.
CII_VAT_TOLERANCE = Decimal(1)
#: A field read with less confidence than the client asks for: a person compares it.
LOW_CONFIDENCE = "INV-LOW-CONFIDENCE"


def dedupe_key(vendor_tax_id: object, vendor_name: object, invoice_number: object) -> str | None:
    """``<vendor>|<invoice_number>``: vendor by compact tax id, else by normalised name."""
    if not isinstance(invoice_number, str) or not invoice_number.strip():
        return None
    if isinstance(vendor_tax_id, str) and compact_tax_id(vendor_tax_id):
        vendor = compact_tax_id(vendor_tax_id)
    elif isinstance(vendor_name, str):
        vendor = normalise_name(vendor_name)
    else:
        vendor = ""
    return f"{vendor}|{invoice_number.strip().upper()}"


def confidence_issues(cand: Candidate, threshold: Decimal) -> list[Issue]:
    """Every field read below the client's threshold, required or not: a wrong tax total or
    due date is as costly as a wrong total, so none is completed on a weak reading."""
    out = []
    for name in (*REQUIRED, *(k for k in cand.confidence if k not in REQUIRED)):
        conf = cand.confidence.get(name)
        if name in cand.values and conf is not None and Decimal(str(conf)) < threshold:
            shown = cand.raw.get(name) or cand.values[name]
            out.append(
                Issue(
                    code=LOW_CONFIDENCE,
                    field=name,
                    message=(
                        f"{name} was read as {str(shown)!r} with confidence {conf:.2f} (below"
                        f" {threshold}); compare it with the document."
                    ),
                )
            )
    return out


_UNPARSED = frozenset({"INV-DATE-INVALID", "INV-AMOUNT-INVALID"})


def own_issues(cand: Candidate) -> list[Issue]:
    """Parse issues plus the invoice's own rules; a field present but unparseable is reported
    once (``INV-DATE-INVALID``), not again as missing (``BR-03``)."""
    unparsed = {i.field for i in cand.issues if i.code in _UNPARSED}
    rules = check(
        cand.values,
        line_total=cand.line_total,
        breakdown=cand.tax_breakdown,
        vat_tolerance=CII_VAT_TOLERANCE if cand.source in ("cii", "facturx") else CENT,
    )
    shadowed = {code for code, _ in REQUIRED.values()}
    return [*cand.issues, *(i for i in rules if not (i.field in unparsed and i.code in shadowed))]


def candidate_issues(cand: Candidate, ctx: ClientContext) -> list[Issue]:
    issues = own_issues(cand)
    issues.extend(too_long(Invoice, cand.values, "INV-TOO-LONG"))
    for n, item in enumerate(cand.values.get("lines") or ()):
        issues.extend(too_long(InvoiceLine, item, "INV-TOO-LONG", f"lines[{n}]."))
    issues.extend(currency_issues(cand.raw, cand.values.get("currency")))
    mismatch = vat_country_issue(cand.values.get("vendor_tax_id"), cand.raw.get("vendor_country"))
    if mismatch is not None:
        issues.append(mismatch)
    issues.extend(confidence_issues(cand, ctx.client.invoices.confidence_threshold))
    issues.extend(reference_issues(cand.values, ctx.client.invoices, ctx.reference_frame))
    return issues


def validate_all(cands: list[Candidate], ctx: ClientContext) -> list[tuple[int, Issue]]:
    out: list[tuple[int, Issue]] = []
    seen: dict[str, int] = {}
    for i, cand in enumerate(cands):
        out.extend((i, issue) for issue in candidate_issues(cand, ctx))
        v = cand.values
        key = dedupe_key(v.get("vendor_tax_id"), v.get("vendor_name"), v.get("invoice_number"))
        if key is None:
            continue
        if key in seen:
            out.append(
                (
                    i,
                    Issue(
                        code="INV-DUPLICATE-IN-FILE",
                        field="invoice_number",
                        message=(
                            f"Invoice {v.get('invoice_number')} of this vendor appears again in"
                            f" this file (record {seen[key]}); reject the copy."
                        ),
                    ),
                )
            )
        else:
            seen[key] = i
    return out
