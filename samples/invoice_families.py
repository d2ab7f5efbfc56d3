"""Generated invoice layout *families*, harder than :mod:`samples.invoice_layouts` and closer
to what arrives from producers the project has never seen.

Each family draws one habit of real invoices, in six languages (de, en, fr, it, es, nl) and
two PDF libraries (fpdf2, reportlab), with the seller's block left or right:

- ``multipage``: a long line table over two or three pages, its header repeated, a running
  sum carried forward at each page foot and brought forward at the next page's head.
- ``wrapped``: descriptions that wrap onto a second text line, sometimes with the amount on
  that second line, in a table without ruling.
- ``credit``: credit notes referring to the invoice they correct.
- ``legal_line``: a logo with text at the top and the seller named only in the footer's legal
  line (name, address, VAT id, register), the buyer's address block without a heading.
- ``party_headings``: seller and buyer side by side under party headings, each block with its
  street, town and country.
- ``locale_amounts``: amounts in the thousands with each locale's separators, net and gross
  labels in each language, unit prices with four decimals.

The families are split in two: :data:`TUNING` (looked at while the finder is improved) and
:data:`HELD_OUT` (only scored, never looked at), so the held-out figure says how the finder does
on habits it was not shaped by. The truth travels with each file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal
from typing import Any

from samples.invoice_layouts import (
    _COUNTRY,
    _RATE,
    ALTERNATE,
    WORDING,
    HeldOut,
    Layout,
    _fpdf,
    _reportlab,
    _truth,
)
from samples.invoices import date_text, money_text, q2

TUNING = ("multipage", "wrapped", "credit")
HELD_OUT = ("legal_line", "party_headings", "locale_amounts")
FAMILIES = TUNING + HELD_OUT

#: Per language: the carried-forward and brought-forward rows, the credit-note title and
#: number label, party headings, net and gross labels, the country as the seller prints it.
EXTRA: dict[str, dict[str, str]] = {
    "en": {
        "carried": "Carried forward",
        "brought": "Brought forward",
        "credit": "Credit Note",
        "credit_no": "Credit note no.",
        "corrects": "Relating to invoice",
        "seller": "Seller",
        "buyer": "Buyer",
        "net": "Net total",
        "gross": "Gross total",
        "country": "United Kingdom",
        "register": "Company no. 0845 1123",
        "page": "Page",
        "group_sum": "Subtotal",
    },
    "de": {
        "carried": "Übertrag",
        "brought": "Übertrag",
        "credit": "Gutschrift",
        "credit_no": "Gutschrift Nr.",
        "corrects": "Bezug auf Rechnung",
        "seller": "Verkäufer",
        "buyer": "Käufer",
        "net": "Netto",
        "gross": "Brutto",
        "country": "Deutschland",
        "register": "Amtsgericht Hamburg HRB 12345",
        "page": "Seite",
        "group_sum": "Zwischensumme",
    },
    "fr": {
        "carried": "A reporter",
        "brought": "Report",
        "credit": "AVOIR",
        "credit_no": "Avoir n°",
        "corrects": "Facture d'origine",
        "seller": "Vendeur",
        "buyer": "Acheteur",
        "net": "Total HT",
        "gross": "Total TTC",
        "country": "France",
        "register": "RCS Lyon 123 456 789",
        "page": "Page",
        "group_sum": "Sous-total",
    },
    "it": {
        "carried": "Riporto",
        "brought": "Riporto",
        "credit": "NOTA DI CREDITO",
        "credit_no": "Nota di credito n.",
        "corrects": "Fattura di riferimento",
        "seller": "Venditore",
        "buyer": "Acquirente",
        "net": "Imponibile",
        "gross": "Totale lordo",
        "country": "Italia",
        "register": "REA MI-1234567",
        "page": "Pagina",
        "group_sum": "Subtotale",
    },
    "es": {
        "carried": "Suma y sigue",
        "brought": "Suma anterior",
        "credit": "FACTURA RECTIFICATIVA",
        "credit_no": "Rectificativa nº",
        "corrects": "Factura rectificada",
        "seller": "Vendedor",
        "buyer": "Comprador",
        "net": "Base imponible",
        "gross": "Total bruto",
        "country": "España",
        "register": "Registro Mercantil de Madrid",
        "page": "Página",
        "group_sum": "Subtotal",
    },
    "nl": {
        "carried": "Transport",
        "brought": "Transport",
        "credit": "CREDITNOTA",
        "credit_no": "Creditnota nr",
        "corrects": "Oorspronkelijke factuur",
        "seller": "Verkoper",
        "buyer": "Koper",
        "net": "Netto",
        "gross": "Bruto",
        "country": "Nederland",
        "register": "KvK 12345678",
        "page": "Pagina",
        "group_sum": "Subtotaal",
    },
}
_LONG_ITEMS = (
    ("Annual maintenance contract", "for the production line, second half-year"),
    ("Cloud hosting, dedicated cluster", "including backup and monitoring"),
    ("Consulting services", "data migration, on site and remote"),
    ("Spare parts kit", "pumps and valves, series 4000"),
)
_TOWN = {
    "en": "SW1A 1AA London",
    "de": "20457 Hamburg",
    "fr": "69002 Lyon",
    "it": "20121 Milano",
    "es": "28001 Madrid",
    "nl": "1011 AB Amsterdam",
}

Item = tuple[str, float, str, int]
#: The parties a template keeps from one invoice to the next (empty: drawn per invoice).
Party = dict[str, str]


@dataclasses.dataclass
class Sheet:
    """Text items laid out row by row; ``page()`` starts the next page."""

    items: list[Item] = dataclasses.field(default_factory=list)
    row: int = 0

    def put(self, text: str, x: float, style: str = "") -> None:
        self.items.append((text, x, style, self.row))

    def next(self, rows: int = 1) -> None:
        self.row += rows

    def page(self) -> None:
        self.items.append(("", 0.0, "page", self.row))


def _money(v: Decimal, lang: str, *, swiss: bool = False) -> str:
    if swiss:
        return money_text(v, "en").replace(",", "'")
    return money_text(v, lang)


def _big_truth(rng: random.Random, lang: str, lines: int, *, big: bool = False) -> dict[str, Any]:
    t = _truth(rng, lang)
    rows = []
    for k in range(lines):
        qty = Decimal(rng.randint(1, 40 if big else 9))
        price = Decimal(rng.randint(50_000, 9_999_999 if big else 99_999)) / (
            10_000 if big else 100
        )
        rows.append((f"{rng.choice(_LONG_ITEMS)[0]} {k + 1}", qty, price))
    subtotal = sum((q2(q * p) for _, q, p in rows), Decimal(0))
    tax = q2(subtotal * Decimal(_RATE[lang]) / 100)
    t.update(lines=rows, subtotal=subtotal, tax_total=tax, total=subtotal + tax)
    return t


def _seller_block(s: Sheet, t: dict[str, Any], w: dict[str, str], lang: str, x: float) -> None:
    s.put(t["vendor_name"], x, "large")
    s.next()
    s.put(f"Hafenstraße {s.row + 3}", x)
    s.next()
    s.put(f"{_TOWN[lang]}, {EXTRA[lang]['country']}", x)
    s.next()
    s.put(f"{w['vat']} {t['vendor_tax_id']}", x)
    s.next()


def _header_fields(
    s: Sheet, t: dict[str, Any], w: dict[str, str], lang: str, x: float, number: str
) -> None:
    for label, value in (
        (number, t["invoice_number"]),
        (w["date"], date_text(t["invoice_date"], lang)),
        (w["due"], date_text(t["due_date"], lang)),
    ):
        s.put(f"{label}:", x)
        s.put(value, x + 0.2)
        s.next()


def _buyer_block(s: Sheet, t: dict[str, Any], heading: str | None, x: float) -> None:
    if heading:
        s.put(heading, x, "bold")
        s.next()
    s.put(t["buyer_name"], x)
    s.next()
    s.put("7 Market Street", x)
    s.next()
    s.put("1000 Midtown", x)
    s.next()


def _table_head(s: Sheet, w: dict[str, str]) -> None:
    for text, x in ((w["desc"], 0.06), (w["qty"], 0.5), (w["price"], 0.62), (w["amount"], 0.8)):
        s.put(text, x, "bold")
    s.next()


def _invoice_head(s: Sheet, t: dict[str, Any], w: dict[str, str], lang: str, right: bool) -> None:
    """The seller block on one side; title, header fields and buyer on the other; then the
    line table's heading."""
    left, other = (0.55, 0.06) if right else (0.06, 0.55)
    _seller_block(s, t, w, lang, left)
    s.put(w["title"], other, "large")
    s.next()
    _header_fields(s, t, w, lang, other, w["number"])
    s.next()
    _buyer_block(s, t, w["to"], other)
    s.next()
    _table_head(s, w)


