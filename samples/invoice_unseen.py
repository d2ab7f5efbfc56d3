"""Generated invoices that imitate producers the finder was never tuned on: a held-out group of
its own, scored by ``bench/eval_invoices.py`` and not looked at before its first measure.

Unlike :mod:`samples.invoice_families` (one row grid, one font) these are placed freely in mm
(:mod:`samples.invoice_canvas`), set in Helvetica, Times or Courier, amounts right-aligned:

- ``saas_receipt``: a cloud service's invoice: a lower-case brand logo, ``Bill to``, usage lines
  with four-decimal unit prices, ``$1,234.56 USD due ...``, ``Amount due``.
- ``retail_receipt``: a till receipt on an 80 mm roll in Courier, the shop centred at the top,
  ``2 x 3,50`` lines, the customer named under it.
- ``facture``: a French invoice: SIRET, ``TOTAL HT`` / ``TVA 20 %`` / ``TOTAL TTC``, a VAT rate
  column, the buyer's block carrying ``TVA : FR...``.
- ``rechnung``: a German DIN letter: the sender line over the address window, an info block,
  ``Netto`` / ``zzgl. 19 % USt`` / ``Brutto``, a footer in columns with the register.
- ``localised``: Italian, Spanish and Dutch invoices with their own labels (``Spett.le``,
  ``Base imponible``, ``Factuurdatum``), long month names and ``€ 1.234,56``.
- ``footer_seller``: the seller named only in a footer set in columns.
- ``two_column``: seller and buyer side by side, each with a VAT id; header values in a row of
  boxes under their labels.
- ``totals_box``: totals in a ruled box at the bottom right, far below the table.
- ``credit_ref``: a credit note for an invoice: the corrected invoice's number and date
  printed first, order and delivery dates beside the document's own.

The truth travels with each file (same keys as :mod:`samples.invoice_layouts`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from samples.invoice_canvas import Canvas, render
from samples.invoice_layouts import HeldOut, Layout
from samples.invoices import money_text, q2

UNSEEN = (
    "saas_receipt",
    "retail_receipt",
    "facture",
    "rechnung",
    "localised",
    "footer_seller",
    "two_column",
    "totals_box",
    "credit_ref",
)

_SELLERS = {
    "en": ("Cirrus Byte Ltd", "Harbourline Analytics Ltd", "Quillstack Software Limited"),
    "de": ("Holzbau Kranich GmbH", "Elektro Brandt KG", "Druckerei Sommerfeld GmbH"),
    "fr": ("Boulangerie Martin SAS", "Atelier Lumière SARL", "Transports Girard SA"),
    "it": ("Fonderia Adriatica S.p.A.", "Studio Grafico Bellini S.r.l.", "Ottica Ferri S.n.c."),
    "es": ("Suministros Ebro S.L.", "Kiosko Sol S.L.", "Talleres Navarro S.A."),
    "nl": ("Van Dijk Installatietechniek B.V.", "Bakkerij De Molen V.O.F.", "Groenhuis B.V."),
}
_BUYERS = (
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
_PEOPLE = ("Anna Keller", "Marco Rossi", "Lucía Fernández", "Pieter de Vries", "Claire Dubois")
_STREETS = {
    "en": ("14 Wharf Lane", "221 Kings Road", "3 Albion Court"),
    "de": ("Lindenweg 4", "Am Markt 17", "Industriestraße 52"),
    "fr": ("12 rue des Tanneurs", "4 avenue Foch", "27 quai Perrache"),
    "it": ("Via Garibaldi 21", "Corso Italia 8", "Viale Monza 140"),
    "es": ("Calle Mayor 15", "Avenida de Aragón 3", "Paseo del Prado 40"),
    "nl": ("Keizersgracht 112", "Stationsplein 9", "Dorpsstraat 31"),
}
_TOWNS = {
    "en": ("Bristol BS1 4DJ", "Leeds LS1 2AB", "Cardiff CF10 1EP"),
    "de": ("79098 Freiburg", "04109 Leipzig", "50667 Köln"),
    "fr": ("69002 Lyon", "33000 Bordeaux", "44000 Nantes"),
    "it": ("20121 Milano", "40121 Bologna", "10121 Torino"),
    "es": ("50001 Zaragoza", "46001 Valencia", "28014 Madrid"),
    "nl": ("3511 AB Utrecht", "1015 CJ Amsterdam", "9711 LM Groningen"),
}
_COUNTRY = {"en": "GB", "de": "DE", "fr": "FR", "it": "IT", "es": "ES", "nl": "NL"}
_COUNTRY_NAME = {
    "en": "United Kingdom",
    "de": "Deutschland",
    "fr": "France",
    "it": "Italia",
    "es": "España",
    "nl": "Nederland",
}
_RATE = {"en": 20, "de": 19, "fr": 20, "it": 22, "es": 21, "nl": 21}
_MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
_GOODS = (
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
    month = _MONTHS[lang].split()[d.month - 1]
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


def _number(rng: random.Random) -> str:
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


def _truth(
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
        rows.append((rng.choice(_GOODS), qty, price))
    subtotal = sum((q2(q * p) for _, q, p in rows), Decimal(0))
    tax = q2(subtotal * Decimal(rate if rate is not None else _RATE[lang]) / 100)
    issued = dt.date(2026, rng.randint(1, 12), rng.randint(1, 28))
    buyer_country = rng.choice(sorted(_COUNTRY.values()))
    return {
        "invoice_number": _number(rng),
        "invoice_date": issued,
        "due_date": issued + dt.timedelta(days=rng.choice((10, 14, 30, 60))),
        "vendor_name": rng.choice(_SELLERS[lang]),
        "buyer_name": rng.choice(_BUYERS),
        "vendor_tax_id": vat_id(rng, _COUNTRY[lang]),
        "buyer_tax_id": vat_id(rng, buyer_country),
        "currency": currency or ("GBP" if lang == "en" else "EUR"),
        "subtotal": subtotal,
        "tax_total": tax,
        "total": subtotal + tax,
        "lines": rows,
        "vendor_country": _COUNTRY[lang],
    }


def _address(rng: random.Random, lang: str) -> tuple[str, str]:
    return rng.choice(_STREETS[lang]), rng.choice(_TOWNS[lang])


def _table(
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


def _totals(
    c: Canvas, y: float, rows: list[tuple[str, str]], label_x: float, value_x: float
) -> float:
    for k, (label, value) in enumerate(rows):
        last = k == len(rows) - 1
        c.text(label, label_x, y, 9.5 if last else 8.5, bold=last)
        c.text(value, value_x, y, 9.5 if last else 8.5, bold=last, align="right")
        y += 6
    return y


def _saas_receipt(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    currency, symbol = rng.choice((("USD", "$"), ("EUR", "€"), ("GBP", "£")))
    t = _truth(rng, "en", rng.randint(1, 5), currency=currency, fine_prices=True)
    t["invoice_number"] = (
        f"{rng.choice('ABCDEF')}{rng.randint(1000, 9999):X}{rng.randint(0, 9)}-{rng.randint(1, 30):04d}"  # noqa: E501
    )
    c = Canvas(width=215.9, height=279.4, font=rng.choice(("sans", "serif")))
    brand = t["vendor_name"].split()[0].lower() + t["vendor_name"].split()[1].lower()[:4]
    x0 = 18 + rng.uniform(-4, 4)
    c.text(brand, x0, 22, 18, bold=True)
    c.text("Invoice", 200 - x0 + 18, 22, 16, align="right")
    y = 38.0
    due = date_long(t["due_date"], "en", us=True)
    for label, value in (
        ("Invoice number", t["invoice_number"]),
        ("Date of issue", date_long(t["invoice_date"], "en", us=True)),
        ("Date due", due),
    ):
        c.text(label, x0, y, 8.5)
        c.text(value, x0 + 32, y, 8.5)
        y += 5
    y += 6
    street, town = _address(rng, "en")
    seller_rows = [t["vendor_name"], street, town, "United Kingdom", "billing@" + brand + ".io"]
    buyer_x = x0 + 70
    c.text("Bill to", buyer_x, y, 8.5, bold=True)
    b_street, b_town = _address(rng, rng.choice(("en", "de", "nl")))
    buyer_rows = [t["buyer_name"], b_street, b_town, "accounts@example.org"]
    for k, row in enumerate(seller_rows):
        c.text(row, x0, y + 5 * k, 8.5, bold=k == 0)
    for k, row in enumerate(buyer_rows):
        c.text(row, buyer_x, y + 5 + 5 * k, 8.5)
    c.text(f"GB VAT {t['vendor_tax_id']}", x0, y + 5 * len(seller_rows), 8.5)
    y += 5 * len(seller_rows) + 14
    c.text(f"{money(t['total'], 'en', symbol)} {currency} due {due}", x0, y, 14, bold=True)
    y += 7
    c.text("Thanks for building with us. Questions? Reply to this email.", x0, y, 8.5)
    y += 12
    period = f"{date_long(t['invoice_date'] - dt.timedelta(days=30), 'en', us=True)[:-6]}"
    usage = ("Compute (vCPU-hours)", "Object storage (GB-month)", "Egress (GB)", "Seats")
    rows = []
    lines = []
    for k, (_, qty, price) in enumerate(t["lines"]):
        desc = usage[k % len(usage)] + (f" {k + 1}" if k >= len(usage) else "")
        lines.append((desc, qty, price))
        rows.append(
            (
                desc,
                str(qty),
                f"{symbol}{price:.4f}",
                money(q2(qty * price), "en", symbol),
            )
        )
    t["lines"] = lines
    right = 215.9 - x0
    y = _table(c, y, ("Description", "Qty", "Unit price", "Amount"), (x0, 120, 160, right), rows)
    for k in range(len(lines)):
        c.text(f"{period} - usage", x0 + 2, y - 6 * (len(lines) - k) + 3, 6.5)
    y += 6
    rate = _RATE["en"]
    y = _totals(
        c,
        y,
        [
            ("Subtotal", money(t["subtotal"], "en", symbol)),
            (
                f"VAT - United Kingdom ({rate}% on {money(t['subtotal'], 'en', symbol)})",
                money(t["tax_total"], "en", symbol),
            ),
            ("Total", money(t["total"], "en", symbol)),
            ("Amount due", f"{money(t['total'], 'en', symbol)} {currency}"),
        ],
        105,
        right,
    )
    c.text(f"{t['invoice_number']} · {money(t['total'], 'en', symbol)} due {due}", x0, 265, 7)
    c.text("Page 1 of 1", right, 265, 7, align="right")
    return t, c


def _retail_receipt(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    t = _truth(rng, lang, rng.randint(2, 9), rate=rng.choice((7, 10, _RATE[lang])), top_price=4_000)
    t["buyer_name"] = rng.choice(_PEOPLE)
    t["due_date"] = None
    words: tuple[Any, ...] = {
        "en": ("INVOICE", "Invoice no", "Date", "Customer", "NET", "VAT", "TOTAL", "VAT No"),
        "de": ("RECHNUNG", "Beleg-Nr", "Datum", "Kunde", "NETTO", "MwSt", "SUMME", "USt-ID"),
        "es": ("FACTURA", "Factura", "Fecha", "Cliente", "BASE", "IVA", "TOTAL", "NIF"),
        "it": ("FATTURA", "Documento n.", "Data", "Cliente", "IMPONIBILE", "IVA", "TOTALE",
               "P.IVA"),
        "fr": ("FACTURE", "Ticket n°", "Date", "Client", "HT", "TVA", "TOTAL TTC", "TVA"),
        "nl": ("FACTUUR", "Bonnr", "Datum", "Klant", "NETTO", "BTW", "TOTAAL", "BTW-nr"),
    }[lang]  # fmt: skip
    title, number, date, customer, net, tax, total, vat = words
    rate = (t["tax_total"] * 100 / t["subtotal"]).quantize(Decimal(1))
    height = 150 + 9 * len(t["lines"])
    c = Canvas(width=80, height=height, font="mono")
    street, town = _address(rng, lang)
    y = 10.0
    for k, row in enumerate((t["vendor_name"], street, town, f"{vat} {t['vendor_tax_id']}")):
        c.text(row, 40, y, 9 if k == 0 else 7.5, bold=k == 0, align="center")
        y += 4.5
    y += 3
    c.text(title, 40, y, 9, bold=True, align="center")
    y += 6
    clock = f"{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}"
    when = f"{date_short(t['invoice_date'], lang)} {clock}"
    for label, value in (
        (number, t["invoice_number"]),
        (date, when),
        (customer, t["buyer_name"]),
    ):
        c.text(f"{label}:", 4, y, 7.5)
        c.text(value, 76, y, 7.5, align="right")
        y += 4.5
    c.text("-" * 38, 4, y, 7.5)
    y += 4.5
    for desc, qty, price in t["lines"]:
        c.text(desc[:24], 4, y, 7.5)
        y += 4
        c.text(f"  {qty} x {money_text(price, lang)}", 4, y, 7.5)
        c.text(money_text(q2(qty * price), lang), 76, y, 7.5, align="right")
        y += 4.5
    c.text("-" * 38, 4, y, 7.5)
    y += 5
    cur = t["currency"]
    for label, value, bold in (
        (f"{net}", t["subtotal"], False),
        (f"{tax} {rate}%", t["tax_total"], False),
        (f"{total} {cur}", t["total"], True),
    ):
        c.text(label, 4, y, 9 if bold else 7.5, bold=bold)
        c.text(money_text(value, lang), 76, y, 9 if bold else 7.5, bold=bold, align="right")
        y += 5
    y += 3
    c.text(rng.choice(("CARD", "VISA ****" + str(rng.randint(1000, 9999)))), 4, y, 7.5)
    c.text(money_text(t["total"], lang), 76, y, 7.5, align="right")
    return t, c


def _facture(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    t = _truth(rng, "fr", rng.randint(1, 7))
    c = Canvas(font=rng.choice(("sans", "serif")))
    street, town = _address(rng, "fr")
    x0 = 15 + rng.uniform(0, 6)
    siret = f"{rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)} 00012"
    seller = [
        (t["vendor_name"], 12, True),
        (street, 8.5, False),
        (town, 8.5, False),
        (f"SIRET : {siret}", 8.5, False),
        (f"TVA intracommunautaire : {t['vendor_tax_id']}", 8.5, False),
    ]
    y = 20.0
    for text, size, bold in seller:
        c.text(text, x0, y, size, bold=bold)
        y += 5
    bx = 118 + rng.uniform(-3, 3)
    b_street, b_town = _address(rng, "fr")
    by = 48.0
    c.text(t["buyer_name"], bx, by, 10, bold=True)
    for k, row in enumerate((b_street, b_town, f"TVA : {t['buyer_tax_id']}")):
        c.text(row, bx, by + 5 * (k + 1), 8.5)
    y = 82.0
    c.text(f"FACTURE N° {t['invoice_number']}", x0, y, 14, bold=True)
    y += 8
    c.text(f"Date : {date_short(t['invoice_date'], 'fr')}", x0, y, 9)
    c.text(f"Échéance : {date_short(t['due_date'], 'fr')}", x0 + 60, y, 9)
    y += 12
    rows = [
        (
            desc,
            str(qty),
            money(price, "fr", "€", after=True),
            "20,00 %",
            money(q2(qty * price), "fr", "€", after=True),
        )
        for desc, qty, price in t["lines"]
    ]
    y = _table(
        c, y, ("Désignation", "Qté", "PU HT", "TVA", "Total HT"), (x0, 105, 135, 158, 195), rows
    )
    y += 8
    y = _totals(
        c,
        y,
        [
            ("TOTAL HT", money(t["subtotal"], "fr", "€", after=True)),
            ("TVA 20 %", money(t["tax_total"], "fr", "€", after=True)),
            ("TOTAL TTC", money(t["total"], "fr", "€", after=True)),
        ],
        130,
        195,
    )
    c.text("Conditions de paiement : 30 jours fin de mois. Pas d'escompte.", x0, y + 12, 7.5)
    c.text(
        "Pénalités de retard : trois fois le taux d'intérêt légal. Indemnité forfaitaire : 40 €.",
        x0,
        y + 16,
        7.5,
    )
    return t, c


def _rechnung(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    t = _truth(rng, "de", rng.randint(1, 8))
    c = Canvas(font=rng.choice(("sans", "serif")))
    street, town = _address(rng, "de")
    x0 = 25.0
    c.text(t["vendor_name"].split()[1].upper(), 185, 22, 20, bold=True, align="right")
    c.text(f"{t['vendor_name']} · {street} · {town}", x0, 50, 6.5)
    b_street, b_town = _address(rng, "de")
    for k, row in enumerate((t["buyer_name"], "z. Hd. Frau Berger", b_street, b_town)):
        c.text(row, x0, 58 + 5 * k, 9.5)
    ix = 128.0
    customer = str(rng.randint(10000, 99999))
    for k, (label, value) in enumerate(
        (
            ("Rechnungsnummer", t["invoice_number"]),
            ("Rechnungsdatum", date_short(t["invoice_date"], "de")),
            ("Kundennummer", customer),
            ("Lieferdatum", date_short(t["invoice_date"] - dt.timedelta(days=2), "de")),
        )
    ):
        c.text(f"{label}:", ix, 58 + 5 * k, 8.5)
        c.text(value, 185, 58 + 5 * k, 8.5, align="right")
    y = 100.0
    c.text("Rechnung", x0, y, 13, bold=True)
    y += 8
    c.text("Sehr geehrte Damen und Herren,", x0, y, 9)
    c.text("wir berechnen Ihnen für unsere Leistungen wie folgt:", x0, y + 5, 9)
    y += 14
    rows = [
        (f"{k + 1}  {desc}", str(qty), "Stk.", money(price, "de"), money(q2(qty * price), "de"))
        for k, (desc, qty, price) in enumerate(t["lines"])
    ]
    y = _table(
        c,
        y,
        ("Pos.  Bezeichnung", "Menge", "Einheit", "Einzelpreis", "Gesamtpreis"),
        (x0, 108, 128, 156, 185),
        rows,
    )
    y += 6
    rate = _RATE["de"]
    y = _totals(
        c,
        y,
        [
            ("Netto", f"{money(t['subtotal'], 'de')} €"),
            (f"zzgl. {rate} % USt", f"{money(t['tax_total'], 'de')} €"),
            ("Brutto", f"{money(t['total'], 'de')} €"),
        ],
        128,
        185,
    )
    due = date_short(t["due_date"], "de")
    c.text(f"Zahlbar bis {due} ohne Abzug.", x0, y + 8, 9)
    c.text("Mit freundlichen Grüßen", x0, y + 18, 9)
    fy = 272.0
    iban = "DE" + "".join(str(rng.randint(0, 9)) for _ in range(20))
    columns = (
        (t["vendor_name"], street, town),
        ("Sparkasse", f"IBAN {iban}", "BIC SOLADES1FRB"),
        ("Geschäftsführer: J. Kranich", f"Amtsgericht Freiburg HRB {rng.randint(1000, 99999)}"),
        (f"USt-IdNr.: {t['vendor_tax_id']}", f"Steuernr.: {rng.randint(10, 99)}/123/45678"),
    )
    for k, column in enumerate(columns):
        for j, row in enumerate(column):
            c.text(row, x0 + 42 * k, fy + 3.5 * j, 6)
    return t, c


_LOCAL: dict[str, dict[str, Any]] = {
    "it": {
        "title": "FATTURA",
        "head": ("Fattura n.", "del", "Scadenza"),
        "to": "Spett.le",
        "vat": "Partita IVA",
        "table": ("Descrizione", "Q.tà", "Prezzo unitario", "Importo"),
        "totals": ("Imponibile", "IVA 22%", "Totale fattura"),
        "pay": "Pagamento: bonifico bancario a 30 giorni",
    },
    "es": {
        "title": "FACTURA",
        "head": ("Factura nº", "Fecha", "Vencimiento"),
        "to": "Datos del cliente",
        "vat": "CIF",
        "table": ("Concepto", "Uds.", "Precio", "Total"),
        "totals": ("Base imponible", "IVA (21%)", "TOTAL FACTURA"),
        "pay": "Forma de pago: transferencia bancaria",
    },
    "nl": {
        "title": "Factuur",
        "head": ("Factuurnummer", "Factuurdatum", "Vervaldatum"),
        "to": "Aan",
        "vat": "BTW-nr",
        "table": ("Omschrijving", "Aantal", "Stukprijs", "Totaal"),
        "totals": ("Subtotaal", "BTW 21%", "Totaal te betalen"),
        "pay": "Gelieve te betalen binnen 30 dagen onder vermelding van het factuurnummer.",
    },
}


def _localised(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("it", "es", "nl"))
    w = _LOCAL[lang]
    t = _truth(rng, lang, rng.randint(1, 6))
    c = Canvas(font=rng.choice(("sans", "serif")))
    street, town = _address(rng, lang)
    x0 = 16 + rng.uniform(0, 8)
    seller_right = rng.random() < 0.5
    sx, bx = (120.0, x0) if seller_right else (x0, 120.0)
    for k, row in enumerate((t["vendor_name"], street, town, f"{w['vat']}: {t['vendor_tax_id']}")):
        c.text(row, sx, 20 + 5 * k, 11 if k == 0 else 8.5, bold=k == 0)
    c.text(w["to"], bx, 50, 8.5, bold=True)
    b_street, b_town = _address(rng, lang)
    for k, row in enumerate((t["buyer_name"], b_street, b_town)):
        c.text(row, bx, 55 + 5 * k, 9)
    y = 85.0
    c.text(w["title"], x0, y, 15, bold=True)
    y += 9
    sym = "€" if lang == "nl" else ""
    number, date, due = w["head"]
    long = rng.random() < 0.5
    when = (date_long if long else date_short)(t["invoice_date"], lang)
    if lang == "it":
        c.text(f"{number} {t['invoice_number']} {date} {when}", x0, y, 10)
        c.text(f"{due}: {date_short(t['due_date'], lang)}", x0, y + 5, 9)
    else:
        for k, (label, value) in enumerate(
            (
                (number, t["invoice_number"]),
                (date, when),
                (due, (date_long if long else date_short)(t["due_date"], lang)),
            )
        ):
            c.text(f"{label}:", x0, y + 5 * k, 9)
            c.text(value, x0 + 35, y + 5 * k, 9)
    y += 22
    rows = [
        (desc, str(qty), money(price, lang, sym), money(q2(qty * price), lang, sym))
        for desc, qty, price in t["lines"]
    ]
    y = _table(c, y, w["table"], (x0, 120, 155, 192), rows)
    y += 6
    labels = w["totals"]
    values = (t["subtotal"], t["tax_total"], t["total"])
    cur = " EUR" if not sym else ""
    y = _totals(
        c,
        y,
        [(label, money(v, lang, sym or "") + cur) for label, v in zip(labels, values, strict=True)],
        120,
        192,
    )
    c.text(w["pay"], x0, y + 10, 8)
    return t, c


def _footer_seller(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("en", "de", "nl"))
    t = _truth(rng, lang, rng.randint(1, 6))
    words: tuple[Any, ...] = {
        "en": ("INVOICE", "Invoice to:", "Invoice No.", "Date", "Due Date", "Subtotal", "VAT",
               "Total Due", "VAT No.", "Company No."),
        "de": ("RECHNUNG", "Rechnung an:", "Rechnungs-Nr.", "Datum", "Fällig am", "Zwischensumme",
               "MwSt.", "Gesamtbetrag", "USt-IdNr.", "HRB"),
        "nl": ("FACTUUR", "Factuur aan:", "Factuurnr.", "Datum", "Vervaldatum", "Subtotaal", "BTW",
               "Totaal", "BTW-nr.", "KvK"),
    }[lang]  # fmt: skip
    title, to, number, date, due, sub, tax, total, vat, reg = words
    sym = "£" if lang == "en" else "€"
    c = Canvas(font=rng.choice(("sans", "serif")))
    x0 = 18.0
    c.text(title, 192, 25, 22, bold=True, align="right")
    c.text(to, x0, 45, 9, bold=True)
    b_street, b_town = _address(rng, lang)
    for k, row in enumerate((t["buyer_name"], b_street, b_town)):
        c.text(row, x0, 51 + 5 * k, 9)
    for k, (label, value) in enumerate(
        (
            (number, t["invoice_number"]),
            (date, date_short(t["invoice_date"], lang)),
            (due, date_short(t["due_date"], lang)),
        )
    ):
        c.text(label, 130, 45 + 6 * k, 9, bold=True)
        c.text(value, 192, 45 + 6 * k, 9, align="right")
    rows = [
        (desc, str(qty), money(price, lang, sym), money(q2(qty * price), lang, sym))
        for desc, qty, price in t["lines"]
    ]
    heads = {
        "en": ("Description", "Qty", "Rate", "Amount"),
        "de": ("Beschreibung", "Menge", "Preis", "Betrag"),
        "nl": ("Omschrijving", "Aantal", "Tarief", "Bedrag"),
    }[lang]
    y = _table(c, 90, heads, (x0, 120, 155, 192), rows, step=7)
    y += 6
    rate = _RATE[lang]
    _totals(
        c,
        y,
        [
            (sub, money(t["subtotal"], lang, sym)),
            (f"{tax} ({rate}%)", money(t["tax_total"], lang, sym)),
            (total, money(t["total"], lang, sym)),
        ],
        130,
        192,
    )
    street, town = _address(rng, lang)
    c.box(x0, 262, 174, 0.01)
    columns = (
        (t["vendor_name"], street, town),
        ("Tel +44 117 496 0123" if lang == "en" else "Tel 0800 123 456", "info@example.com"),
        (f"{vat} {t['vendor_tax_id']}", f"{reg} {rng.randint(10000000, 99999999)}"),
    )
    for k, column in enumerate(columns):
        for j, row in enumerate(column):
            c.text(row, x0 + 62 * k, 268 + 4 * j, 7)
    return t, c


def _two_column(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("en", "de", "fr", "nl"))
    t = _truth(rng, lang, rng.randint(1, 6))
    words: tuple[Any, ...] = {
        "en": ("From", "To", "Invoice", "Invoice number", "Invoice date", "Due date",
               ("Item", "Qty", "Unit price", "Total"), ("Net", "VAT", "Total"), "VAT"),
        "de": ("Von", "An", "Rechnung", "Rechnungsnr.", "Rechnungsdatum", "Fälligkeit",
               ("Leistung", "Menge", "Preis", "Summe"), ("Netto", "USt.", "Gesamt"), "USt-IdNr."),
        "fr": ("De", "À", "Facture", "Numéro", "Date", "Échéance",
               ("Article", "Qté", "Prix", "Montant"), ("Total HT", "TVA", "Total TTC"), "TVA"),
        "nl": ("Van", "Aan", "Factuur", "Factuurnummer", "Datum", "Vervaldatum",
               ("Artikel", "Aantal", "Prijs", "Bedrag"), ("Netto", "BTW", "Totaal"), "BTW-nr."),
    }[lang]  # fmt: skip
    frm, to, title, number, date, due, heads, totals, vat = words
    c = Canvas(font=rng.choice(("sans", "serif", "mono")))
    x0 = 15.0
    c.text(title, x0, 22, 20, bold=True)
    street, town = _address(rng, lang)
    b_street, b_town = _address(rng, rng.choice(sorted(_STREETS)))
    blocks = (
        (frm, (t["vendor_name"], street, town, f"{vat} {t['vendor_tax_id']}")),
        (to, (t["buyer_name"], b_street, b_town, f"{vat} {t['buyer_tax_id']}")),
    )
    for k, (head, rows) in enumerate(blocks):
        x = x0 + 95 * k
        c.text(head, x, 38, 8, bold=True)
        for j, row in enumerate(rows):
            c.text(row, x, 44 + 5 * j, 9)
    y = 72.0
    for k, (label, value) in enumerate(
        (
            (number, t["invoice_number"]),
            (date, date_short(t["invoice_date"], lang)),
            (due, date_short(t["due_date"], lang)),
        )
    ):
        x = x0 + 60 * k
        c.box(x, y - 4, 58, 13)  # the header values in a row of boxes
        c.text(label, x + 2, y, 7.5, bold=True)
        c.text(value, x + 2, y + 6, 9)
    y = 98.0
    lines = [
        (desc, str(qty), money(price, lang), money(q2(qty * price), lang))
        for desc, qty, price in t["lines"]
    ]
    y = _table(c, y, heads, (x0, 120, 155, 195), lines)
    y += 6
    cur = t["currency"]
    _totals(
        c,
        y,
        [
            (totals[0], money(t["subtotal"], lang)),
            (f"{totals[1]} {_RATE[lang]}%", money(t["tax_total"], lang)),
            (f"{totals[2]} {cur}", money(t["total"], lang)),
        ],
        130,
        195,
    )
    return t, c


def _totals_box(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("en", "de", "fr", "it", "es", "nl"))
    t = _truth(rng, lang, rng.randint(1, 5))
    words: tuple[Any, ...] = {
        "en": ("Invoice", "Number", "Date", "Payment due", "Customer", "Net amount", "VAT",
               "TOTAL", ("Product", "Quantity", "Price", "Amount"), "VAT ID"),
        "de": ("Rechnung", "Nummer", "Datum", "Zahlungsziel", "Kunde", "Nettobetrag", "USt",
               "GESAMT", ("Produkt", "Menge", "Preis", "Betrag"), "USt-IdNr"),
        "fr": ("Facture", "Numéro", "Date", "Échéance", "Client", "Montant HT", "TVA",
               "TOTAL", ("Produit", "Quantité", "Prix", "Montant"), "N° TVA"),
        "it": ("Fattura", "Numero", "Data", "Scadenza", "Cliente", "Imponibile", "IVA",
               "TOTALE", ("Prodotto", "Quantità", "Prezzo", "Importo"), "P. IVA"),
        "es": ("Factura", "Número", "Fecha", "Vencimiento", "Cliente", "Base imponible", "IVA",
               "TOTAL", ("Producto", "Cantidad", "Precio", "Importe"), "NIF"),
        "nl": ("Factuur", "Nummer", "Datum", "Vervaldatum", "Klant", "Netto bedrag", "BTW",
               "TOTAAL", ("Product", "Aantal", "Prijs", "Bedrag"), "BTW-nr"),
    }[lang]  # fmt: skip
    title, number, date, due, customer, net, tax, total, heads, vat = words
    c = Canvas(font=rng.choice(("sans", "serif")))
    street, town = _address(rng, lang)
    for k, row in enumerate((t["vendor_name"], street, town, f"{vat} {t['vendor_tax_id']}")):
        c.text(row, 195, 18 + 5 * k, 11 if k == 0 else 8.5, bold=k == 0, align="right")
    c.text(title, 15, 24, 18, bold=True)
    c.text(customer, 15, 50, 8, bold=True)
    b_street, b_town = _address(rng, lang)
    for k, row in enumerate((t["buyer_name"], b_street, b_town)):
        c.text(row, 15, 56 + 5 * k, 9)
    for k, (label, value) in enumerate(
        (
            (number, t["invoice_number"]),
            (date, date_short(t["invoice_date"], lang)),
            (due, date_short(t["due_date"], lang)),
        )
    ):
        c.text(label, 130, 56 + 5 * k, 8.5)
        c.text(value, 195, 56 + 5 * k, 8.5, align="right")
    rows = [
        (desc, str(qty), money(price, lang), money(q2(qty * price), lang))
        for desc, qty, price in t["lines"]
    ]
    _table(c, 90, heads, (15, 125, 160, 195), rows)
    top = 235.0
    c.box(120, top, 80, 26)
    cur = t["currency"]
    for k, (label, value) in enumerate(
        (
            (net, money(t["subtotal"], lang)),
            (f"{tax} {_RATE[lang]}%", money(t["tax_total"], lang)),
            (f"{total} {cur}", money(t["total"], lang)),
        )
    ):
        big = k == 2
        c.text(label, 123, top + 7 + 7.5 * k, 11 if big else 8.5, bold=big)
        c.text(value, 197, top + 7 + 7.5 * k, 11 if big else 8.5, bold=big, align="right")
    return t, c


def _credit_ref(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("en", "de", "fr", "es"))
    t = _truth(rng, lang, rng.randint(1, 4))
    words: tuple[Any, ...] = {
        "en": ("CREDIT NOTE", "Credit note for invoice", "dated", "Credit note no.",
               "Credit note date", "Order date", "Delivery date", "Customer", "Net", "VAT",
               "Total credit", "VAT no.", "Original invoice date"),
        "de": ("GUTSCHRIFT", "Gutschrift zur Rechnung", "vom", "Gutschrift-Nr.",
               "Gutschriftdatum", "Bestelldatum", "Lieferdatum", "Kunde", "Netto", "USt.",
               "Gutschriftbetrag", "USt-IdNr.", "Datum der Rechnung"),
        "fr": ("AVOIR", "Avoir sur facture", "du", "Avoir n°", "Date de l'avoir",
               "Date de commande", "Date de livraison", "Client", "Total HT", "TVA",
               "Total TTC", "N° TVA", "Date de la facture"),
        "es": ("FACTURA RECTIFICATIVA", "Rectifica la factura", "de fecha", "Número",
               "Fecha de emisión", "Fecha de pedido", "Fecha de entrega", "Cliente",
               "Base imponible", "IVA", "Total", "NIF", "Fecha de la factura original"),
    }[lang]  # fmt: skip
    title, for_inv, dated, number, date, order, delivery, customer, net, tax, total, vat, orig = (
        words
    )
    t["document_type"] = "381"
    t["due_date"] = None
    c = Canvas(font=rng.choice(("sans", "serif")))
    street, town = _address(rng, lang)
    x0 = 16.0
    for k, row in enumerate((t["vendor_name"], street, town, f"{vat} {t['vendor_tax_id']}")):
        c.text(row, x0, 18 + 5 * k, 11 if k == 0 else 8.5, bold=k == 0)
    c.text(title, 195, 22, 16, bold=True, align="right")
    old = _number(rng)
    old_date = t["invoice_date"] - dt.timedelta(days=rng.randint(15, 90))
    y = 50.0
    c.text(f"{for_inv} {old} {dated} {date_short(old_date, lang)}", x0, y, 10, bold=True)
    y += 10
    rows = (
        (orig, date_short(old_date, lang)),
        (order, date_short(old_date - dt.timedelta(days=5), lang)),
        (number, t["invoice_number"]),
        (date, date_short(t["invoice_date"], lang)),
        (delivery, date_short(old_date - dt.timedelta(days=1), lang)),
    )
    for k, (label, value) in enumerate(rows):
        c.text(f"{label}:", 120, y + 5 * k, 8.5)
        c.text(value, 195, y + 5 * k, 8.5, align="right")
    c.text(customer, x0, y, 8, bold=True)
    b_street, b_town = _address(rng, lang)
    for k, row in enumerate((t["buyer_name"], b_street, b_town)):
        c.text(row, x0, y + 5 * (k + 1), 9)
    y += 40
    heads = {
        "en": ("Description", "Qty", "Price", "Amount"),
        "de": ("Bezeichnung", "Menge", "Preis", "Betrag"),
        "fr": ("Désignation", "Qté", "Prix", "Montant"),
        "es": ("Concepto", "Cantidad", "Precio", "Importe"),
    }[lang]
    rows2 = [
        (desc, str(qty), money(price, lang), money(q2(qty * price), lang))
        for desc, qty, price in t["lines"]
    ]
    y = _table(c, y, heads, (x0, 120, 155, 195), rows2)
    y += 6
    cur = t["currency"]
    _totals(
        c,
        y,
        [
            (net, money(t["subtotal"], lang)),
            (f"{tax} {_RATE[lang]}%", money(t["tax_total"], lang)),
            (f"{total} {cur}", money(t["total"], lang)),
        ],
        125,
        195,
    )
    return t, c


_DRAW = {
    "saas_receipt": _saas_receipt,
    "retail_receipt": _retail_receipt,
    "facture": _facture,
    "rechnung": _rechnung,
    "localised": _localised,
    "footer_seller": _footer_seller,
    "two_column": _two_column,
    "totals_box": _totals_box,
    "credit_ref": _credit_ref,
}


def unseen_invoices(family: str, count: int = 12, seed: int = 41) -> list[HeldOut]:
    """``count`` invoices of one unseen-producer family, alternating reportlab and fpdf2."""
    rng = random.Random(f"unseen/{family}/{seed}")
    langs = ("en", "de", "fr", "it", "es", "nl")
    out = []
    for i in range(count):
        generator = ("reportlab", "fpdf2")[i % 2]
        truth, canvas = _DRAW[family](rng, langs[i % len(langs)])
        lang = next(k for k, v in _COUNTRY.items() if v == truth["vendor_country"])
        layout = Layout(generator, lang, False, False, False, False, False, False)
        out.append(HeldOut(layout, truth, render(canvas, generator)))
    return out
