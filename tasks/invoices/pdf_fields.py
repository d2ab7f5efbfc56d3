"""Template-free label/value extraction from positioned text.

For each cell that starts with a known label the value is, in order of confidence: the rest
of the same cell (``Invoice No: 123``), the next cell to the right on the same line, or the
cell just below that overlaps the label horizontally (label-above layouts). A party heading
(``Verkäufer``, ``Bill To``) heads a block whose name is its ``Name:`` row or first name-like
line. Numbers, dates and payment deadlines written as sentences or titles are read too. The
first page that holds a header field wins; totals take the last occurrence (they close the
invoice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from tasks.invoices.amounts import last_amount
from tasks.invoices.dates import find_date
from tasks.invoices.labels import AMOUNT_LABELS, INVOICE_WORDS, fold, match_label
from tasks.invoices.pdf_text import Cell, PageText, TextLine
from tasks.invoices.traps import is_courtesy, is_logo_text

SAME_CELL, RIGHT, BELOW = 0.95, 0.9, 0.85
#: Generic labels ("Date", "Total") are right less often than specific ones.
GENERIC_PENALTY = 0.9
_GENERIC = frozenset(
    {
        "date",
        "datum",
        "fecha",
        "data",
        "total",
        "totale",
        "totaal",
        "netto",
        "net",
        "brutto",
        "tax",
        "vat",
        "number",
        "nummer",
        "numero",
    }
)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/._]*\d[A-Za-z0-9\-/._]*|\d+")
_LEAD = re.compile(r"^[\s:#.\-\u2013=]+")
_NUMBER_WORD = re.compile(r"^(?:no|nr|n|number|nummer|num|numero|#)\b\.?\s*:?\s*", re.I)
_INLINE_NUMBER = re.compile(
    r"(?:invoice|rechnung|gutschrift|facture|avoir|factuur|factura|fattura)\w*"
    # "Rechnung des Versicherers Nr.", "Invoice of the supplier no.": the issuer named between
    r"(?:\s+(?:des|der|of\s+the|of|du|de\s+la|de|van\s+de|van|del|della)\s+[^\W\d_]{3,})?"
    r"(?:\s*\([^)]{0,60}\))*\s*(?:no|nr|n°|nº|n(?=\.)|number|nummer|numero|#)\.?\s*:?\s*"
    r"(?P<id>[A-Za-z0-9][A-Za-z0-9\-/._]*)"
    r"(?:\s+(?P<dated>vom|von|du|del|van|of|dated|dd\.|issued(?:\s+(?:at|on))?)"
    r"(?:\s+(?P<date>[^\s].{5,20})|\s*$))?",
    re.I,
)
#: A payment sentence with its deadline: ``Bitte überweisen Sie bis zum 30.05.2017``,
#: ``Zahlbar innerhalb 30 Tagen netto bis 04.07.2013``, ``Please pay by 30 June 2026``.
_INLINE_DUE = re.compile(
    r"(?:zahlbar|uberweisen|zahlung|zu zahlen|payable|pay|payment|remit|due|a payer|a regler|"
    r"reglement|betalen|betaling|pagar|pago|pagare|pagamento)\b.{0,60}?"
    r"\b(?:bis zum|bis|by|until|before|no later than|avant le|au plus tard le|uiterlijk|voor|"
    r"antes del|antes de|entro il)\s+(?P<date>\S.{5,20})"
)
#: A direct debit announced with its date (a SEPA pre-notification): ``Der Betrag ... wird am
#: 20.03.2014 ... eingezogen``, ``The amount ... will be debited on 20 March 2014``.
_DEBIT_DUE = re.compile(
    r"\b(?:betrag|amount|montant|bedrag|importe|importo)\b.{0,60}?"
    r"\b(?:am|on|le|op|el|il)\s+(?P<date>\d\S*(?:\s\S+){0,2})"
    r".{0,160}?(?:eingezogen|abgebucht|debited|collected|preleve|geincasseerd|afgeschreven|"
    r"cargad|addebitat)"
)
#: What follows a bare "Date" when it dates something other than the invoice.
_OTHER_DATE = re.compile(
    r"(?:of|de|du|des|der|del)\s+(?!invoice|facture|la facture|rechnung|factura|fattura|"
    r"factuur|issue|emission)[a-z]"
)
#: A title that is the document word and its number alone: ``Facture FA-2017-0010``.
_TITLE_NUMBER = re.compile(
    r"^\s*(?:invoice|rechnung|gutschrift|facture|avoir|factuur|factura|fattura|credit note)"
    r"\s+(?P<id>(?=[A-Za-z0-9\-/._]*\d)(?=[A-Za-z0-9\-/._]*[A-Za-z\-/])[A-Za-z0-9][A-Za-z0-9\-/._]{2,})"
    r"\s*$",
    re.I,
)
AMOUNT_FIELDS = frozenset(AMOUNT_LABELS)
_NAME_FIELDS = frozenset({"vendor_name", "buyer_name"})
#: A VAT identifier: a country prefix and 8-12 letters or digits, most of them digits.
_VAT_ID = re.compile(r"[A-Z]{2}(?=(?:[A-Z]?\d){8})[0-9A-Z]{8,12}\b")
#: A seller's label turned into the buyer's by a qualifier word.
_BUYER_QUALIFIER = re.compile(
    r"\b(?:client|customer|kunde|kunden|buyer|acheteur|klant|cliente|acquirente|afnemer)\b|^kunden"
)
#: A word of four letters or more between an amount label and its amount.
_WORDY = re.compile(
    r"(?<![A-Za-z])(?!(?:excl|incl|inkl|exkl|zzgl|brutto|netto|gross|ohne|mwst|hors|"
    r"excluding|including|exklusive|inklusive)\b)[^\W\d_]{4,}",
    re.I,
)


#: A country code before a VAT label: ``GB VAT GB123456789``, ``EU VAT EU372000041``.
_COUNTRY_PREFIX = re.compile(r"^(?:[A-Z]{2})\s+(?=\S)")


def _country_vat_label(text: str) -> tuple[str, int] | None:
    """``("vendor_tax_id", label length)`` for a VAT label printed after a country code."""
    m = _COUNTRY_PREFIX.match(text)
    hit = match_label(text[m.end() :]) if m else None
    if m is None or hit is None or hit[0] not in ("vendor_tax_id", "tax_total"):
        return None
    return "vendor_tax_id", hit[1] + 3


def _has_colon(cell_text: str, label_len: int) -> bool:
    return ":" in cell_text[: label_len + 3]


@dataclass(frozen=True)
class Found:
    """One candidate value for a field, with where and how it was found."""

    field: str
    text: str
    confidence: float
    page: int
    #: How it was found: ``label`` (a label and its neighbour), ``inline`` (a sentence or a
    #: title), ``layout`` (letterhead, sender line), ``type`` (a value of the field's type with
    #: no label).
    source: str = "label"
    #: The printed line it was read on, and that line's top (points), for the finder's checks.
    context: str = ""
    top: float = -1.0
    x0: float = -1.0


def _strip_label(cell_text: str, label_len: int) -> str:
    """What follows a label in its own cell (label length counted on the folded text)."""
    tokens = cell_text.split()
    rest_tokens: list[str] = []
    pos = 0
    for used, tok in enumerate(tokens):
        folded_len = len(fold(tok))
        end = pos + folded_len
        if pos >= label_len:
            rest_tokens = tokens[used:]
            break
        after = tok[label_len - pos :] if folded_len == len(tok) else ""
        if end > label_len and after.startswith(":") and after[1:].strip():
            rest_tokens = [after[1:], *tokens[used + 1 :]]  # "Customer:2": label, colon, value
            break
        pos = end + 1
    rest = " ".join(rest_tokens)
    rest = _LEAD.sub("", rest)
    return _LEAD.sub("", _NUMBER_WORD.sub("", rest)) if rest[:1].isalpha() else rest


_NAME_WORDS = frozenset({"name", "firma", "nom", "naam", "nombre", "nome", "company"})


def _below(
    lines: tuple[TextLine, ...], index: int, cell: Cell, *, name: bool = False
) -> Cell | None:
    """The cell under ``cell`` (within about two line heights) that is not itself a label.

    For a party ``name``, a cell that starts with a label word and goes on without a colon
    (``Lieferant GmbH``) is a name, not a label."""
    line = lines[index]
    for nxt in lines[index + 1 : index + 3]:
        if nxt.top - line.top > 3.2 * line.height:
            return None
        first = nxt.cells[0]
        if fold(first.text).rstrip(":") in _NAME_WORDS:
            return nxt.cells[1] if len(nxt.cells) > 1 else None
        for c in nxt.cells:
            if c.x0 < cell.x1 + 2 and c.x1 > cell.x0 - 2:
                if c.text.endswith(":"):
                    return None
                if match_label(c.text) is None or (name and _reads_as_name(c.text)):
                    return c
                return None
    return None


def _cell_under(line: TextLine, heading: Cell) -> int | None:
    """Index of the cell of ``line`` in the heading's column: it overlaps the heading
    horizontally, and of several the one starting nearest to it (blocks are left-aligned)."""
    under = [
        k
        for k, c in enumerate(line.cells)
        if c.x0 < heading.x1 + heading.height and c.x1 > heading.x0 - heading.height
    ]
    return min(under, key=lambda k: abs(line.cells[k].x0 - heading.x0)) if under else None


def _name_in_block(lines: tuple[TextLine, ...], index: int, heading: Cell) -> str | None:
    """The party name in the block under a party heading (``Seller``, ``Käufer:``), read in
    the heading's column: blocks often stand side by side (``Lieferant | Käufer``).

    The value of its ``Name:`` row when it has one; else its first line that reads as a
    name, skipping ``key: value`` rows (``Nummer: GE2020211``, ``GLN 4000001987658``) that
    many layouts print first. The block ends at a gap of more than two lines or at the next
    party heading.
    """
    previous = lines[index]
    first_name: str | None = None
    for nxt in lines[index + 1 : index + 7]:
        if nxt.top - previous.top > 3.2 * previous.height:
            break
        previous = nxt
        k = _cell_under(nxt, heading)
        if k is None:
            continue  # nothing in this column on that line
        first = nxt.cells[k]
        head, colon, value = first.text.partition(":")
        if fold(head).strip() in _NAME_WORDS:
            following = nxt.cells[k + 1].text.strip() if len(nxt.cells) > k + 1 else ""
            value = value.strip() or following
            return value if value and _reads_as_name(value) else None
        hit = match_label(first.text)
        if hit is not None and hit[0] in _NAME_FIELDS and not _reads_as_name(first.text):
            break
        key_value = colon or (
            len(nxt.cells) > k + 1 and nxt.cells[k + 1].text.lstrip().startswith(":")
        )
        if first_name is None and not key_value and _reads_as_name(first.text):
            first_name = first.text.strip()
    return first_name


def _sum_row(lines: tuple[TextLine, ...], index: int, first: Cell) -> str | None:
    """Under a column heading (``Nettobetrag``), one row per VAT rate and then their sum: the
    sum row's amount, when the last amount of the column is the sum of those above it."""
    found: list[tuple[str, Decimal]] = []
    for nxt in lines[index + 1 : index + 8]:
        cell = next((c for c in nxt.cells if c.x0 < first.x1 + 2 and c.x1 > first.x0 - 2), None)
        hit = last_amount(cell.text) if cell is not None else None
        if hit is not None and cell is not None and len(cell.text.replace(hit[0], "").strip()) > 3:
            hit = None  # "HRB Nr. 372876" in the footer below: words, not an amount cell
        if hit is None:
            if found:
                break
            continue
        found.append(hit)
    if len(found) < 3:
        return None
    *parts, (text, total) = found
    return text if sum((v for _, v in parts), Decimal(0)) == total else None


