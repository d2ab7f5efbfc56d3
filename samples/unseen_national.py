"""Unseen-producer families in one country's manner: a French facture, a German DIN letter,
Italian, Spanish and Dutch invoices with their own labels (see :mod:`samples.invoice_unseen`)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from samples.invoice_canvas import Canvas
from samples.invoice_pieces import (
    RATE,
    address,
    date_long,
    date_short,
    draw_truth,
    line_table,
    money,
    priced_rows,
    totals_lines,
)
from samples.invoices import q2


def facture(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    t = draw_truth(rng, "fr", rng.randint(1, 7))
    c = Canvas(font=rng.choice(("sans", "serif")))
    street, town = address(rng, "fr")
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
    b_street, b_town = address(rng, "fr")
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
    y = line_table(
        c, y, ("Désignation", "Qté", "PU HT", "TVA", "Total HT"), (x0, 105, 135, 158, 195), rows
    )
    y += 8
    y = totals_lines(
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


def rechnung(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    t = draw_truth(rng, "de", rng.randint(1, 8))
    c = Canvas(font=rng.choice(("sans", "serif")))
    street, town = address(rng, "de")
    x0 = 25.0
    c.text(t["vendor_name"].split()[1].upper(), 185, 22, 20, bold=True, align="right")
    c.text(f"{t['vendor_name']} · {street} · {town}", x0, 50, 6.5)
    b_street, b_town = address(rng, "de")
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
    y = line_table(
        c,
        y,
        ("Pos.  Bezeichnung", "Menge", "Einheit", "Einzelpreis", "Gesamtpreis"),
        (x0, 108, 128, 156, 185),
        rows,
    )
    y += 6
    rate = RATE["de"]
    y = totals_lines(
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


def localised(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    lang = rng.choice(("it", "es", "nl"))
    w = _LOCAL[lang]
    t = draw_truth(rng, lang, rng.randint(1, 6))
    c = Canvas(font=rng.choice(("sans", "serif")))
    street, town = address(rng, lang)
    x0 = 16 + rng.uniform(0, 8)
    seller_right = rng.random() < 0.5
    sx, bx = (120.0, x0) if seller_right else (x0, 120.0)
    for k, row in enumerate((t["vendor_name"], street, town, f"{w['vat']}: {t['vendor_tax_id']}")):
        c.text(row, sx, 20 + 5 * k, 11 if k == 0 else 8.5, bold=k == 0)
    c.text(w["to"], bx, 50, 8.5, bold=True)
    b_street, b_town = address(rng, lang)
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
    rows = priced_rows(t, lang, sym)
    y = line_table(c, y, w["table"], (x0, 120, 155, 192), rows)
    y += 6
    labels = w["totals"]
    values = (t["subtotal"], t["tax_total"], t["total"])
    cur = " EUR" if not sym else ""
    y = totals_lines(
        c,
        y,
        [(label, money(v, lang, sym or "") + cur) for label, v in zip(labels, values, strict=True)],
        120,
        192,
    )
    c.text(w["pay"], x0, y + 10, 8)
    return t, c
