"""A document's pages as the field finder reads them, whatever they came as: a PDF's text
layer, else the OCR of a scanned PDF or of an image."""

from __future__ import annotations

from tasks.invoices.detect import sniff
from tasks.invoices.pdf_text import PageText, PdfUnreadableError, read_pages
from tasks.invoices.scan_extract import ScannedPages, scan_pages


def document_pages(data: bytes, max_pages: int) -> list[PageText]:
    """The pages (empty when the bytes are neither a readable PDF nor an image)."""
    fmt = sniff(data)
    if fmt == "image":
        scanned = scan_pages(data, "image", max_pages)
        return scanned.pages if isinstance(scanned, ScannedPages) else []
    if fmt != "pdf":
        return []
    try:
        pages = list(read_pages(data, max_pages))
    except PdfUnreadableError:
        return []
    if any(p.lines for p in pages):
        return pages
    scanned = scan_pages(data, "pdf", max_pages)
    return scanned.pages if isinstance(scanned, ScannedPages) else []