def _line(s: Sheet, desc: str, qty: Decimal, price: Decimal, lang: str, **kw: Any) -> Decimal:
    amount = q2(qty * price)
    s.put(desc, 0.06)
    s.put(str(qty), 0.5)
    s.put(_money(price, lang, **kw), 0.62)
    s.put(_money(amount, lang, **kw), 0.8)
    s.next()
    return amount


def _totals(
    s: Sheet, t: dict[str, Any], labels: tuple[str, str, str], lang: str, **kw: Any
) -> None:
    s.next()
    cur = t["currency"]
    for label, value in zip(labels, ("subtotal", "tax_total", "total"), strict=True):
        s.put(label, 0.55)
        text = _money(t[value], lang, **kw)
        s.put(f"{text} {cur}" if value == "total" else text, 0.8)
        s.next()


def _tax_label(w: dict[str, str], lang: str) -> str:
    return f"{w['tax']} {_RATE[lang]}%"


def _multipage(rng: random.Random, lang: str, w: dict[str, str], right: bool, party: Party) -> Any:
    t = _big_truth(rng, lang, rng.randint(28, 50))
    t.update(party)
    e = EXTRA[lang]
    s = Sheet()
    _invoice_head(s, t, w, lang, right)
    running, on_page, page = Decimal(0), 0, 1
    for desc, qty, price in t["lines"]:
        if on_page == 22:
            s.put(e["carried"], 0.55)
            s.put(_money(running, lang), 0.8)
            s.page()
            page += 1
            s.put(f"{w['number']} {t['invoice_number']}", 0.06)
            s.put(f"{e['page']} {page}", 0.8)
            s.next(2)
            _table_head(s, w)
            s.put(e["brought"], 0.06)
            s.put(_money(running, lang), 0.8)
            s.next()
            on_page = 0
        running += _line(s, desc, qty, price, lang)
        on_page += 1
    _totals(s, t, (w["subtotal"], _tax_label(w, lang), w["total"]), lang)
    return t, s


