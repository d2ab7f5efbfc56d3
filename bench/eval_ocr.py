"""Evaluate reading scanned invoices: corpus Factur-X PDFs printed to images, read by OCR.

Every Factur-X/ZUGFeRD PDF in ../shared/corpus carries its invoice as XML: that XML is the
truth. Each PDF's pages are rendered to images as a scanner would give them and wrapped in an
image-only PDF (no text layer, no XML), then read through the production path
(``extract_candidates``: OCR, the field finder) and compared field by field, as
``bench/eval_invoices.py`` compares the text layer. Variants:

- ``clean``: 200 dpi, straight;
- ``scanner``: 150 dpi, turned 1.5 degrees, 0.2 % speckle noise;
- ``text``: the PDF's own text layer (XML removed), the baseline the scans are measured
  against, in the same run.

Prints per-field accuracy per variant, overall field accuracy, and OCR pages per second with
the machine's load (``uptime``). Goal: >= 70 % of fields on scans.

Usage: .venv/bin/python bench/eval_ocr.py [--corpus PATH] [--limit N]
       [--variants clean,scanner,text]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_invoices import FIELDS, default_corpus, read_xml, same
from samples.scans import degrade, image_pdf
from schemas.invoice_options import InvoiceOptions
from tasks.invoices.extract import extract_candidates
from tasks.invoices.facturx import embedded_xml
from tasks.invoices.pdf_extract import extract_pdf

VARIANTS: dict[str, dict[str, Any]] = {
    "clean": {"dpi": 200, "rotate": 0.0, "noise": 0.0},
    "scanner": {"dpi": 150, "rotate": 1.5, "noise": 0.002},
}


def scanned(data: bytes, *, dpi: int, rotate: float, noise: float, max_pages: int = 4) -> bytes:
    """The PDF's pages (at most ``max_pages``) as an image-only PDF."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    doc = pdfium.PdfDocument(data)
    try:
        images = [
            degrade(
                doc[i].render(scale=dpi / 72).to_pil().convert("L"),
                rotate=rotate,
                noise=noise,
                seed=i,
            )
            for i in range(min(len(doc), max_pages))
        ]
    finally:
        doc.close()
    if len(images) == 1:
        return image_pdf(images[0], dpi)
    import io

    buf = io.BytesIO()
    first, *rest = [im.convert("RGB") for im in images]
    first.save(buf, format="PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return buf.getvalue()


def _score(truth: Any, got: dict[str, Any], hits: Counter[str], seen: Counter[str]) -> None:
    for field in FIELDS:
        if field == "line count":
            t: Any = len(truth.values.get("lines") or [])
            g: Any = len(got.get("lines") or [])
        else:
            t, g = truth.values.get(field), got.get(field)
        if t is None or (isinstance(t, str) and not t):
            continue
        seen[field] += 1
        hits[field] += same(field, t, g)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--limit", type=int, default=0, help="at most this many PDFs (0: all)")
    parser.add_argument("--variants", default="clean,scanner,text")
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    pdfs = sorted(
        [
            *args.corpus.glob("zugferd-corpus/**/*.pdf"),
            *args.corpus.glob("akretion-factur-x/**/*.pdf"),
        ]
    )
    options = InvoiceOptions()
    hits = {v: Counter[str]() for v in variants}
    seen = {v: Counter[str]() for v in variants}
    pages = Counter[str]()
    seconds = Counter[str]()
    used = 0
    for pdf in pdfs:
        data = pdf.read_bytes()
        xml = embedded_xml(data)
        truth = read_xml(xml) if xml else None
        if truth is None:
            continue
        if args.limit and used >= args.limit:
            break
        used += 1
        for variant in variants:
            if variant == "text":
                found: Any = extract_pdf(data, max_pages=300, currency="EUR")
                got = found[0].values if isinstance(found, list) and found else {}
                _score(truth, got, hits[variant], seen[variant])
                continue
            image = scanned(data, **VARIANTS[variant])
            start = time.perf_counter()
            result = extract_candidates(image, pdf.name, options, "EUR")
            seconds[variant] += time.perf_counter() - start
            pages[variant] += sum(len(c.pages) for c in result.candidates) or 1
            got = result.candidates[0].values if result.candidates else {}
            _score(truth, got, hits[variant], seen[variant])
        so_far = "  ".join(f"{v} {sum(hits[v].values())}/{sum(seen[v].values())}" for v in variants)
        print(f"  {used:>3} {pdf.name[:50]:<50} {so_far}", file=sys.stderr, flush=True)
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"\nScanned invoices vs embedded XML ({used} Factur-X PDFs)   uptime: {load}")
    print(f"{'field':<16}" + "".join(f"{v:>10}" for v in variants))
    for field in FIELDS:
        row = "".join(
            f"{(hits[v][field] / seen[v][field] if seen[v][field] else 0):>10.1%}" for v in variants
        )
        print(f"{field:<16}{row}")
    total = "".join(
        f"{(sum(hits[v].values()) / max(sum(seen[v].values()), 1)):>10.1%}" for v in variants
    )
    print(f"{'all fields':<16}{total}")
    for v in variants:
        if pages[v]:
            print(
                f"{v}: {pages[v]} pages in {seconds[v]:.1f} s = {pages[v] / seconds[v]:.2f} pages/s"
                " (OCR + reading, one process)"
            )


if __name__ == "__main__":
    main()
