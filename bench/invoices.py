"""Invoice PDF throughput: our extraction (process pool) vs single-process pdfplumber.

Generates N multi-page invoice PDFs (one invoice per page, three layouts, several languages),
then times, in the same run:
  baseline  one process: pdfplumber.open + page.extract_words() for every page, nothing else;
  ours      tasks.invoices.pool.extract_many: full extract + validate, one worker per core.

Usage: .venv/bin/python bench/invoices.py [--files 24] [--pages 10] [--workers N]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import pdfplumber

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from samples.invoices import LABELS, Spec, make_pdf
from schemas.config import ClientConfig
from tasks.doctype import ClientContext
from tasks.invoices.pool import default_workers, extract_many


def generate(files: int, pages: int) -> list[bytes]:
    layouts, langs = ("right", "above", "table"), sorted(LABELS)
    return [
        make_pdf(
            [Spec(number=f"B{f:03d}-{p:03d}") for p in range(pages)],
            layouts[f % 3],
            langs[f % len(langs)],
        )
        for f in range(files)
    ]


def baseline(pdfs: list[bytes]) -> int:
    words = 0
    for data in pdfs:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                words += len(page.extract_words())
    return words


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    pdfs = generate(args.files, args.pages)
    pages = args.files * args.pages
    ctx = ClientContext(ClientConfig(id="bench", name="Bench"))

    start = time.perf_counter()
    baseline(pdfs)
    base_s = time.perf_counter() - start

    start = time.perf_counter()
    batches = extract_many(pdfs, ctx, workers=args.workers)
    ours_s = time.perf_counter() - start
    records = sum(b.records.height for b in batches)
    flagged = sum(b.issues.get_column("record_index").n_unique() for b in batches)

    print(f"{args.files} PDFs x {args.pages} pages = {pages} pages, {args.workers} workers")
    print(f"{'run':<44}{'seconds':>9}{'pages/s':>10}")
    print(f"{'baseline: pdfplumber words, 1 process':<44}{base_s:>9.2f}{pages / base_s:>10.1f}")
    print(f"{'ours: extract + validate, process pool':<44}{ours_s:>9.2f}{pages / ours_s:>10.1f}")
    print(f"speed-up vs baseline: {base_s / ours_s:.2f}x; invoices {records}, flagged {flagged}")


if __name__ == "__main__":
    main()
