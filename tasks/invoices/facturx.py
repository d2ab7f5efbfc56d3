"""Factur-X / ZUGFeRD: the CII XML embedded in a PDF is the exact invoice.

The XML is taken from the PDF's embedded files (pypdfium2, which pdfplumber already ships);
the visible text is still read so a PDF whose printed total disagrees with its XML is sent to
review (``INV-FX-TEXT-MISMATCH``): the buyer pays what they see.
"""

from __future__ import annotations

import pypdfium2  # type: ignore[import-untyped]

_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")


def embedded_xml(data: bytes) -> bytes | None:
    """The embedded invoice XML, or ``None`` (not Factur-X, or unreadable: the text path
    reports the real problem)."""
    try:
        pdf = pypdfium2.PdfDocument(data)
    except (pypdfium2.PdfiumError, ValueError, OSError):
        return None
    try:
        best: bytes | None = None
        for i in range(pdf.count_attachments()):
            attachment = pdf.get_attachment(i)
            name = attachment.get_name().lower()
            if name in _NAMES:
                return bytes(attachment.get_data())
            if name.endswith(".xml") and best is None:
                best = bytes(attachment.get_data())
        return best
    except (pypdfium2.PdfiumError, ValueError, OSError):
        return None
    finally:
        pdf.close()
