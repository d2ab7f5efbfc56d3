"""Unseen-producer families printed as receipts or short notes: a cloud service's invoice, a
till receipt on an 80 mm roll, a credit note for an invoice (see :mod:`samples.invoice_unseen`)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from samples.invoice_canvas import Canvas
from samples.invoice_pieces import (
    PEOPLE,
    RATE,
    address,
    date_long,
    date_short,
    draw_truth,
    invoice_number,
    line_table,
    money,
    priced_rows,
    rated_totals,
    totals_lines,
)
from samples.invoices import money_text, q2


def saas_receipt(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    currency, symbol = rng.choice((("USD", "$"), ("EUR", "€"), ("GBP", "£")))
    t = draw_truth(rng, "en", rng.randint(1, 5), currency=currency, fine_prices=True)
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
    street, town = address(rng, "en")
    seller_rows = [t["vendor_name"], street, town, "United Kingdom", "billing@" + brand + ".io"]
    buyer_x = x0 + 70
    c.text("Bill to", buyer_x, y, 8.5, bold=True)
    b_street, b_town = address(rng, rng.choice(("en", "de", "nl")))
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
    y = line_table(
        c, y, ("Description", "Qty", "Unit price", "Amount"), (x0, 120, 160, right), rows
    )
    for k in range(len(lines)):
        c.text(f"{period} - usage", x0 + 2, y - 6 * (len(lines) - k) + 3, 6.5)
    y += 6
    rate = RATE["en"]
    y = totals_lines(
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


def retail_receipt(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    t = draw_truth(
        rng, lang, rng.randint(2, 9), rate=rng.choice((7, 10, RATE[lang])), top_price=4_000
    )
    t["buyer_name"] = rng.choice(PEOPLE)
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
    street, town = address(rng, lang)
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


def credit_ref(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("en", "de", "fr", "es"))
    t = draw_truth(rng, lang, rng.randint(1, 4))
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
    street, town = address(rng, lang)
    x0 = 16.0
    for k, row in enumerate((t["vendor_name"], street, town, f"{vat} {t['vendor_tax_id']}")):
        c.text(row, x0, 18 + 5 * k, 11 if k == 0 else 8.5, bold=k == 0)
    c.text(title, 195, 22, 16, bold=True, align="right")
    old = invoice_number(rng)
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
    b_street, b_town = address(rng, lang)
    for k, row in enumerate((t["buyer_name"], b_street, b_town)):
        c.text(row, x0, y + 5 * (k + 1), 9)
    y += 40
    heads = {
        "en": ("Description", "Qty", "Price", "Amount"),
        "de": ("Bezeichnung", "Menge", "Preis", "Betrag"),
        "fr": ("Désignation", "Qté", "Prix", "Montant"),
        "es": ("Concepto", "Cantidad", "Precio", "Importe"),
    }[lang]
    rows2 = priced_rows(t, lang)
    y = line_table(c, y, heads, (x0, 120, 155, 195), rows2)
    y += 6
    totals_lines(
        c,
        y,
        rated_totals(t, lang, (net, tax, total)),
        125,
        195,
    )
    return t, c
