"""What reading in a child costs a small file: extraction in the worker's own process (the
baseline) against extraction through the warm reading pool, on the same files in one run.

Usage: .venv/bin/python bench/reading_overhead.py [--files 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from readers.isolation import ReaderPool
from samples.claims import ClaimSpec, interchange, transaction
from samples.invoices import Spec, ubl_xml
from samples.payroll import csv_bytes, payroll_frame
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from tasks.doctype import ClientContext
from tasks.extraction import PRELOAD, extract_file


def small_files() -> list[tuple[DocType, str, bytes]]:
    return [
        (DocType.PAYROLL, "batch.csv", csv_bytes(payroll_frame(20))),
        (DocType.INVOICES, "invoice.xml", ubl_xml(Spec(number="S-1"))),
        (DocType.CLAIMS, "claims.837", interchange([transaction([ClaimSpec()])]).encode()),
    ]


def timed(pool: ReaderPool | None, files: int, ctx: ClientContext) -> dict[DocType, list[float]]:
    out: dict[DocType, list[float]] = {}
    for doc_type, name, data in small_files():
        for _ in range(files):
            start = time.perf_counter()
            batch = extract_file(doc_type, data, name, ctx, pool)
            out.setdefault(doc_type, []).append(time.perf_counter() - start)
            assert batch.records.height > 0, batch.file_issues
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    ctx = ClientContext(ClientConfig(id="bench", name="Bench"))
    pool = ReaderPool(2, preload=PRELOAD)
    start = time.perf_counter()
    pool.warm()
    timed(pool, 3, ctx)  # first use: children import what they need
    warm_up = time.perf_counter() - start
    timed(None, 3, ctx)
    here = timed(None, args.files, ctx)
    child = timed(pool, args.files, ctx)
    pool.close()
    print(f"load {os.getloadavg()}; pool start and first files {warm_up:.2f} s")
    print(f"{'doc type':<10} {'in process ms':>14} {'reading child ms':>17} {'overhead ms':>12}")
    for doc_type in here:
        a, b = statistics.median(here[doc_type]), statistics.median(child[doc_type])
        print(f"{doc_type.value:<10} {a * 1000:>14.1f} {b * 1000:>17.1f} {(b - a) * 1000:>12.1f}")


if __name__ == "__main__":
    main()
