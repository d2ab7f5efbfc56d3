"""The parts the unseen-producer invoice families (:mod:`samples.invoice_unseen`) are drawn
from: parties, addresses and goods per language, VAT ids in each country's shape, dates and
amounts as each locale writes them, a seeded invoice truth, and the line table and totals
blocks placed on a :class:`samples.invoice_canvas.Canvas`."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from samples.invoice_canvas import Canvas
from samples.invoices import money_text, q2

SELLERS = {
    "en": ("Cirrus Byte Ltd", "Harbourline Analytics Ltd", "Quillstack Software Limited"),
    "de": ("Holzbau Kranich GmbH", "Elektro Brandt KG", "Druckerei Sommerfeld GmbH"),
    "fr": ("Boulangerie Martin SAS", "Atelier Lumière SARL", "Transports Girard SA"),
    "it": ("Fonderia Adriatica S.p.A.", "Studio Grafico Bellini S.r.l.", "Ottica Ferri S.n.c."),
    "es": ("Suministros Ebro S.L.", "Kiosko Sol S.L.", "Talleres Navarro S.A."),
    "nl": ("Van Dijk Installatietechniek B.V.", "Bakkerij De Molen V.O.F.", "Groenhuis B.V."),
}
BUYERS = (
    "Hollis & Crane LLP",
    "Meadowgate Dental Practice",
    "Bäckerei Lindner KG",
    "Hôtel du Parc SAS",
    "Studio Verde S.r.l.",
    "Clínica Sonrisa S.L.",
    "Tessaro Immobilien AG",
    "Northwind Outfitters Inc.",
    "Kaasboerderij Hoeve B.V.",
)
PEOPLE = ("Anna Keller", "Marco Rossi", "Lucía Fernández", "Pieter de Vries", "Claire Dubois")
STREETS = {
    "en": ("14 Wharf Lane", "221 Kings Road", "3 Albion Court"),
    "de": ("Lindenweg 4", "Am Markt 17", "Industriestraße 52"),
    "fr": ("12 rue des Tanneurs", "4 avenue Foch", "27 quai Perrache"),
    "it": ("Via Garibaldi 21", "Corso Italia 8", "Viale Monza 140"),
    "es": ("Calle Mayor 15", "Avenida de Aragón 3", "Paseo del Prado 40"),
    "nl": ("Keizersgracht 112", "Stationsplein 9", "Dorpsstraat 31"),
}
TOWNS = {
    "en": ("Bristol BS1 4DJ", "Leeds LS1 2AB", "Cardiff CF10 1EP"),
    "de": ("79098 Freiburg", "04109 Leipzig", "50667 Köln"),
    "fr": ("69002 Lyon", "33000 Bordeaux", "44000 Nantes"),
    "it": ("20121 Milano", "40121 Bologna", "10121 Torino"),
    "es": ("50001 Zaragoza", "46001 Valencia", "28014 Madrid"),
    "nl": ("3511 AB Utrecht", "1015 CJ Amsterdam", "9711 LM Groningen"),
}
COUNTRY = {"en": "GB", "de": "DE", "fr": "FR", "it": "IT", "es": "ES", "nl": "NL"}
COUNTRY_NAME = {
    "en": "United Kingdom",
    "de": "Deutschland",
    "fr": "France",
    "it": "Italia",
    "es": "España",
    "nl": "Nederland",
}
RATE = {"en": 20, "de": 19, "fr": 20, "it": 22, "es": 21, "nl": 21}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
GOODS = (
    "Oak beams 120x80",
    "Maintenance visit",
    "LED panel 60x60",
    "Printing A5 flyers",
    "Consulting day",
    "Cable duct 2m",
    "Design revision",
    "Delivery and setup",
    "Espresso beans 1kg",
    "Filter cartridges",
)


def vat_id(rng: random.Random, country: str) -> str:
    """A VAT id in ``country``'s shape (digits only; no check digit is computed)."""

    def digits(n: int) -> str:
        return "".join(str(rng.randint(0, 9)) for _ in range(n))

    body = {
        "GB": digits(9),
        "DE": digits(9),
        "FR": digits(2) + digits(9),
        "IT": digits(11),
        "ES": "B" + digits(8),
        "NL": digits(9) + "B01",
    }[country]
    return country + body


def date_long(d: dt.date, lang: str, *, us: bool = False) -> str:
    """``November 3, 2026``, ``3. November 2026``, ``3 de noviembre de 2026``."""
    month = MONTHS[lang].split()[d.month - 1]
    if lang == "en":
        return f"{month} {d.day}, {d.year}" if us else f"{d.day} {month} {d.year}"
    if lang == "de":
        return f"{d.day}. {month} {d.year}"
    if lang == "es":
        return f"{d.day} de {month} de {d.year}"
    return f"{d.day} {month} {d.year}"


def date_short(d: dt.date, lang: str) -> str:
    if lang == "en":
        return d.isoformat()
    if lang == "de":
        return d.strftime("%d.%m.%Y")
    if lang == "nl":
        return d.strftime("%d-%m-%Y")
    return d.strftime("%d/%m/%Y")


