"""Invoices in layouts unlike the project's own samples, for a held-out evaluation.

Each :func:`held_out` invoice is drawn by one of two PDF libraries (fpdf2, reportlab) in one of
six languages, with its own label wording (``Invoice #``, ``Rechnungsempfänger``, ``TOTAL
H.T.``), the seller's and buyer's blocks left or right, totals as a boxed table or as lines,
and the traps real invoices set: a logo's alt text above the seller, a reference to an
associated invoice, the buyer's VAT id in the buyer's block, a courtesy sentence, article
numbers that look like currency codes, net and gross labels. The truth travels with the file.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from samples.invoices import date_text, money_text, q2

#: Label wording per language, deliberately different from ``samples.invoices.LABELS``.
WORDING: dict[str, dict[str, str]] = {
    "en": {
        "title": "Tax Invoice",
        "number": "Invoice #",
        "date": "Date of issue",
        "due": "Payment due",
        "to": "Billed to",
        "from": "Supplier",
        "vat": "VAT reg no",
        "buyer_vat": "VAT",
        "subtotal": "Total net",
        "tax": "Tax",
        "total": "Amount due",
        "desc": "Item",
        "qty": "Qty",
        "price": "Price",
        "amount": "Line total",
        "assoc": "Associated invoice",
        "of": "of",
        "thanks": "Thank you for your business!",
    },
    "de": {
        "title": "Rechnung",
        "number": "Rechnung Nr.",
        "date": "Datum",
        "due": "Zahlbar bis",
        "to": "Rechnungsempfänger",
        "from": "Rechnungssteller",
        "vat": "USt-IdNr.",
        "buyer_vat": "USt-IdNr.",
        "subtotal": "Summe netto",
        "tax": "USt.",
        "total": "Rechnungsbetrag",
        "desc": "Artikel",
        "qty": "Anzahl",
        "price": "Preis",
        "amount": "Gesamt",
        "assoc": "Bezug auf Rechnung",
        "of": "vom",
        "thanks": "Vielen Dank für Ihren Auftrag.",
    },
    "fr": {
        "title": "FACTURE",
        "number": "N° de facture",
        "date": "Date d'émission",
        "due": "Date d'échéance",
        "to": "Facturé à",
        "from": "Émetteur",
        "vat": "N° TVA intracom.",
        "buyer_vat": "TVA :",
        "subtotal": "TOTAL H.T.",
        "tax": "TVA",
        "total": "TOTAL T.T.C.",
        "desc": "Désignation",
        "qty": "Qté",
        "price": "P.U. HT",
        "amount": "Montant HT",
        "assoc": "Facture associée",
        "of": "du",
        "thanks": "Merci de votre confiance.",
    },
    "it": {
        "title": "FATTURA",
        "number": "Numero fattura",
        "date": "Data documento",
        "due": "Data di scadenza",
        "to": "Cessionario",
        "from": "Cedente",
        "vat": "P.IVA",
        "buyer_vat": "P.IVA",
        "subtotal": "Totale imponibile",
        "tax": "Totale IVA",
        "total": "Totale documento",
        "desc": "Descrizione",
        "qty": "Q.tà",
        "price": "Prezzo",
        "amount": "Importo",
        "assoc": "Fattura di riferimento",
        "of": "del",
        "thanks": "Grazie per la fiducia.",
    },
    "es": {
        "title": "FACTURA",
        "number": "Nº de factura",
        "date": "Fecha de emisión",
        "due": "Fecha de vencimiento",
        "to": "Facturar a",
        "from": "Emisor",
        "vat": "NIF",
        "buyer_vat": "NIF",
        "subtotal": "Base imponible",
        "tax": "Cuota IVA",
        "total": "Total a pagar",
        "desc": "Concepto",
        "qty": "Cantidad",
        "price": "Precio",
        "amount": "Importe",
        "assoc": "Factura rectificada",
        "of": "del",
        "thanks": "Gracias por su confianza.",
    },
    "nl": {
        "title": "FACTUUR",
        "number": "Factuurnummer",
        "date": "Factuurdatum",
        "due": "Vervaldatum",
        "to": "Factuur aan",
        "from": "Leverancier",
        "vat": "BTW-nummer",
        "buyer_vat": "BTW-nummer",
        "subtotal": "Totaal excl. BTW",
        "tax": "BTW",
        "total": "Totaal incl. BTW",
        "desc": "Omschrijving",
        "qty": "Aantal",
        "price": "Prijs",
        "amount": "Bedrag",
        "assoc": "Oorspronkelijke factuur",
        "of": "van",
        "thanks": "Bedankt voor uw bestelling.",
    },
}
#: A second wording per language, used by every other invoice.
ALTERNATE: dict[str, dict[str, str]] = {
    "en": {
        "number": "Inv. No.",
        "date": "Issued",
        "due": "Due by",
        "to": "Customer",
        "subtotal": "Net amount",
        "tax": "VAT amount",
        "total": "Total payable",
    },
    "de": {
        "number": "Belegnummer",
        "date": "Belegdatum",
        "due": "Fälligkeit",
        "to": "Kunde",
        "subtotal": "Nettobetrag",
        "tax": "MwSt.",
        "total": "Zahlbetrag",
    },
    "fr": {
        "number": "Facture n°",
        "date": "Date",
        "due": "Échéance",
        "to": "Client",
        "subtotal": "Montant HT",
        "tax": "Montant TVA",
        "total": "Net à payer",
    },
    "it": {
        "number": "Fattura n.",
        "date": "Data",
        "due": "Scadenza",
        "to": "Cliente",
        "subtotal": "Imponibile",
        "tax": "IVA",
        "total": "Totale",
    },
    "es": {
        "number": "Factura nº",
        "date": "Fecha",
        "due": "Vencimiento",
        "to": "Cliente",
        "subtotal": "Importe neto",
        "tax": "IVA",
        "total": "Importe total",
    },
    "nl": {
        "number": "Factuurnr",
        "date": "Datum",
        "due": "Te betalen voor",
        "to": "Klant",
        "subtotal": "Subtotaal",
        "tax": "BTW bedrag",
        "total": "Te betalen",
    },
}
_SYMBOL = {"EUR": "€", "GBP": "£"}
_COUNTRY = {"en": "GB", "de": "DE", "fr": "FR", "it": "IT", "es": "ES", "nl": "NL"}
_CURRENCY = {"en": "GBP", "de": "EUR", "fr": "EUR", "it": "EUR", "es": "EUR", "nl": "EUR"}
_RATE = {"en": "20", "de": "19", "fr": "20", "it": "22", "es": "21", "nl": "21"}
_SELLERS = ("Nordlicht Systems", "Atelier Vauban", "Brightwater Hosting", "Ferro Lavori")
_SUFFIX = {"en": "Ltd", "de": "GmbH", "fr": "SARL", "it": "S.r.l.", "es": "S.L.", "nl": "B.V."}
_BUYERS = ("Kestrel Retail", "Maison Ardent", "Polder Logistics", "Sierra Foods")
_ITEMS = ("Cloud server S", "Support hours", "Cable set", "Licence seat", "Onsite visit")


@dataclass
class Layout:
    generator: str  # "fpdf2" | "reportlab"
    lang: str
    seller_right: bool
    totals_table: bool
    logo: bool
    associated: bool
    buyer_vat: bool
    courtesy: bool
    #: Header values under their labels instead of beside them.
    values_below: bool = False
    #: Seller and buyer blocks side by side under their headings.
    side_by_side: bool = False
    #: Amounts with a currency symbol in front (``€ 1.234,56``).
    symbol: bool = False


@dataclass
class HeldOut:
    layout: Layout
    truth: dict[str, Any] = field(default_factory=dict)
    pdf: bytes = b""


def _vat(rng: random.Random, country: str) -> str:
    return (
        country
        + "".join(str(rng.randint(0, 9)) for _ in range(9))
        + ("B01" if country == "NL" else "")
    )


def _truth(rng: random.Random, lang: str) -> dict[str, Any]:
    lines = []
    for k in range(rng.randint(1, 5)):
        qty = Decimal(rng.randint(1, 9))
        price = Decimal(rng.randint(500, 99999)) / 100
        code = f"{rng.choice(('BWP', 'USD', 'CHF', 'AX'))}{rng.randint(10, 99)}{'JKLM'[k % 4]}"
        lines.append((f"{code} {rng.choice(_ITEMS)}", qty, price))
    subtotal = sum((q2(q * p) for _, q, p in lines), Decimal(0))
    tax = q2(subtotal * Decimal(_RATE[lang]) / 100)
    issued = dt.date(2026, rng.randint(1, 12), rng.randint(1, 28))
    return {
        "invoice_number": f"{rng.choice(('F', 'INV', 'RE', 'FA'))}-{rng.randint(2024, 2026)}"
        f"-{rng.randint(100, 99999)}",
        "invoice_date": issued,
        "due_date": issued + dt.timedelta(days=rng.choice((14, 30, 45))),
        "vendor_name": f"{rng.choice(_SELLERS)} {_SUFFIX[lang]}",
        "buyer_name": f"{rng.choice(_BUYERS)} {rng.choice(('AG', 'SA', 'Inc', 'SpA'))}",
        "vendor_tax_id": _vat(rng, _COUNTRY[lang]),
        "buyer_tax_id": _vat(rng, _COUNTRY[rng.choice(list(_COUNTRY))]),
        "currency": _CURRENCY[lang],
        "subtotal": subtotal,
        "tax_total": tax,
        "total": subtotal + tax,
        "lines": lines,
    }


def _rows(t: dict[str, Any], w: dict[str, str], lay: Layout) -> list[tuple[str, float, str, int]]:
    """Text items as (text, x in 0..1 of the width, style, line number)."""
    lang = lay.lang
    items: list[tuple[str, float, str, int]] = []
    left, right = (0.55, 0.06) if lay.seller_right else (0.06, 0.55)
    row = 0
    if lay.logo:
        items.append((f"LOGO {t['vendor_name'].split()[0].upper()}", left, "small", row))
        row += 1
    items.append((t["vendor_name"], left, "large", row))
    items.append((w["title"], right, "large", row))
    row += 2
    items.append(("12 Harbour Road, 4021 Portside", left, "", row))
    row += 1
    items.append((f"{w['vat']} {t['vendor_tax_id']}", left, "", row))
    row += 2
    if lay.associated:
        old = f"{t['invoice_number']}-0"
        prior = date_text(t["invoice_date"] - dt.timedelta(days=40), lang)
        items.append((f"{w['assoc']}: {old} {w['of']} {prior}", right, "", row))
        row += 1
    header = (
        ("number", t["invoice_number"]),
        ("date", date_text(t["invoice_date"], lang)),
        ("due", date_text(t["due_date"], lang)),
    )
    if lay.values_below:
        for k, (key, value) in enumerate(header):
            items.append((w[key], 0.06 + 0.3 * k, "bold", row))
            items.append((value, 0.06 + 0.3 * k, "", row + 1))
        row += 2
    else:
        for key, value in header:
            items.append((w[key] + ":", right, "", row))
            items.append((value, right + 0.2, "", row))
            row += 1
    row += 1
    buyer_x = 0.55 if lay.side_by_side else left
    if lay.side_by_side:
        items.append((w["from"], 0.06, "bold", row))
    items.append((w["to"], buyer_x, "bold", row))
    row += 1
    if lay.side_by_side:
        items.append((t["vendor_name"], 0.06, "", row))
    items.append((t["buyer_name"], buyer_x, "", row))
    row += 1
    items.append(("7 Market Street, 1000 Midtown", buyer_x, "", row))
    row += 1
    if lay.buyer_vat:
        items.append((f"{w['buyer_vat']} {t['buyer_tax_id']}", buyer_x, "", row))
        row += 1
    if lay.courtesy:
        items.append((w["thanks"], left, "", row))
        row += 1
    row += 1
    for text, x in ((w["desc"], 0.06), (w["qty"], 0.5), (w["price"], 0.62), (w["amount"], 0.8)):
        items.append((text, x, "bold", row))
    row += 1
    for desc, qty, price in t["lines"]:
        for text, x in (
            (desc, 0.06),
            (str(qty), 0.5),
            (money_text(price, lang), 0.62),
            (money_text(q2(qty * price), lang), 0.8),
        ):
            items.append((text, x, "", row))
        row += 1
    row += 1
    cur = t["currency"]

    def money(v: Decimal) -> str:
        return f"{_SYMBOL[cur]} {money_text(v, lang)}" if lay.symbol else money_text(v, lang)

    totals = (
        (w["subtotal"], money(t["subtotal"])),
        (f"{w['tax']} {_RATE[lang]}%", money(t["tax_total"])),
        (w["total"], money(t["total"]) if lay.symbol else f"{money(t['total'])} {cur}"),
    )
    for label, value in totals:
        items.append((label, 0.55, "box" if lay.totals_table else "", row))
        items.append((value, 0.8, "box" if lay.totals_table else "", row))
        row += 1
    return items


def _fpdf(items: list[tuple[str, float, str, int]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("dejavu", "", _font())
    first = 0  # the row the current page starts at
    for text, x, style, row in items:
        if style == "page":  # the next items go on a new page
            pdf.add_page()
            first = row
            continue
        size = 16 if style == "large" else 7 if style == "small" else 9
        pdf.set_font("dejavu", "", size)
        pdf.set_xy(10 + x * 190, 12 + (row - first) * 6.5)
        pdf.cell(0 if style != "box" else 40, 6, text, border=1 if style == "box" else 0)
    return bytes(pdf.output())


def _reportlab(items: list[tuple[str, float, str, int]]) -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    if "dejavu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("dejavu", _font()))
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=LETTER)
    width, height = LETTER
    first = 0
    for text, x, style, row in items:
        if style == "page":
            c.showPage()
            first = row
            continue
        size = 15 if style == "large" else 7 if style == "small" else 9
        c.setFont("dejavu", size)
        y = height - 40 - (row - first) * 17
        c.drawString(30 + x * (width - 60), y, text)
        if style == "box":
            c.rect(28 + x * (width - 60), y - 4, 120, 15)
    c.save()
    return buf.getvalue()


def _font() -> str:
    """A Unicode TrueType font shipped with matplotlib or reportlab (accents, ``°``, ``à``)."""
    from pathlib import Path

    import reportlab

    base = Path(reportlab.__file__).parent / "fonts"
    for name in ("Vera.ttf", "DejaVuSans.ttf"):
        if (base / name).is_file():
            return str(base / name)
    raise FileNotFoundError("no TrueType font in reportlab's fonts folder")


def held_out(count: int = 60, seed: int = 17) -> list[HeldOut]:
    """``count`` invoices cycling generators, languages and traps (deterministic per seed)."""
    rng = random.Random(seed)
    langs = sorted(WORDING)
    out = []
    for i in range(count):
        lay = Layout(
            generator=("fpdf2", "reportlab")[i % 2],
            lang=langs[(i // 2) % len(langs)],
            seller_right=rng.random() < 0.4,
            totals_table=rng.random() < 0.5,
            logo=rng.random() < 0.4,
            associated=rng.random() < 0.3,
            buyer_vat=rng.random() < 0.5,
            courtesy=rng.random() < 0.4,
            values_below=rng.random() < 0.3,
            side_by_side=rng.random() < 0.3,
            symbol=rng.random() < 0.3,
        )
        truth = _truth(rng, lay.lang)
        wording = WORDING[lay.lang]
        if (i // 12) % 2:
            wording = {**wording, **ALTERNATE[lay.lang]}
        items = _rows(truth, wording, lay)
        pdf = _fpdf(items) if lay.generator == "fpdf2" else _reportlab(items)
        out.append(HeldOut(lay, truth, pdf))
    return out
