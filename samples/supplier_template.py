"""A supplier's own invoice layout that a label-driven reader gets partly wrong: the seller
only in a small footer, the due date beside a house word (``Settle until``), the
amount due in a box labelled ``Please transfer``. Ten invoices of it vary in number, dates,
lines and amounts, so positions shift with the line table, as real series do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from fpdf import FPDF

from samples.invoices import PricedLines, q2


@dataclass(frozen=True)
class TemplateInvoice(PricedLines):
    number: str
    date: dt.date
    due: dt.date
    vendor: str
    vendor_vat: str
    buyer: str
    lines: tuple[tuple[str, Decimal, Decimal], ...]
    tax_rate: Decimal = Decimal("20")
    currency: str = "EUR"

    def truth(self) -> dict[str, object]:
        """The header fields as a reviewer would type them."""
        return {
            "invoice_number": self.number,
            "invoice_date": self.date.isoformat(),
            "due_date": self.due.isoformat(),
            "vendor_name": self.vendor,
            "vendor_tax_id": self.vendor_vat,
            "buyer_name": self.buyer,
            "currency": self.currency,
            "subtotal": str(self.subtotal),
            "tax_total": str(self.tax),
            "total": str(self.total),
        }


_ITEMS = (
    "Fresh produce crate",
    "Cold storage per pallet",
    "Delivery surcharge",
    "Returnable boxes",
    "Dairy assortment",
    "Bakery goods",
)


def series(
    n: int,
    *,
    vendor: str = "Nordlicht Frischdienst AG",
    vendor_vat: str = "ATU13585627",
    buyer: str = "Globex Corporation",
    seed: int = 3,
) -> list[TemplateInvoice]:
    """``n`` invoices of the supplier, deterministic for ``seed``."""
    import random

    rng = random.Random(seed)
    out = []
    for i in range(n):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=9 * i + rng.randrange(3))
        k = 1 + rng.randrange(4)
        lines = tuple(
            (
                _ITEMS[(i + j) % len(_ITEMS)],
                Decimal(rng.randrange(1, 40)),
                Decimal(rng.randrange(150, 9000)) / 100,
            )
            for j in range(k)
        )
        out.append(
            TemplateInvoice(
                number=f"NF{26100 + 17 * i}",
                date=day,
                due=day + dt.timedelta(days=14),
                vendor=vendor,
                vendor_vat=vendor_vat,
                buyer=buyer,
                lines=lines,
            )
        )
    return out


def _money(v: Decimal) -> str:
    return f"{v:,.2f}".replace(",", " ")


def template_pdf(inv: TemplateInvoice) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "FRESH GOODS - COLD CHAIN - DAILY ROUNDS", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "Invoice", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.ln(6)
    pdf.cell(0, 6, inv.buyer, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "Purchasing department", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "1200 Market Street, Springfield", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    for label, value in (
        ("Invoice no.", inv.number),
        ("Date", inv.date.strftime("%d.%m.%Y")),
        ("Settle until", inv.due.strftime("%d.%m.%Y")),
        ("Money", inv.currency),
    ):
        pdf.set_x(120)
        pdf.cell(35, 6, label)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 10)
    for w, h in ((90, "Article"), (20, "Pcs"), (35, "Each"), (35, "Sum")):
        pdf.cell(w, 7, h, align="L" if h == "Article" else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for desc, qty, price in inv.lines:
        pdf.cell(90, 7, desc)
        pdf.cell(20, 7, str(qty), align="R")
        pdf.cell(35, 7, _money(price), align="R")
        pdf.cell(35, 7, _money(q2(qty * price)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    totals: tuple[tuple[str, Decimal], ...] = (
        ("Goods", inv.subtotal),
        (f"Levy {inv.tax_rate}%", inv.tax),
        ("Please transfer", inv.total),
    )
    for label, amount in totals:
        pdf.set_x(110)
        pdf.cell(45, 7, label)
        pdf.cell(35, 7, _money(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(-40)
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(0, 5, f"{inv.vendor} | Kaiserstrasse 9 | 1010 Wien", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"UID {inv.vendor_vat} | Commercial register FN 123456a")
    return bytes(pdf.output())
