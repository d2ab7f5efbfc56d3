"""Two more unseen-producer families, written after the finder was changed for the others and
measured once, never tuned on (:data:`BLIND`): they say what the changes carry to habits they
were not made for.

- ``us_invoice``: a US small-business invoice: ``INVOICE #``, ``BILL TO`` and ``SHIP TO``
  side by side, ``TERMS Net 30``, dates ``MM/DD/YYYY``, ``Sales Tax (8.25%)``, ``BALANCE DUE``;
  the seller has no VAT id.
- ``benelux_english``: a Dutch or Belgian seller writing in English: header fields in a ruled
  box, the buyer's address in the window without a heading, amounts as ``EUR 1.234,56``, a
  VAT column per line, ``Total excl. VAT`` / ``VAT 21% of ...`` / ``Total incl. VAT``.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from samples.invoice_canvas import Canvas
from samples.invoice_pieces import (
    address,
    draw_truth,
    line_table,
    money,
    totals_lines,
    vat_id,
)
from samples.invoices import q2

BLIND = ("us_invoice", "benelux_english")

_US_SELLERS = ("Redwood Print & Sign LLC", "Lakeside Plumbing Inc.", "Bluebird Catering Co.")
_US_STREETS = ("1200 Main Street, Suite 4", "88 Harbor Blvd", "4510 Elm Avenue")
_US_TOWNS = ("Austin, TX 78701", "Portland, OR 97205", "Columbus, OH 43215")


def us_invoice(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    t = draw_truth(rng, "en", rng.randint(1, 6), currency="USD", rate=0)
    rate = Decimal(rng.choice(("8.25", "6.5", "7")))
    t["tax_total"] = q2(t["subtotal"] * rate / 100)
    t["total"] = t["subtotal"] + t["tax_total"]
    t["vendor_name"] = rng.choice(_US_SELLERS)
    t["vendor_tax_id"] = None
    t["vendor_country"] = "US"
    t["invoice_number"] = str(rng.randint(1000, 9999))
    c = Canvas(width=215.9, height=279.4, font=rng.choice(("sans", "serif")))
    x0 = 16.0
    c.text(t["vendor_name"], x0, 20, 14, bold=True)
    for k, row in enumerate((rng.choice(_US_STREETS), rng.choice(_US_TOWNS), "(512) 555-0147")):
        c.text(row, x0, 26 + 4.5 * k, 8.5)
    c.text("INVOICE", 200, 22, 22, bold=True, align="right")
    us = "%m/%d/%Y"
    for k, (label, value) in enumerate(
        (
            ("INVOICE #", t["invoice_number"]),
            ("DATE", t["invoice_date"].strftime(us)),
            ("TERMS", "Net 30"),
            ("DUE DATE", t["due_date"].strftime(us)),
        )
    ):
        c.text(label, 150, 34 + 5 * k, 8.5, bold=True)
        c.text(value, 200, 34 + 5 * k, 8.5, align="right")
    street, town = rng.choice(_US_STREETS), rng.choice(_US_TOWNS)
    for k, head in enumerate(("BILL TO", "SHIP TO")):
        x = x0 + 70 * k
        c.text(head, x, 62, 8.5, bold=True)
        for j, row in enumerate((t["buyer_name"], street, town)):
            c.text(row, x, 67 + 4.5 * j, 9)
    rows = [
        (desc, str(qty), f"{price:,.2f}", f"{q2(qty * price):,.2f}")
        for desc, qty, price in t["lines"]
    ]
    y = line_table(c, 92, ("DESCRIPTION", "QTY", "RATE", "AMOUNT"), (x0, 130, 165, 200), rows)
    y += 6
    totals_lines(
        c,
        y,
        [
            ("SUBTOTAL", f"{t['subtotal']:,.2f}"),
            (f"Sales Tax ({rate}%)", f"{t['tax_total']:,.2f}"),
            ("TOTAL", f"{t['total']:,.2f}"),
            ("BALANCE DUE", f"${t['total']:,.2f}"),
        ],
        140,
        200,
    )
    c.text("Make all checks payable to " + t["vendor_name"], x0, 250, 8)
    return t, c


def benelux_english(rng: random.Random, lang: str) -> tuple[dict[str, Any], Canvas]:
    home = rng.choice(("nl", "be"))
    t = draw_truth(rng, "nl", rng.randint(1, 6))
    t["vendor_name"] = rng.choice(
        ("Zeeland Marine Parts B.V.", "Brabant Coatings NV", "Flanders Data Services BV")
    )
    if home == "be":
        t["vendor_tax_id"] = "BE0" + vat_id(rng, "DE")[2:]
        t["vendor_country"] = "BE"
    c = Canvas(font=rng.choice(("sans", "serif")))
    c.text(t["vendor_name"], 105, 18, 15, bold=True, align="center")
    street, town = address(rng, "nl")
    c.text(f"{street} - {town} - VAT {t['vendor_tax_id']}", 105, 24, 7.5, align="center")
    b_street, b_town = address(rng, rng.choice(("de", "fr", "en")))
    for k, row in enumerate((t["buyer_name"], b_street, b_town)):
        c.text(row, 22, 52 + 5 * k, 10)
    c.box(118, 44, 80, 26)
    for k, (label, value) in enumerate(
        (
            ("Invoice number", t["invoice_number"]),
            ("Invoice date", t["invoice_date"].strftime("%d-%m-%Y")),
            ("Due date", t["due_date"].strftime("%d-%m-%Y")),
            ("Customer no.", str(rng.randint(10000, 99999))),
        )
    ):
        c.text(label, 121, 50 + 5.5 * k, 8.5)
        c.text(value, 195, 50 + 5.5 * k, 8.5, align="right")
    c.text("INVOICE", 22, 88, 14, bold=True)

    def eur(v: Decimal) -> str:
        return "EUR " + money(v, "nl")

    rows = [
        (f"{k + 1}. {desc}", str(qty), eur(price), "21%", eur(q2(qty * price)))
        for k, (desc, qty, price) in enumerate(t["lines"])
    ]
    y = line_table(
        c,
        100,
        ("Description", "Qty", "Unit price", "VAT", "Amount"),
        (22, 115, 145, 162, 195),
        rows,
    )
    y += 6
    y = totals_lines(
        c,
        y,
        [
            ("Total excl. VAT", eur(t["subtotal"])),
            (f"VAT 21% of {eur(t['subtotal'])}", eur(t["tax_total"])),
            ("Total incl. VAT", eur(t["total"])),
        ],
        115,
        195,
    )
    c.text("Please pay within 30 days, quoting the invoice number.", 22, y + 10, 8)
    return t, c