def _wrapped(rng: random.Random, lang: str, w: dict[str, str], right: bool, party: Party) -> Any:
    t = _big_truth(rng, lang, rng.randint(2, 6))
    t.update(party)
    amount_below = rng.random() < 0.5
    s = Sheet()
    _invoice_head(s, t, w, lang, right)
    lines = []
    # Four lines or more come in two groups, each under a heading and closed by its subtotal.
    split = len(t["lines"]) // 2 if len(t["lines"]) >= 4 else len(t["lines"])
    group = Decimal(0)
    for k, (desc, qty, price) in enumerate(t["lines"]):
        if split < len(t["lines"]) and k in (0, split):
            s.put(("Hardware", "Services")[k > 0], 0.06, "bold")
            s.next()
        _, second = next((a, b) for a, b in _LONG_ITEMS if desc.startswith(a))
        full = f"{desc} {second}"
        amount = q2(qty * price)
        s.put(desc, 0.06)
        s.put(str(qty), 0.5)
        s.put(_money(price, lang), 0.62)
        if not amount_below:
            s.put(_money(amount, lang), 0.8)
        s.next()
        s.put(second, 0.06)
        if amount_below:
            s.put(_money(amount, lang), 0.8)
        s.next()
        lines.append((full, qty, price))
        group += amount
        if split < len(t["lines"]) and k in (split - 1, len(t["lines"]) - 1):
            s.put(f"{EXTRA[lang]['group_sum']} {('Hardware', 'Services')[k >= split]}", 0.55)
            s.put(_money(group, lang), 0.8)
            s.next()
            group = Decimal(0)
    t["lines"] = lines
    _totals(s, t, (w["subtotal"], _tax_label(w, lang), w["total"]), lang)
    return t, s


def _credit(rng: random.Random, lang: str, w: dict[str, str], right: bool, party: Party) -> Any:
    t = _truth(rng, lang)
    t.update(party)
    e = EXTRA[lang]
    s = Sheet()
    left, other = (0.55, 0.06) if right else (0.06, 0.55)
    _seller_block(s, t, w, lang, left)
    s.put(e["credit"], other, "large")
    s.next()
    old = f"{t['invoice_number']}-{rng.randint(1, 9)}"
    prior = date_text(t["invoice_date"] - dt.timedelta(days=rng.randint(20, 60)), lang)
    s.put(f"{e['corrects']}: {old} {w['of']} {prior}", other)
    s.next()
    _header_fields(s, t, w, lang, other, e["credit_no"])
    s.next()
    _buyer_block(s, t, w["to"], other)
    s.next()
    _table_head(s, w)
    for desc, qty, price in t["lines"]:
        _line(s, desc, qty, price, lang)
    _totals(s, t, (w["subtotal"], _tax_label(w, lang), w["total"]), lang)
    t["document_type"] = "381"
    return t, s


