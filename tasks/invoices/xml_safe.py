"""Parse untrusted XML with defusedxml: no DTDs, no entities, no network.

A billion-laughs bomb, an external entity or a DTD becomes a file issue, never a crash.
"""

from __future__ import annotations

from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from readers.xml_budget import check_xml
from schemas.issue import Issue
from schemas.money import CENT, parse_amount

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
ZUGFERD_1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
#: Root namespace -> syntax this package reads.
KNOWN_ROOTS = {
    f"{{{UBL_INVOICE}}}Invoice": "ubl",
    f"{{{UBL_CREDIT_NOTE}}}CreditNote": "ubl",
    f"{{{CII}}}CrossIndustryInvoice": "cii",
    f"{{{ZUGFERD_1}}}CrossIndustryDocument": "cii",
}


def parse_xml(data: bytes) -> Element | Issue:
    """The root element, or a file issue saying why the XML cannot be used.

    The reading budgets ``max_xml_bytes`` and ``max_xml_depth`` are checked first (a
    streaming pass that builds nothing); over one raises
    :class:`readers.budget.BudgetExceededError`.
    """
    check_xml(data)
    try:
        root: Element = fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        return root
    except DefusedXmlException as exc:
        return Issue(
            code="INV-XML-FORBIDDEN",
            message=(
                f"The XML declares a DTD or entities ({type(exc).__name__}), which invoices never"
                " need; it was not processed. Ask the sender for a plain UBL or CII file."
            ),
        )
    except (ParseError, ValueError, UnicodeDecodeError) as exc:
        return Issue(code="INV-XML-MALFORMED", message=f"The XML cannot be parsed: {exc}.")


def syntax_of(root: Element) -> str | Issue:
    """``ubl`` or ``cii``, or a file issue for XML of another kind or namespace."""
    syntax = KNOWN_ROOTS.get(root.tag)
    if syntax is None:
        return Issue(
            code="INV-XML-NAMESPACE",
            message=(
                f"Root element {root.tag!r} is not a UBL 2.1 Invoice/CreditNote or a UN/CEFACT"
                " CII invoice; check the file type or the namespace."
            ),
        )
    return syntax


def text(el: Element | None, path: str) -> str | None:
    """Text of the first match of ``path`` (namespace-agnostic: ``{*}`` per step)."""
    if el is None:
        return None
    found = el.find(ns_any(path)) if path else el
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def ns_any(path: str) -> str:
    """``A/B`` -> ``{*}A/{*}B`` (``.//`` and ``..`` pass through)."""
    parts = []
    for step in path.split("/"):
        parts.append(step if step in ("", ".", "..") or step.startswith("{") else "{*}" + step)
    return "/".join(parts)


def xml_decimal(value: str | None) -> Decimal | None:
    """An ``xs:decimal`` element's value (``schemas.money``, plain style); None when absent or
    not a number."""
    return None if value is None else parse_amount(value, style="plain")


def amount_text(el: Element | None, name: str, currency: str | None) -> str | None:
    """Amount text; where several carry ``currencyID`` (tax in two currencies), the invoice's."""
    if el is None:
        return None
    found = el.findall(ns_any(name))
    for f in in_currency(found, currency):
        return f.text.strip() if f.text else None
    return found[0].text.strip() if found and found[0].text else None


def in_currency(amounts: list[Element], currency: str | None) -> list[Element]:
    """The amounts stated in ``currency`` (or without a ``currencyID``); all when it is
    unknown."""
    return [a for a in amounts if not currency or a.get("currencyID") in (None, currency)]


def tax_total_issue(amounts: list[Element], currency: str | None) -> Issue | None:
    """BR-CO-15's reading of the VAT total: the one amount in the invoice currency. Two of
    them, or only amounts in another currency (the VAT accounting currency), is an error."""
    if not currency or not amounts:
        return None
    own = in_currency(amounts, currency)
    if len(own) > 1:
        return Issue(
            code="BR-CO-15",
            field="tax_total",
            message=f"The VAT total in {currency} is given {len(own)} times"
            f" ({', '.join((a.text or '').strip() for a in own)}); keep the one that is right.",
        )
    if not own:
        others = sorted({a.get("currencyID") or "" for a in amounts})
        return Issue(
            code="BR-CO-15",
            field="tax_total",
            message=f"The VAT total is given in {', '.join(others)} only, not in the invoice"
            f" currency {currency}; add it in {currency}.",
        )
    return None


def per_unit_price(
    price: Decimal | None,
    basis: Decimal | None,
    quantity: Decimal | None,
    amount: Decimal | None,
) -> Decimal | None:
    """The price of one unit: the net price (BT-146) is for its base quantity (BT-149).

    Some senders fill the base quantity with something else (the price again, say); when the
    undivided price makes the line's own amount and the divided one does not, the base
    quantity is ignored.
    """
    if price is None or basis is None or basis in (Decimal(0), Decimal(1)):
        return price
    per_unit = price / basis
    if quantity is not None and amount is not None:
        fits = abs(quantity * price - amount) <= CENT
        if fits and abs(quantity * per_unit - amount) > CENT:
            return price
    return per_unit
