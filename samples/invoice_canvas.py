"""A small page description for generated invoices placed freely on the page: text in mm from
the top left, three font families (sans, serif, mono), left, right or centred, and boxes;
drawn by reportlab or fpdf2 with their built-in fonts, so the text layer looks like what other
producers send (``Helvetica``, ``Times-Roman``, ``Courier``, amounts right-aligned).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

_REPORTLAB_FONT = {
    ("sans", False): "Helvetica",
    ("sans", True): "Helvetica-Bold",
    ("serif", False): "Times-Roman",
    ("serif", True): "Times-Bold",
    ("mono", False): "Courier",
    ("mono", True): "Courier-Bold",
}
_FPDF_FONT = {"sans": "helvetica", "serif": "times", "mono": "courier"}
_MM = 72 / 25.4


@dataclass(frozen=True)
class Text:
    """One run of text whose baseline-left (or right, or centre) point is at ``x, y`` mm."""

    text: str
    x: float
    y: float
    size: float = 9
    bold: bool = False
    align: str = "left"  # "left" | "right" | "center"
    font: str | None = None  # None: the canvas's font


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass
class Canvas:
    """Pages of text and boxes, and the font family most text is set in."""

    width: float = 210.0
    height: float = 297.0
    font: str = "sans"
    pages: list[list[Text | Box]] = field(default_factory=lambda: [[]])

    def text(self, text: str, x: float, y: float, size: float = 9, **kw: object) -> None:
        self.pages[-1].append(Text(text, x, y, size, **kw))  # type: ignore[arg-type]

    def box(self, x: float, y: float, w: float, h: float) -> None:
        self.pages[-1].append(Box(x, y, w, h))

    def new_page(self) -> None:
        self.pages.append([])


def render(canvas: Canvas, generator: str) -> bytes:
    """The PDF bytes of ``canvas`` drawn by ``generator`` (``reportlab`` or ``fpdf2``)."""
    return _reportlab(canvas) if generator == "reportlab" else _fpdf(canvas)


def _reportlab(canvas: Canvas) -> bytes:
    from reportlab.pdfgen.canvas import Canvas as RlCanvas

    buf = io.BytesIO()
    c = RlCanvas(buf, pagesize=(canvas.width * _MM, canvas.height * _MM))
    top = canvas.height * _MM
    for k, page in enumerate(canvas.pages):
        if k:
            c.showPage()
        for item in page:
            if isinstance(item, Box):
                c.rect(item.x * _MM, top - (item.y + item.h) * _MM, item.w * _MM, item.h * _MM)
                continue
            c.setFont(_REPORTLAB_FONT[(item.font or canvas.font, item.bold)], item.size)
            x, y = item.x * _MM, top - item.y * _MM
            if item.align == "right":
                c.drawRightString(x, y, item.text)
            elif item.align == "center":
                c.drawCentredString(x, y, item.text)
            else:
                c.drawString(x, y, item.text)
    c.save()
    return buf.getvalue()


def _fpdf(canvas: Canvas) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=(canvas.width, canvas.height))
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_auto_page_break(False)
    for page in canvas.pages:
        pdf.add_page()
        for item in page:
            if isinstance(item, Box):
                pdf.rect(item.x, item.y, item.w, item.h)
                continue
            pdf.set_font(_FPDF_FONT[item.font or canvas.font], "B" if item.bold else "", item.size)
            width = pdf.get_string_width(item.text)
            x = item.x - (width if item.align == "right" else width / 2 * (item.align == "center"))
            pdf.text(x, item.y, item.text)
    return bytes(pdf.output())