def _reads_as_name(text: str) -> bool:
    """``text`` is a plausible name and not a bare label: ``Lieferant GmbH`` starts with the
    label word ``Lieferant`` but goes on without a colon, so it is a name."""
    hit = match_label(text)
    named = hit is None or (bool(_strip_label(text, hit[1])) and not _has_colon(text, hit[1]))
    return named and plausible_name(text)


def _typed(field: str, text: str) -> str | None:
    """The part of ``text`` that is a value of ``field``, or ``None``."""
    text = text.strip()
    if not text:
        return None
    if field in AMOUNT_FIELDS:
        found = last_amount(text)
        return found[0] if found else None
    if field in ("invoice_date", "due_date"):
        return find_date(text)
    if field in ("invoice_number", "po_number"):
        m = _ID.search(text)
        return m.group(0).rstrip(".") if m else None
    if field == "vendor_iban" and ("*" in text or "XXXX" in text.upper()):
        return None  # a masked account (often the payer's, for a direct debit) is not ours
    if field in ("vendor_tax_id", "vendor_iban"):
        m = re.search(r"[A-Z]{2}[\sA-Z0-9]{6,34}|\d[\d/ .]{6,}", text)
        return m.group(0).strip() if m else None
    if field == "currency":
        return text.split()[0] if text else None
    if field in _NAME_FIELDS:
        return text if _reads_as_name(text) else None
    return text if match_label(text) is None else None


