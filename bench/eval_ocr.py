"""Evaluate reading scanned invoices: corpus Factur-X PDFs printed to images, read by OCR.

Every Factur-X/ZUGFeRD PDF in ../shared/corpus carries its invoice as XML: that XML is the
truth. Each PDF's pages are rendered to images as a scanner would give them and wrapped in an
image-only PDF (no text layer, no XML), then read through the production path
(``extract_candidates``: OCR, the field finder) and compared field by field, as
``bench/eval_invoices.py`` compares the text layer. Variants (``VARIANTS``): a resolution
(150, 200, 300 dpi) straight and clean, or as an office scanner gives it (grey paper, soft
focus, turned 1.5 degrees, speckle, JPEG artefacts); ``text`` is the PDF's own text layer
(XML removed), the baseline the scans are measured against, in the same run.

The corpus is split by the software that laid the PDFs out (``producer_of``): the OCR
reader's choices (resolution, clean-ups) were made looking at the ``tune`` producers only;
the ``held-out`` producers were scored, not looked at. ``--per-producer N`` takes the first N
files of each producer (sorted by path) to keep a run short on a busy machine.

Prints per-field accuracy per variant, overall field accuracy, and OCR pages per second with
the machine's load average; ``--pool N`` reads the scans through N warm reading children
(the production path of a worker) and reports that rate too. Goal: >= 70 % of fields on scans.

Usage: .venv/bin/python bench/eval_ocr.py [--corpus PATH] [--split tune|held-out|all]
       [--per-producer N] [--limit N] [--variants clean-200,scan-200,text] [--pool N]
       [--generated N]   (generated invoices instead of the corpus)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_invoices import FIELDS, default_corpus, producer_of, read_xml, same
from samples.scans import SCANNER, scanned_pdf
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from schemas.invoice_options import InvoiceOptions
from tasks.doctype import ClientContext
from tasks.invoices.extract import extract_candidates
from tasks.invoices.facturx import embedded_xml
from tasks.invoices.pdf_extract import extract_pdf

VARIANTS: dict[str, dict[str, Any]] = {
    "clean-150": {"dpi": 150},
    "clean-200": {"dpi": 200},
    "clean-300": {"dpi": 300},
    "scan-150": {"dpi": 150, **SCANNER},
    "scan-200": {"dpi": 200, **SCANNER},
    "scan-300": {"dpi": 300, **SCANNER},
}
#: Producers whose files the OCR reader's choices were made on; all others are held out.
TUNE_PRODUCERS = frozenset({"mustang", "factur-x"})


def corpus_files(corpus: Path, split: str, per_producer: int) -> list[tuple[Path, bytes, Any, str]]:
    """``(path, bytes, truth, producer)`` of the corpus PDFs with readable XML in ``split``."""
    out: list[tuple[Path, bytes, Any, str]] = []
    taken = Counter[str]()
    for pdf in sorted(
        [*corpus.glob("zugferd-corpus/**/*.pdf"), *corpus.glob("akretion-factur-x/**/*.pdf")]
    ):
        data = pdf.read_bytes()
        xml = embedded_xml(data)
        truth = read_xml(xml) if xml else None
        if truth is None:
            continue
        producer = producer_of(pdf, data)
        tuned = producer in TUNE_PRODUCERS
        if (split == "tune" and not tuned) or (split == "held-out" and tuned):
            continue
        if per_producer and taken[producer] >= per_producer:
            continue
        taken[producer] += 1
        out.append((pdf, data, truth, producer))
    return out


def generated_files(count: int) -> list[tuple[Path, bytes, Any, str]]:
    """``count`` generated invoices of many layouts (fpdf2 and reportlab, six languages, totals
    tables, values below their labels, currency signs), in the shape of :func:`corpus_files`:
    test scans that are not the corpus."""
    from types import SimpleNamespace

    from samples.invoice_layouts import held_out

    return [
        (Path(f"generated-{i}.pdf"), h.pdf, SimpleNamespace(values=h.truth), "generated")
        for i, h in enumerate(held_out(count, seed=41))
    ]


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


def _pool_rate(images: list[tuple[str, bytes, int]], workers: int) -> tuple[int, float, int]:
    """Pages read, seconds, and files not read (a budget passed) of ``images`` through
    ``workers`` warm reading children, as a worker reads them (the children's start-up and
    first imports not counted). The CPU and wall-clock budgets are raised tenfold so that a
    busy machine's slowness is measured, not cut off."""
    from concurrent.futures import ThreadPoolExecutor

    from readers.isolation import ReaderPool
    from schemas.limits import ReadingLimits
    from tasks.extraction import PRELOAD, extract_file

    base = ReadingLimits()
    limits = base.model_copy(
        update={
            "max_cpu_seconds": base.max_cpu_seconds * 10,
            "max_wall_seconds": base.max_wall_seconds * 10,
        }
    )
    ctx = ClientContext(ClientConfig(id="bench", name="Bench"), limits=limits)
    pool = ReaderPool(workers, preload=PRELOAD)
    pool.warm()

    def read(image: tuple[str, bytes, int]) -> int:
        batch = extract_file(DocType.INVOICES, image[1], image[0], ctx, pool)
        return 0 if batch.file_issues else image[2]

    with ThreadPoolExecutor(workers) as threads:
        warm = image_warm_up()
        list(threads.map(lambda _: read(("warm.png", warm, 1)), range(workers)))
        start = time.perf_counter()
        read_pages = list(threads.map(read, images))
        seconds = time.perf_counter() - start
    pool.close()
    return sum(read_pages), seconds, sum(1 for n in read_pages if n == 0)