def money(v: Decimal, lang: str, symbol: str = "", *, after: bool = False) -> str:
    """``1,234.56`` in English, ``1.234,56`` in de/it/es/nl, ``1 234,56`` in French; with a
    currency symbol before (``$1,234.56``, ``€ 1.234,56``) or after (``1 234,56 €``)."""
    text = money_text(v, lang)
    if not symbol:
        return text
    if after:
        return f"{text} {symbol}"
    return f"{symbol}{text}" if symbol in ("$", "£") else f"{symbol} {text}"


def invoice_number(rng: random.Random) -> str:
    year = rng.randint(2025, 2026)
    return rng.choice(
        (
            f"{year}-{rng.randint(1, 9999):05d}",
            f"FA{year % 100}/{rng.randint(1, 9999):04d}",
            f"{rng.choice('ABCDEF')}{rng.randint(1000, 9999)}-{rng.randint(1, 999):04d}",
            f"R{year}{rng.randint(100, 9999)}",
            f"{rng.randint(10000, 999999)}",
        )
    )


def draw_truth(
    rng: random.Random,
    lang: str,
    lines: int,
    *,
    currency: str | None = None,
    fine_prices: bool = False,
    rate: int | None = None,
    top_price: int = 250_000,
) -> dict[str, Any]:
    rows = []
    for _ in range(lines):
        if fine_prices:
            qty = Decimal(rng.randint(1, 900))
            price = Decimal(rng.randint(10, 2000)) / 10_000
        else:
            qty = Decimal(rng.randint(1, 12))
            price = Decimal(rng.randint(150, top_price)) / 100
        rows.append((rng.choice(GOODS), qty, price))
    subtotal = sum((q2(q * p) for _, q, p in rows), Decimal(0))
    tax = q2(subtotal * Decimal(rate if rate is not None else RATE[lang]) / 100)
    issued = dt.date(2026, rng.randint(1, 12), rng.randint(1, 28))
    buyer_country = rng.choice(sorted(COUNTRY.values()))
    return {
        "invoice_number": invoice_number(rng),
        "invoice_date": issued,
        "due_date": issued + dt.timedelta(days=rng.choice((10, 14, 30, 60))),
        "vendor_name": rng.choice(SELLERS[lang]),
        "buyer_name": rng.choice(BUYERS),
        "vendor_tax_id": vat_id(rng, COUNTRY[lang]),
        "buyer_tax_id": vat_id(rng, buyer_country),
        "currency": currency or ("GBP" if lang == "en" else "EUR"),
        "subtotal": subtotal,
        "tax_total": tax,
        "total": subtotal + tax,
        "lines": rows,
        "vendor_country": COUNTRY[lang],
    }


def address(rng: random.Random, lang: str) -> tuple[str, str]:
    return rng.choice(STREETS[lang]), rng.choice(TOWNS[lang])


def line_table(
    c: Canvas,
    y: float,
    heads: Sequence[str],
    xs: Sequence[float],
    rows: Sequence[Sequence[str]],
    *,
    step: float = 6.0,
    rule: bool = True,
) -> float:
    """A line table: the first column left-aligned, the others right-aligned at ``xs``."""
    for k, (head, x) in enumerate(zip(heads, xs, strict=True)):
        c.text(head, x, y, 8.5, bold=True, align="left" if k == 0 else "right")
    if rule:
        c.box(xs[0], y + 1.5, xs[-1] - xs[0], 0.01)
    y += step + 1
    for row in rows:
        for k, (cell, x) in enumerate(zip(row, xs, strict=True)):
            c.text(cell, x, y, 8.5, align="left" if k == 0 else "right")
        y += step
    return y


def totals_lines(
    c: Canvas, y: float, rows: list[tuple[str, str]], label_x: float, value_x: float
) -> float:
    for k, (label, value) in enumerate(rows):
        last = k == len(rows) - 1
        c.text(label, label_x, y, 9.5 if last else 8.5, bold=last)
        c.text(value, value_x, y, 9.5 if last else 8.5, bold=last, align="right")
        y += 6
    return y


def priced_rows(t: dict[str, Any], lang: str, symbol: str = "") -> list[tuple[str, ...]]:
    """The line table's rows of ``t``: description, quantity, unit price, amount."""
    return [
        (desc, str(qty), money(price, lang, symbol), money(q2(qty * price), lang, symbol))
        for desc, qty, price in t["lines"]
    ]


def rated_totals(
    t: dict[str, Any], lang: str, labels: tuple[str, str, str]
) -> list[tuple[str, str]]:
    """Net, tax (its label with the rate) and total (its label with the currency) of ``t``."""
    net, tax, total = labels
    return [
        (net, money(t["subtotal"], lang)),
        (f"{tax} {RATE[lang]}%", money(t["tax_total"], lang)),
        (f"{total} {t['currency']}", money(t["total"], lang)),
    ]