def _qualified(field: str, after: tuple[Cell, ...], label: str) -> str:
    """An amount label qualified by the next cell (``TOTAL`` | ``HT`` | ``100,00``): the
    label the two make together decides the field."""
    if not after or last_amount(after[0].text) is not None:
        return field
    hit = match_label(f"{label} {after[0].text}")
    return hit[0] if hit is not None and hit[0] in AMOUNT_FIELDS else field


def value_of(field: str, text: str) -> str | None:
    """The part of ``text`` that is a value of ``field`` (public form of the type check)."""
    return _typed(field, text)


#: Web addresses, e-mail, phone numbers and IBANs sit where names do but are not names.
_NOT_A_NAME = re.compile(
    r"https?:|www\.|@|\+\d{1,3}[\s\d/()-]{6,}|\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b"
)
#: Headings of other parties' blocks, printed where a buyer's name might be expected.
_OTHER_ROLES = (
    "warenempfanger",
    "lieferanschrift",
    "lieferadresse",
    "ship to",
    "deliver to",
    "delivery address",
    "adresse de livraison",
    "leveringsadres",
    "direccion de entrega",
    "indirizzo di consegna",
)
#: Reference lines printed in the address area: "Your order AB321", "Ihr Zeichen: AB-312".
_REFERENCES = (
    "your order",
    "our order",
    "your ref",
    "our ref",
    "order no",
    "ihre bestellung",
    "unsere bestellung",
    "ihr zeichen",
    "unser zeichen",
    "votre commande",
    "votre reference",
    "notre reference",
    "uw bestelling",
    "uw referentie",
    "su pedido",
    "vostro ordine",
)
_SALUTATIONS = frozenset(
    {"herr", "herrn", "frau", "mr", "mrs", "ms", "m", "mme", "monsieur", "madame", "dhr", "mevr"}
)