def image_warm_up() -> bytes:
    """A small scan for each child's first file (it imports the OCR engine then)."""
    from samples.invoices import Spec, make_pdf
    from samples.scans import scan

    return scan(make_pdf(Spec()), fmt="png", dpi=72)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--split", choices=("tune", "held-out", "all"), default="held-out")
    parser.add_argument("--per-producer", type=int, default=0, help="0: every file")
    parser.add_argument("--limit", type=int, default=0, help="at most this many PDFs (0: all)")
    parser.add_argument("--variants", default="clean-200,scan-200,text")
    parser.add_argument("--pool", type=int, default=0, help="also read through N children")
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        help="score N generated invoices (samples/invoice_layouts.py) instead of the corpus",
    )
    args = parser.parse_args()
    variants = [v for v in args.variants.split(",") if v]
    unknown = [v for v in variants if v != "text" and v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}, text")
    files = (
        generated_files(args.generated)
        if args.generated
        else corpus_files(args.corpus, args.split, args.per_producer)
    )
    if args.limit:
        files = files[: args.limit]
    options = InvoiceOptions()
    hits = {v: Counter[str]() for v in variants}
    seen = {v: Counter[str]() for v in variants}
    pages = Counter[str]()
    seconds: dict[str, float] = dict.fromkeys(variants, 0.0)
    loads: list[float] = []
    pooled: list[tuple[str, bytes, int]] = []
    for used, (pdf, data, truth, producer) in enumerate(files, start=1):
        for variant in variants:
            if variant == "text":
                found: Any = extract_pdf(data, max_pages=300, currency="EUR")
                got = found[0].values if isinstance(found, list) and found else {}
                _score(truth, got, hits[variant], seen[variant])
                continue
            image = scanned_pdf(data, **VARIANTS[variant])
            loads.append(os.getloadavg()[0])
            start = time.perf_counter()
            result = extract_candidates(image, pdf.name, options, "EUR")
            seconds[variant] += time.perf_counter() - start
            read = min(_pages(data), 4)
            pages[variant] += read
            if args.pool and variant == variants[0]:
                pooled.append((pdf.name, image, read))
            got = result.candidates[0].values if result.candidates else {}
            _score(truth, got, hits[variant], seen[variant])
        so_far = "  ".join(f"{v} {sum(hits[v].values())}/{sum(seen[v].values())}" for v in variants)
        print(
            f"  {used:>3} {producer:<9} {pdf.name[:44]:<44} {so_far}", file=sys.stderr, flush=True
        )
    load = f"load average {min(loads or [0]):.1f}-{max(loads or [0]):.1f} on {os.cpu_count()} cores"
    producers = Counter(p for _, _, _, p in files)
    print(
        f"\nScanned invoices vs their truth: {len(files)} generated invoices; {load}"
        if args.generated
        else f"\nScanned invoices vs embedded XML: {len(files)} Factur-X PDFs, split {args.split}"
        f" ({', '.join(f'{k} {n}' for k, n in sorted(producers.items()))}); {load}"
    )
    print(f"{'field':<16}" + "".join(f"{v:>11}" for v in variants))
    for field in FIELDS:
        row = "".join(
            f"{(hits[v][field] / seen[v][field] if seen[v][field] else 0):>11.1%}" for v in variants
        )
        print(f"{field:<16}{row}")
    total = "".join(
        f"{(sum(hits[v].values()) / max(sum(seen[v].values()), 1)):>11.1%}" for v in variants
    )
    print(f"{'all fields':<16}{total}")
    for v in variants:
        if pages[v]:
            print(
                f"{v}: {pages[v]} pages in {seconds[v]:.1f} s = {pages[v] / seconds[v]:.3f}"
                " pages/s (OCR + reading, one process)"
            )
    if pooled:
        n, took, failed = _pool_rate(pooled, args.pool)
        print(
            f"{variants[0]}: {n} pages in {took:.1f} s = {n / took:.3f} pages/s through"
            f" {args.pool} reading children ({failed} files not read);"
            f" load average now {os.getloadavg()[0]:.1f}"
        )


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


if __name__ == "__main__":
    main()
