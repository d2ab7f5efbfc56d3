"""PDF with a text layer -> one candidate per invoice it holds.

Pages are grouped into invoices by their invoice number: a page that names a number other
than the current invoice's starts the next invoice, a page without one continues it. So a
file of two invoices gives two candidates, and a two-page invoice one.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from schemas.issue import Issue
from schemas.money import parse_amount
from tasks.invoices.address_blocks import buyer_from_address_block
from tasks.invoices.amount_choice import choose_amounts
from tasks.invoices.amounts import find_currency, last_amount
from tasks.invoices.candidate import Candidate
from tasks.invoices.dates import month_first_document
from tasks.invoices.field_scoring import score
from tasks.invoices.labels import CREDIT_NOTE_WORDS, INVOICE_WORDS, fold, match_label
from tasks.invoices.page_words import PageWords
from tasks.invoices.party_names import (
    block_seller,
    full_name,
    is_other_party_heading_above,
    legal_form,
    legal_line_seller,
)
from tasks.invoices.pdf_fields import (
    AMOUNT_FIELDS,
    GENERIC_PENALTY,
    RIGHT,
    Found,
    find_fields,
    plausible_name,
)
from tasks.invoices.pdf_table import table_lines
from tasks.invoices.pdf_text import PageText, PdfUnreadableError, page_text, read_page_words
from tasks.invoices.receipt_lines import receipt_lines
from tasks.invoices.vat_country import printed_seller_country, vat_country

LETTERHEAD, FIRST_LINE, DEFAULT_CURRENCY = 0.82, 0.6, 0.5
#: A buyer read from an unlabelled address block: usually right, never completed on its own.
ADDRESS_BLOCK = 0.75
_CURRENCY_WORDS = {
    "euro": "EUR",
    "euros": "EUR",
    "dollar": "USD",
    "dollars": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "franken": "CHF",
    "francs": "CHF",
}


def extract_pdf(data: bytes, *, max_pages: int, currency: str) -> list[Candidate] | Issue:
    """Candidates from the text layer, or the file issue that stops extraction."""
    try:
        words = list(read_page_words(data, max_pages))
    except PdfUnreadableError as exc:
        return exc.issue
    return find_invoices(words, currency=currency)


def find_invoices(words: Sequence[PageWords], *, currency: str) -> list[Candidate] | Issue:
    """The field finder: the invoices on these pages (text layer or OCR words), one candidate
    per invoice, each field the best-scoring consistent choice; or the file issue.

    What a reviewer's correction taught about a supplier's layout is applied afterwards, to
    the candidates, by :func:`tasks.invoices.memory.apply_memory` (the one memory).
    """
    pages = [page_text(p) for p in words]
    if not any(p.lines for p in pages):
        return Issue(
            code="INV-PDF-NEEDS-OCR",
            message=(
                "The PDF has no text layer (scanned image); it needs OCR or manual keying."
                if any(p.images for p in pages)
                else "The PDF has no text at all; check that the right file was sent."
            ),
        )
    return candidates_from_pages(pages, currency)


def candidates_from_pages(pages: list[PageText], currency: str) -> list[Candidate] | Issue:
    """Candidates from pages of positioned text, whoever read them (a text layer, OCR)."""
    groups = _group(pages)
    candidates = [_candidate(pages_, found, currency) for pages_, found in groups]
    if not any("invoice_number" in c.values or "total" in c.values for c in candidates):
        text = fold(" ".join(p.text for p in pages[:3]))
        if not any(w in text for w in INVOICE_WORDS):
            return Issue(
                code="INV-NOT-AN-INVOICE",
                message="No invoice number, total or invoice title was found; this does not look"
                " like an invoice. Check the file and the document type.",
            )
    return candidates


def _group(pages: list[PageText]) -> list[tuple[list[PageText], list[Found]]]:
    groups: list[tuple[list[PageText], list[Found]]] = []
    current: str | None = None
    for page in pages:
        found = find_fields(page)
        numbers = sorted(
            (f for f in found if f.field == "invoice_number"), key=lambda f: -f.confidence
        )
        number = numbers[0].text if numbers else None
        # A page that also prints the current number goes on with it (a page header's
        # "Invoice No. F-1 · Page 2" whose page number was read as the stronger number).
        same = current is not None and any(f.text == current for f in numbers)
        if not groups or (number is not None and current is not None and not same):
            groups.append(([], []))
        if number is not None:
            current = number
        groups[-1][0].append(page)
        groups[-1][1].extend(found)
    return groups


def _best(found: Iterable[Found], field: str) -> Found | None:
    hits = [f for f in found if f.field == field]
    if not hits:
        return None
    if field in AMOUNT_FIELDS:
        return hits[-1]  # totals close the invoice: the last one printed is the final one
    return max(hits, key=lambda f: f.confidence)  # max keeps the first of equals


def _consistent_tax(
    found: list[Found],
    subtotal: object,
    total: object,
    printed: set[Decimal],
    page: int,
    rate_amounts: Sequence[Decimal] = (),
) -> Found | None:
    """The printed tax that makes ``subtotal + tax = total``: one tax amount, or up to three
    per-rate tax amounts (``7% 11,20``, ``19% 63,84``) that add up to it, or else that
    difference printed anywhere on the pages (a VAT summary table whose label we did not
    read; ``0,00`` on a reverse-charge invoice). None when no printed amount does, so a
    document whose own sums disagree still fails the arithmetic rules. Last, two or three
    per-rate amounts of VAT breakdown lines (``rate_amounts``) that add up to it."""
    if not isinstance(subtotal, Decimal) or not isinstance(total, Decimal):
        return None
    target = total - subtotal
    hits = [(f, parse_amount(f.text)) for f in found if f.field == "tax_total"]
    for f, value in reversed(hits):
        if value == target:
            return f
    amounts = sorted({v for _, v in hits if v is not None and v != 0})[:8]
    for size in (2, 3):
        for combo in itertools.combinations(amounts, size):
            if sum(combo) == target:
                confidence = min(f.confidence for f, v in hits if v in combo)
                return Found("tax_total", str(target), confidence, hits[-1][0].page)
    if target in printed and subtotal != 0:
        return Found("tax_total", str(target), GENERIC_PENALTY * RIGHT, page)
    for size in (2, 3):
        for combo in itertools.combinations(sorted(set(rate_amounts))[:8], size):
            if sum(combo) == target and subtotal != 0:
                return Found("tax_total", str(target), GENERIC_PENALTY * RIGHT, page)
    return None


#: A VAT breakdown line: a tax word and a rate (``Steuerbasisbetrag USt. 7% 275,00 19,25``).
_RATE_LINE = re.compile(
    r"\b(?:ust|mwst|vat|tva|iva|btw|umsatzsteuer|tax|steuer)\b.*?\d+(?:[.,]\d+)?\s*%"
)


def rate_line_amounts(pages: list[PageText]) -> list[Decimal]:
    """The last amount of each VAT breakdown line: per-rate tax amounts a label did not name."""
    out = []
    for page in pages:
        for ln in page.lines:
            if _RATE_LINE.search(fold(ln.text)) and len(ln.cells) > 1:
                hit = last_amount(ln.cells[-1].text)
                if hit is not None and hit[1] > 0:
                    out.append(hit[1])
    return out


def _consistent_total(found: list[Found], cand: Candidate) -> Found | None:
    """The last printed total that the net total and a printed tax add up to; else the last
    total. After a prepayment, "Zahlbetrag 165,07" follows "Gesamtbetrag 215,07": the
    invoice total is the one that net + tax make (EN 16931 BR-CO-15)."""
    totals = [f for f in found if f.field == "total"]
    subtotal = cand.values.get("subtotal")
    if len({f.text for f in totals}) > 1 and isinstance(subtotal, Decimal):
        for f in reversed(totals):
            if _consistent_tax(found, subtotal, parse_amount(f.text), set(), f.page):
                return f
    return _best(found, "total")


def _joint_amounts(
    cand: Candidate, found: list[Found], printed: set[Decimal], lines: list[dict[str, Any]]
) -> None:
    """Subtotal, tax and total that add up, when the labels alone gave ones that do not."""
    s, t, g = (cand.values.get(f) for f in ("subtotal", "tax_total", "total"))
    if isinstance(s, Decimal) and isinstance(t, Decimal) and isinstance(g, Decimal) and s + t == g:
        return
    amounts = [ln.get("amount") for ln in lines]
    line_sum = (
        sum((a for a in amounts if isinstance(a, Decimal)), Decimal(0))
        if amounts and all(isinstance(a, Decimal) for a in amounts)
        else None
    )
    chosen = choose_amounts(found, printed, line_sum)
    for field, hit in chosen.items():
        cand.set_amount(field, hit.text, hit.confidence)
        cand.origin[field] = hit.source


def _candidate(pages: list[PageText], found: list[Found], currency: str) -> Candidate:
    found = score(found, pages)
    cand = Candidate(source="pdf", pages=[p.number for p in pages])
    for field in (
        "invoice_number",
        "vendor_name",
        "buyer_name",
        "vendor_tax_id",
        "po_number",
        "vendor_iban",
    ):
        hit = _best(found, field)
        if hit is not None:
            cand.set_text(field, hit.text, hit.confidence)
            cand.origin[field] = hit.source
    for field in ("subtotal", "total"):
        hit = _best(found, field) if field == "subtotal" else _consistent_total(found, cand)
        if hit is not None:
            cand.set_amount(field, hit.text, hit.confidence)
            cand.origin[field] = hit.source
    printed = {
        amount[1]
        for page in pages
        for ln in page.lines
        for cell in ln.cells
        if (amount := last_amount(cell.text)) is not None
    }
    subtotal, total = cand.values.get("subtotal"), cand.values.get("total")
    hit = _consistent_tax(
        found, subtotal, total, printed, pages[-1].number, rate_line_amounts(pages)
    )
    hit = hit or _best(found, "tax_total")
    if hit is not None:
        cand.set_amount("tax_total", hit.text, hit.confidence)
        cand.origin["tax_total"] = hit.source
    # No table header at all: the items as a receipt prints them ("2 x 3,50   7,00").
    lines = table_lines(pages) or [item for page in pages for item in receipt_lines(page.lines)]
    _joint_amounts(cand, found, printed, lines)
    if "vendor_name" not in cand.values:
        _letterhead(cand, pages[0])
    _legal_line_name(cand, pages)
    _wrapped_names(cand, pages)
    _seller_vat_country(cand, found, pages)
    if "buyer_name" not in cand.values:
        seller = cand.values.get("vendor_name")
        buyer = buyer_from_address_block(pages[0], seller if isinstance(seller, str) else None)
        if buyer is not None:
            cand.set_text("buyer_name", buyer, ADDRESS_BLOCK)
            cand.origin["buyer_name"] = "layout"
    _currency(cand, found, pages, currency)
    month_first = month_first_document(
        (ln.text for page in pages for ln in page.lines), str(cand.values.get("currency"))
    )
    for field in ("invoice_date", "due_date"):
        hit = _best(found, field)
        if hit is not None:
            cand.set_date(field, hit.text, hit.confidence, month_first=month_first)
            cand.origin[field] = hit.source
    head = fold(" ".join(ln.text for ln in pages[0].lines[:8]))
    cand.set_text("document_type", "381" if any(w in head for w in CREDIT_NOTE_WORDS) else "380")
    cand.values["lines"] = lines
    cand.printed_amounts = printed
    _cross_checks(cand)
    return cand


def _seller_vat_country(cand: Candidate, found: list[Found], pages: list[PageText]) -> None:
    """The seller's printed country (kept for the ``INV-VAT-COUNTRY`` rule), and of the VAT
    ids read as the seller's, one of that country over one of another (the buyer's)."""
    seller = cand.values.get("vendor_name")
    country = printed_seller_country(pages, seller) if isinstance(seller, str) else None
    if country is None:
        return
    cand.raw["vendor_country"] = country
    chosen = cand.values.get("vendor_tax_id")
    if not isinstance(chosen, str) or vat_country(chosen) in (country, None):
        return
    fitting = [f for f in found if f.field == "vendor_tax_id" and vat_country(f.text) == country]
    if fitting:
        hit = max(fitting, key=lambda f: f.confidence)
        cand.set_text("vendor_tax_id", hit.text, hit.confidence)
        cand.origin["vendor_tax_id"] = hit.source


def _legal_line_name(cand: Candidate, pages: list[PageText]) -> None:
    """No seller label: the name the legal line gives, over a letterhead without a legal form
    (a brand or logo text: ``NORDLICHT`` over ``Nordlicht Systems GmbH``)."""
    current = cand.values.get("vendor_name")
    if current is not None and cand.origin.get("vendor_name") != "layout":
        return
    if isinstance(current, str) and legal_form(current):
        return
    if isinstance(current, str) and len(current.split()) == 1:
        # A one-word letterhead without a legal form is a brand (a logo's text), not the
        # seller's name: below the review threshold unless a legal name replaces it.
        cand.confidence["vendor_name"] = min(cand.confidence["vendor_name"], UNCONFIRMED)
    vat_id = cand.values.get("vendor_tax_id")
    vat = vat_id if isinstance(vat_id, str) else None
    buyer = cand.values.get("buyer_name")
    name = legal_line_seller(pages, vat) or block_seller(
        pages, vat, not_names=[buyer] if isinstance(buyer, str) else []
    )
    if name is not None:
        cand.set_text("vendor_name", name, LETTERHEAD)
        cand.origin["vendor_name"] = "layout"


def _wrapped_names(cand: Candidate, pages: list[PageText]) -> None:
    """Party names printed over two text lines read whole (see :mod:`party_names`)."""
    for field in ("vendor_name", "buyer_name"):
        name = cand.values.get(field)
        if not isinstance(name, str):
            continue
        for page in pages:
            whole = full_name(page, name)
            if whole != name:
                cand.set_text(field, whole, cand.confidence.get(field, 0.0))
                break


#: Confidence a value keeps when nothing on the page confirms it: just under the default
#: review threshold, so it is looked at rather than completed on one reading alone.
UNCONFIRMED = 0.79


def _cross_checks(cand: Candidate) -> None:
    """Lower the confidence of values the rest of the invoice does not bear out: a total that
    neither ``subtotal + tax`` nor the lines confirm, a buyer that is the seller."""
    v, conf = cand.values, cand.confidence
    total = v.get("total")
    if isinstance(total, Decimal):
        s, t = v.get("subtotal"), v.get("tax_total")
        amounts = [ln.get("amount") for ln in v.get("lines") or ()]
        by_sum = isinstance(s, Decimal) and isinstance(t, Decimal) and s + t == total
        by_lines = (
            bool(amounts)
            and all(isinstance(a, Decimal) for a in amounts)
            and (sum(amounts, Decimal(0)) == total)
        )
        if not (by_sum or by_lines):
            conf["total"] = min(conf.get("total", 0.0), UNCONFIRMED)
    seller, buyer = v.get("vendor_name"), v.get("buyer_name")
    if isinstance(seller, str) and isinstance(buyer, str) and fold(seller) == fold(buyer):
        conf["buyer_name"] = min(conf.get("buyer_name", 0.0), UNCONFIRMED)


#: "Hetzner Online GmbH • Industriestr. 25 • 91710 Gunzenhausen": the small sender line printed
#: above the recipient's address in a windowed letter (DIN 5008 and its cousins).
_RETURN_LINE = re.compile("\\s+[\u2022\u00b7\u25cf\u2219\u22c5|\u2013-]\\s+")


def _at_legal_form(text: str) -> list[str]:
    """``Bei Spiel GmbH Ecke 12 12345 Stadthausen`` (a sender line whose dots were not read)
    -> the name up to its legal form, then the rest; ``[text]`` when no word ends one."""
    words = text.split()
    for end in range(2, len(words) - 1):
        if legal_form(" ".join(words[:end])):
            return [" ".join(words[:end]), *words[end:]]
    return [text]


def _return_address(cand: Candidate, page: PageText) -> bool:
    """Seller from a sender line, buyer from the first line of the address block under it."""
    median = statistics.median(ln.height for ln in page.lines) if page.lines else 0.0
    for i, ln in enumerate(page.lines[:8]):
        sender = [c for c in ln.cells if c.x0 < page.width / 2] if page.width else ln.cells
        text = " ".join(c.text for c in sender or ln.cells[:1])
        parts = _RETURN_LINE.split(text)
        if len(parts) < 3 and ln.height < 0.9 * median:
            parts = _at_legal_form(text)
        if len(parts) < 3 or not any(any(ch.isdigit() for ch in p) for p in parts[1:]):
            continue
        name = parts[0].strip()
        if sum(ch.isalpha() for ch in name) < 3 or match_label(name) or not plausible_name(name):
            continue
        cand.set_text("vendor_name", name, LETTERHEAD)
        cand.origin["vendor_name"] = "layout"
        if "buyer_name" not in cand.values and i + 1 < len(page.lines):
            below = page.lines[i + 1].cells[0]
            if (
                abs(below.x0 - ln.cells[0].x0) < 40
                and not match_label(below.text)
                and plausible_name(below.text)
            ):
                cand.set_text("buyer_name", below.text.strip(), FIRST_LINE)
                cand.origin["buyer_name"] = "layout"
        return True
    return False


def _letterhead(cand: Candidate, page: PageText) -> None:
    """No seller label: a sender line above the address, else the top line, printed large."""
    if not page.lines or _return_address(cand, page):
        return
    median = statistics.median(ln.height for ln in page.lines)
    buyer = cand.values.get("buyer_name")
    named = [
        (cell, i)
        for i, ln in enumerate(page.lines[:6])
        for cell in ln.cells
        if not match_label(cell.text)
        and not (isinstance(buyer, str) and fold(cell.text) == fold(buyer))
        and not is_other_party_heading_above(page, i, cell)
        and plausible_name(cell.text)
        and sum(ch.isalpha() for ch in cell.text) >= 3
    ]
    if not named:
        return
    # The largest name-like text of the top lines (the letterhead), the first of equals.
    cell, _ = max(named, key=lambda pair: (round(pair[0].height, 1), -pair[1]))
    cand.set_text(
        "vendor_name", cell.text, LETTERHEAD if cell.height >= 1.3 * median else FIRST_LINE
    )
    cand.origin["vendor_name"] = "layout"


def _currency(cand: Candidate, found: list[Found], pages: list[PageText], default: str) -> None:
    hit = _best(found, "currency")
    if hit is not None:
        code = find_currency(hit.text.upper()) or _CURRENCY_WORDS.get(fold(hit.text))
        if code:
            cand.set_text("currency", code, hit.confidence)
            cand.raw["currency"] = hit.text
            return
    for field in ("total", "subtotal"):
        raw = cand.raw.get(field)
        if isinstance(raw, str) and (code := find_currency(raw)):
            cand.set_text("currency", code, 0.9)
            return
    code = find_currency("\n".join(p.text for p in pages))
    if code:
        cand.set_text("currency", code, 0.85)
        return
    cand.set_text("currency", default, DEFAULT_CURRENCY)
    cand.origin["currency"] = "default"
    cand.raw["currency"] = ""