def _legal_line(rng: random.Random, lang: str, w: dict[str, str], right: bool, party: Party) -> Any:
    t = _truth(rng, lang)
    t.update(party)
    e = EXTRA[lang]
    s = Sheet()
    brand, other = (0.6, 0.06) if right else (0.06, 0.55)
    s.put(t["vendor_name"].split()[0].upper(), brand, "large")
    s.put(w["title"], other, "large")
    s.next(2)
    _buyer_block(s, t, None, 0.06)
    s.next()
    _header_fields(s, t, w, lang, 0.55, w["number"])
    s.next()
    _table_head(s, w)
    for desc, qty, price in t["lines"]:
        _line(s, desc, qty, price, lang)
    _totals(s, t, (w["subtotal"], _tax_label(w, lang), w["total"]), lang)
    s.next(3)
    s.put(
        f"{t['vendor_name']} · Hafenstraße 12 · {_TOWN[lang]} · {w['vat']} {t['vendor_tax_id']}"
        f" · {e['register']}",
        0.06,
        "small",
    )
    return t, s


def _party_headings(
    rng: random.Random, lang: str, w: dict[str, str], right: bool, party: Party
) -> Any:
    t = _truth(rng, lang)
    t.update(party)
    e = EXTRA[lang]
    s = Sheet()
    s.put(w["title"], 0.06, "large")
    s.next(2)
    _header_fields(s, t, w, lang, 0.06, w["number"])
    s.next()
    seller_x, buyer_x = (0.55, 0.06) if right else (0.06, 0.55)
    top = s.row
    s.put(e["seller"], seller_x, "bold")
    s.put(e["buyer"], buyer_x, "bold")
    s.next()
    s.put(t["vendor_name"], seller_x)
    s.put(t["buyer_name"], buyer_x)
    s.next()
    s.put("Hafenstraße 12", seller_x)
    s.put("7 Market Street", buyer_x)
    s.next()
    s.put(f"{_TOWN[lang]}, {e['country']}", seller_x)
    s.put("1000 Midtown", buyer_x)
    s.next()
    s.put(f"{w['vat']} {t['vendor_tax_id']}", seller_x)
    s.next(2)
    assert s.row > top
    _table_head(s, w)
    for desc, qty, price in t["lines"]:
        _line(s, desc, qty, price, lang)
    _totals(s, t, (w["subtotal"], _tax_label(w, lang), w["total"]), lang)
    return t, s


def _locale_amounts(
    rng: random.Random, lang: str, w: dict[str, str], right: bool, party: Party
) -> Any:
    t = _big_truth(rng, lang, rng.randint(1, 4), big=True)
    t.update(party)
    e = EXTRA[lang]
    swiss = rng.random() < 0.25
    s = Sheet()
    _invoice_head(s, t, w, lang, right)
    for desc, qty, price in t["lines"]:
        _line(s, desc, qty, price, lang, swiss=swiss)
    _totals(s, t, (e["net"], _tax_label(w, lang), e["gross"]), lang, swiss=swiss)
    return t, s


_DRAW = {
    "multipage": _multipage,
    "wrapped": _wrapped,
    "credit": _credit,
    "legal_line": _legal_line,
    "party_headings": _party_headings,
    "locale_amounts": _locale_amounts,
}


def family_invoices(family: str, count: int = 12, seed: int = 23) -> list[HeldOut]:
    """``count`` invoices of one family, cycling languages and both PDF libraries."""
    rng = random.Random(f"{family}/{seed}")
    langs = sorted(WORDING)
    out = []
    for i in range(count):
        lang = langs[i % len(langs)]
        generator = ("fpdf2", "reportlab")[(i // len(langs)) % 2]
        wording = WORDING[lang] if i % 2 == 0 else {**WORDING[lang], **ALTERNATE[lang]}
        right = rng.random() < 0.5
        truth, sheet = _DRAW[family](rng, lang, wording, right, {})
        truth["vendor_country"] = _COUNTRY[lang]
        layout = Layout(generator, lang, right, False, False, False, False, False)
        pdf = _fpdf(sheet.items) if generator == "fpdf2" else _reportlab(sheet.items)
        out.append(HeldOut(layout, truth, pdf))
    return out


def template_series(family: str, count: int = 10, seed: int = 29) -> list[HeldOut]:
    """``count`` invoices of one supplier's template in a family: one language, wording,
    PDF library, seller side and the same parties; numbers, dates, lines and amounts vary."""
    rng = random.Random(f"template/{family}/{seed}")
    lang = rng.choice(sorted(WORDING))
    generator = rng.choice(("fpdf2", "reportlab"))
    right = rng.random() < 0.5
    first = _truth(rng, lang)
    party = {k: first[k] for k in ("vendor_name", "vendor_tax_id", "buyer_name", "buyer_tax_id")}
    out = []
    for i in range(count):
        truth, sheet = _DRAW[family](
            random.Random(f"{family}/{seed}/{i}"), lang, WORDING[lang], right, party
        )
        truth["vendor_country"] = _COUNTRY[lang]
        layout = Layout(generator, lang, right, False, False, False, False, False)
        pdf = _fpdf(sheet.items) if generator == "fpdf2" else _reportlab(sheet.items)
        out.append(HeldOut(layout, truth, pdf))
    return out