def plausible_name(text: str) -> bool:
    """Could ``text`` be a party's name? Not a document title (``RECHNUNGS-KORREKTUR``,
    ``W A R E N R E C H N U N G``), a salutation alone, a web address, phone number or IBAN."""
    text = text.strip()
    letters = sum(ch.isalpha() for ch in text)
    if letters < 2 or _NOT_A_NAME.search(text) or sum(ch.isdigit() for ch in text) > letters:
        return False  # "GLN 4333741000005 Lief-Nr: 549910" is a line of identifiers
    if find_date(text):
        return False  # "Date of delivery 2019-06-10"
    words = text.split()
    if len(words) >= 4 and all(len(w) == 1 for w in words):
        return False  # a letter-spaced heading
    folded = fold(text)
    if folded.rstrip(".:") in _SALUTATIONS or folded.startswith(_OTHER_ROLES + _REFERENCES):
        return False
    if is_logo_text(text) or is_courtesy(text):
        return False  # "LOGO LE FOURNISSEUR", "Thank you for your business."
    return not any(folded.startswith(w) for w in INVOICE_WORDS)


#: What separates the parts of a legal or sender line: ``Acme GmbH · Hafenstr. 1 · USt-IdNr.
#: DE123456789 · HRB 4711`` (a bullet, a middle dot, a bar).
_SEPARATOR = re.compile("\\s+[\u2022\u00b7\u25cf\u2219\u22c5|]\\s+")
#: A spaced dash separates parts too (``Kade 12 - 1011 AB Amsterdam - BTW NL...``), but only
#: where it does so at least twice: once, it is as likely inside a name (``Müller - Bau GmbH``).
_DASH_SEPARATOR = re.compile("\\s+[-\u2013\u2014]\\s+")


