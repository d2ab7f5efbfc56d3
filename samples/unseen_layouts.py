"""Unseen-producer families set apart by their layout: the seller only in the footer, parties
side by side, totals in a box at the foot (see :mod:`samples.invoice_unseen`)."""

from __future__ import annotations

import random
from typing import Any

from samples.invoice_canvas import Canvas
from samples.invoice_pieces import (
    RATE,
    STREETS,
    address,
    date_short,
    draw_truth,
    line_table,
    money,
    priced_rows,
    rated_totals,
    totals_lines,
)


def footer_seller(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("en", "de", "nl"))
    t = draw_truth(rng, lang, rng.randint(1, 6))
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
    b_street, b_town = address(rng, lang)
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
    rows = priced_rows(t, lang, sym)
    heads = {
        "en": ("Description", "Qty", "Rate", "Amount"),
        "de": ("Beschreibung", "Menge", "Preis", "Betrag"),
        "nl": ("Omschrijving", "Aantal", "Tarief", "Bedrag"),
    }[lang]
    y = line_table(c, 90, heads, (x0, 120, 155, 192), rows, step=7)
    y += 6
    rate = RATE[lang]
    totals_lines(
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
    street, town = address(rng, lang)
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


def two_column(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("en", "de", "fr", "nl"))
    t = draw_truth(rng, lang, rng.randint(1, 6))
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
    street, town = address(rng, lang)
    b_street, b_town = address(rng, rng.choice(sorted(STREETS)))
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
    lines = priced_rows(t, lang)
    y = line_table(c, y, heads, (x0, 120, 155, 195), lines)
    y += 6
    totals_lines(
        c,
        y,
        rated_totals(t, lang, (totals[0], totals[1], totals[2])),
        130,
        195,
    )
    return t, c


def totals_box(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("en", "de", "fr", "it", "es", "nl"))
    t = draw_truth(rng, lang, rng.randint(1, 5))
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
    street, town = address(rng, lang)
    for k, row in enumerate((t["vendor_name"], street, town, f"{vat} {t['vendor_tax_id']}")):
        c.text(row, 195, 18 + 5 * k, 11 if k == 0 else 8.5, bold=k == 0, align="right")
    c.text(title, 15, 24, 18, bold=True)
    c.text(customer, 15, 50, 8, bold=True)
    b_street, b_town = address(rng, lang)
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
    rows = priced_rows(t, lang)
    line_table(c, 90, heads, (15, 125, 160, 195), rows)
    top = 235.0
    c.box(120, top, 80, 26)
    cur = t["currency"]
    for k, (label, value) in enumerate(
        (
            (net, money(t["subtotal"], lang)),
            (f"{tax} {RATE[lang]}%", money(t["tax_total"], lang)),
            (f"{total} {cur}", money(t["total"], lang)),
        )
    ):
        big = k == 2
        c.text(label, 123, top + 7 + 7.5 * k, 11 if big else 8.5, bold=big)
        c.text(value, 197, top + 7 + 7.5 * k, 11 if big else 8.5, bold=big, align="right")
    return t, c
