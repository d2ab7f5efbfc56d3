"""Bytes -> candidates, by format sniffed from content (plus the Factur-X cross-check)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from readers.pdf_budget import check_pdf
from schemas.invoice_memory import LearnedPosition
from schemas.invoice_options import InvoiceOptions
from schemas.issue import Issue
from tasks.invoices.candidate import Candidate
from tasks.invoices.csv_json import read_csv, read_json
from tasks.invoices.detect import sniff
from tasks.invoices.facturx import embedded_xml
from tasks.invoices.memory import apply_memory
from tasks.invoices.pdf_extract import extract_pdf
from tasks.invoices.pdf_text import PageText, PdfUnreadableError, read_pages
from tasks.invoices.scan_extract import extract_scan
from tasks.invoices.xml_cii import parse_cii
from tasks.invoices.xml_safe import parse_xml, syntax_of
from tasks.invoices.xml_ubl import parse_ubl


@dataclass
class Extraction:
    candidates: list[Candidate] = field(default_factory=list)
    file_issue: Issue | None = None
    meta: dict[str, object] = field(default_factory=dict)


def _xml(data: bytes) -> list[Candidate] | Issue:
    root = parse_xml(data)
    if isinstance(root, Issue):
        return root
    syntax = syntax_of(root)
    if isinstance(syntax, Issue):
        return syntax
    return [parse_cii(root) if syntax == "cii" else parse_ubl(root)]


def _facturx(xml: bytes, data: bytes, options: InvoiceOptions, currency: str) -> Extraction:
    parsed = _xml(xml)
    text = extract_pdf(data, max_pages=options.max_pdf_pages, currency=currency)
    if isinstance(parsed, Issue):
        # The embedded XML is unusable: read the visible invoice and say why.
        if isinstance(text, Issue):
            return Extraction(file_issue=text, meta={"format": "pdf"})
        for cand in text:
            cand.issues.append(
                Issue(
                    code="INV-FX-XML-INVALID",
                    message=f"The embedded XML was ignored: {parsed.message}",
                )
            )
        return Extraction(text, meta={"format": "pdf", "embedded_xml": "invalid"})
    cand = parsed[0]
    cand.source = "facturx"
    shown = [c.values.get("total") for c in text] if not isinstance(text, Issue) else []
    shown = [t for t in shown if t is not None]
    xml_total = cand.values.get("total")
    # Any amount printed on the pages counts, not only the one read as the total: the
    # template-free reading can pick the wrong figure, the buyer still sees the right one.
    printed = {t for t in shown if isinstance(t, Decimal)}
    if not isinstance(text, Issue):
        printed |= {a for c in text for a in c.printed_amounts}
    said = xml_total
    if cand.values.get("document_type") == "381" and isinstance(xml_total, Decimal):
        # A credit note's sign is the document type's to say; its print may show -233.47
        # where its XML says 233.47 (or the other way round).
        printed, said = {abs(a) for a in printed}, abs(xml_total)
    if shown and said is not None and said not in printed:
        cand.issues.append(
            Issue(
                code="INV-FX-TEXT-MISMATCH",
                field="total",
                message=(
                    f"The embedded XML says total {xml_total}, the printed invoice shows"
                    f" {shown[-1]}; check which one the vendor means."
                ),
            )
        )
    if not isinstance(text, Issue) and text:
        cand.pages = [p for c in text for p in c.pages]
    return Extraction(
        [cand], meta={"format": "facturx", "text_total": str(shown[-1]) if shown else None}
    )


def _remembered(
    data: bytes,
    found: list[Candidate],
    pages: list[PageText] | None,
    memory: Sequence[LearnedPosition],
    max_pages: int,
) -> None:
    """Apply the client's supplier memory to candidates read from pages (text or OCR)."""
    if not memory or not found:
        return
    if pages is None:
        try:
            pages = list(read_pages(data, max_pages))
        except PdfUnreadableError:
            return
    by_number = {p.number: p for p in pages}
    for cand in found:
        own = [by_number[n] for n in cand.pages if n in by_number]
        apply_memory(cand, own, memory)


def extract_candidates(
    data: bytes,
    name: str,
    options: InvoiceOptions,
    currency: str,
    memory: Sequence[LearnedPosition] = (),
) -> Extraction:
    """Candidates from the bytes, by the format sniffed; ``memory`` is the client's supplier
    memory (where reviewers' corrections stood), applied to invoices read from pages."""
    fmt = sniff(data, name)
    if fmt == "empty":
        return Extraction(
            file_issue=Issue(
                code="INV-EMPTY-FILE",
                message="The file is empty (0 bytes); ask the sender to drop it again.",
            )
        )
    if fmt == "pdf":
        check_pdf(data)  # pages, streams, operators, attachments: before any PDF reader
        xml = None if options.ignore_embedded_xml else embedded_xml(data)
        if xml is not None:
            return _facturx(xml, data, options, currency)
        result = extract_pdf(data, max_pages=options.max_pdf_pages, currency=currency)
        pages: list[PageText] | None = None
        if isinstance(result, Issue) and result.code == "INV-PDF-NEEDS-OCR":
            scanned, ocr = extract_scan(
                data, "pdf", max_pages=options.max_pdf_pages, currency=currency
            )
            # A PDF with no text and nothing OCR can read keeps the text reader's answer.
            if not (isinstance(scanned, Issue) and scanned.code == "INV-SCAN-NO-TEXT"):
                result, pages = scanned, ocr.pages if ocr else None
        if not isinstance(result, Issue):
            _remembered(data, result, pages, memory, options.max_pdf_pages)
    elif fmt == "image":
        result, ocr = extract_scan(
            data, "image", max_pages=options.max_pdf_pages, currency=currency
        )
        if not isinstance(result, Issue) and ocr is not None:
            _remembered(data, result, ocr.pages, memory, options.max_pdf_pages)
    elif fmt == "xml":
        result = _xml(data)
    elif fmt == "json":
        result = read_json(data, options.columns)
    elif fmt == "csv":
        result = read_csv(data, options.columns)
    else:
        result = Issue(
            code="INV-NOT-AN-INVOICE",
            message="The file is not a PDF, image (PNG, JPEG, TIFF), UBL/CII XML, CSV or JSON"
            " invoice; check what was sent.",
        )
    if isinstance(result, Issue):
        return Extraction(file_issue=result, meta={"format": fmt})
    if not result:
        return Extraction(
            file_issue=Issue(code="INV-NOT-AN-INVOICE", message="The file holds no invoices."),
            meta={"format": fmt},
        )
    sources = {c.source for c in result}
    return Extraction(result, meta={"format": sources.pop() if len(sources) == 1 else fmt})