def _split_cell(cell: Cell) -> list[Cell]:
    """A cell cut at its separators, each part placed where its characters stand."""
    text = cell.text
    cuts = [m.span() for m in _SEPARATOR.finditer(text)]
    if not cuts:
        cuts = [m.span() for m in _DASH_SEPARATOR.finditer(text)]
        if len(cuts) < 2:
            return [cell]
    width = (cell.x1 - cell.x0) / max(len(text), 1)
    parts, start = [], 0
    for a, b in [*cuts, (len(text), len(text))]:
        piece = text[start:a].strip()
        if piece:
            x0 = cell.x0 + start * width
            parts.append(replace(cell, text=piece, x0=x0, x1=cell.x0 + a * width))
        start = b
    return parts


def separated(page: PageText) -> PageText:
    """The page with cells that run several parts together (a legal line) cut into parts, so
    each part's label is read as a label."""
    lines = tuple(
        TextLine(cells=tuple(part for cell in line.cells for part in _split_cell(cell)))
        for line in page.lines
    )
    return replace(page, lines=lines)


def find_fields(page: PageText) -> list[Found]:
    """Every labelled value on one page (several per field possible), each with the line it
    was read on."""
    out: list[Found] = []
    page = separated(page)
    for i, line in enumerate(page.lines):
        start = len(out)
        _find_on_line(page, i, out)
        out[start:] = [
            replace(
                f,
                context=line.text,
                top=line.top,
                x0=f.x0 if f.x0 >= 0 else line.cells[0].x0,
                confidence=f.confidence * min(c.confidence for c in line.cells),
            )
            for f in out[start:]
        ]
    return out


def _find_on_line(page: PageText, i: int, out: list[Found]) -> None:
    lines = page.lines
    line = lines[i]
    for j, cell in enumerate(line.cells):
        hit = match_label(cell.text) or _country_vat_label(cell.text)
        if hit is None:
            continue
        field, label_len = hit
        if field in AMOUNT_FIELDS and not _strip_label(cell.text, label_len):
            field = _qualified(field, line.cells[j + 1 :], cell.text)
        if field.startswith("vendor_") and _BUYER_QUALIFIER.search(fold(cell.text)[:60]):
            continue  # "N° TVA client", "Kunden-USt-IdNr": the buyer's, not the seller's
        generic = fold(cell.text)[:label_len] in _GENERIC
        penalty = GENERIC_PENALTY if generic else 1.0
        rest = _strip_label(cell.text, label_len)
        if field == "tax_total" and (vat_id := _VAT_ID.match(rest)):
            # "TVA : FR11999999998 - SIRET ...": a tax word before an identifier is the
            # seller's VAT number, not an amount of tax.
            out.append(Found("vendor_tax_id", vat_id.group(0), SAME_CELL, page.number, x0=cell.x0))
            continue
        if field in _NAME_FIELDS and rest and not _has_colon(cell.text, label_len):
            continue  # "Lieferant GmbH" is a name, not the label "Lieferant"
        if generic and field == "invoice_date" and _OTHER_DATE.match(fold(rest)):
            continue  # "Date of delivery", "Date de livraison": another event's date
        if field in AMOUNT_FIELDS:
            if _WORDY.search(rest):
                continue  # "Gesamtbetrag der Zuschläge" is not the grand total
            # A total prints its amount last on the line, after rates and labels.
            candidates = [rest, *(c.text for c in line.cells[j + 1 :])]
            tail = " ".join(t for t in candidates if t)
            value = _typed(field, line.cells[-1].text) or _typed(field, tail)
            if value is not None:
                out.append(Found(field, value, RIGHT * penalty, page.number, x0=cell.x0))
                continue
        value = _typed(field, rest) if rest else None
        if value is not None:
            out.append(Found(field, value, SAME_CELL * penalty, page.number, x0=cell.x0))
            continue
        if field in _NAME_FIELDS and not rest and _has_colon(cell.text, label_len):
            # "Customer:" and its name further right on the same line (a receipt's rows)
            value = _typed(field, line.cells[j + 1].text) if j + 1 < len(line.cells) else None
            if value is not None:
                out.append(Found(field, value, RIGHT * penalty, page.number, x0=cell.x0))
                continue
        if field in _NAME_FIELDS and not rest and (name := _name_in_block(lines, i, cell)):
            out.append(Found(field, name, BELOW * penalty, page.number, x0=cell.x0))
            continue
        # A party heading ("Rechnungsempfänger", "Bill To") heads a block: its name is
        # below, and the cell to its right belongs to another column.
        heading = field in _NAME_FIELDS and not rest and not _has_colon(cell.text, label_len)
        if j + 1 < len(line.cells) and not heading:
            value = _typed(field, line.cells[j + 1].text)
            if value is not None:
                out.append(Found(field, value, RIGHT * penalty, page.number, x0=cell.x0))
                continue
        below = _below(lines, i, cell, name=field in _NAME_FIELDS)
        if below is not None:
            value = _typed(field, below.text)
            if value is not None and field in AMOUNT_FIELDS:
                value = _sum_row(lines, i, below) or value
            if value is not None:
                out.append(Found(field, value, BELOW * penalty, page.number, x0=cell.x0))
    following = lines[i + 1].text if i + 1 < len(lines) else ""
    out.extend(_inline(line, page.number, following))


def _inline(line: TextLine, page: int, following: str = "") -> list[Found]:
    """``Rechnung Nr. 471102 vom 05.03.2018`` and payment deadlines written as sentences."""
    due = _INLINE_DUE.search(fold(line.text)) or _DEBIT_DUE.search(fold(f"{line.text} {following}"))
    out_due = (
        [Found("due_date", date, BELOW * GENERIC_PENALTY, page, source="inline")]
        if due is not None and (date := find_date(due.group("date")))
        else []
    )
    return out_due + _inline_number(line, page, following)


def _inline_number(line: TextLine, page: int, following: str = "") -> list[Found]:
    """The number (and date) of a title sentence; a sentence ending in ``vom`` takes its date
    from the start of the next line."""
    m = _INLINE_NUMBER.search(line.text)
    if m is None or not any(ch.isdigit() for ch in m.group("id")):
        title = _TITLE_NUMBER.match(line.text)
        if title is None or find_date(title.group("id")):
            return []
        return [Found("invoice_number", title.group("id"), BELOW, page, source="inline")]
    out = [Found("invoice_number", m.group("id"), BELOW, page, source="inline")]
    said = m.group("date") or (following[:24] if m.group("dated") else "")
    if said and (date := find_date(said)):
        out.append(Found("invoice_date", date, BELOW, page, source="inline"))
    return out
