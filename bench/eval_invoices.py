"""Evaluate template-free PDF extraction and the rules on real documents.

1. Every Factur-X/ZUGFeRD PDF in ../shared/corpus (zugferd-corpus, akretion-factur-x) carries
   its invoice as XML: that XML, read by our CII/UBL reader, is the truth; the PDF's text layer
   is read with the embedded XML ignored, and compared field by field.
2. EN 16931 unit tests (en16931-cen-tc434/UNIT_TESTS_INDEX.tsv): each test fragment is read by
   our UBL/CII reader and our verdict for the rule under test is compared with the expected one.
3. The production path on the samples published as correct (Factur-X/ZUGFeRD PDFs and the
   EN 16931 example invoices): which rules flag which files (a flag there is either a defect of
   the sample, such as a made-up VAT id, or a false alarm).

Usage: .venv/bin/python bench/eval_invoices.py [--corpus PATH]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import fromstring

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.invoices.candidate import Candidate
from tasks.invoices.facturx import embedded_xml
from tasks.invoices.identifiers import compact_tax_id
from tasks.invoices.labels import fold
from tasks.invoices.pdf_extract import extract_pdf
from tasks.invoices.validate import own_issues
from tasks.invoices.xml_cii import parse_cii
from tasks.invoices.xml_safe import parse_xml, syntax_of
from tasks.invoices.xml_ubl import parse_ubl

FIELDS = (
    "invoice_number",
    "invoice_date",
    "due_date",
    "vendor_name",
    "buyer_name",
    "currency",
    "subtotal",
    "tax_total",
    "total",
    "vendor_tax_id",
    "line count",
)
RULES = (
    "BR-02",
    "BR-03",
    "BR-04",
    "BR-05",
    "BR-06",
    "BR-07",
    "BR-CL-04",
    "BR-CO-10",
    "BR-CO-13",
    "BR-CO-14",
    "BR-CO-15",
    "BR-CO-17",
)


def default_corpus() -> Path:
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def read_xml(data: bytes) -> Candidate | None:
    root = parse_xml(data)
    if not hasattr(root, "tag"):
        return None
    syntax = syntax_of(root)  # type: ignore[arg-type]
    if not isinstance(syntax, str):
        return None
    return parse_cii(root) if syntax == "cii" else parse_ubl(root)  # type: ignore[arg-type]


def same(field: str, truth: Any, got: Any) -> bool:
    if field == "vendor_tax_id":
        return isinstance(got, str) and compact_tax_id(truth) == compact_tax_id(got)
    if isinstance(truth, str):
        return isinstance(got, str) and fold(truth) == fold(got)
    if isinstance(truth, Decimal | dt.date):
        return bool(truth == got)
    return bool(truth == got)


def eval_pdfs(corpus: Path) -> None:
    pdfs = sorted(
        [*corpus.glob("zugferd-corpus/**/*.pdf"), *corpus.glob("akretion-factur-x/**/*.pdf")]
    )
    hits: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    used = 0
    for pdf in pdfs:
        data = pdf.read_bytes()
        xml = embedded_xml(data)
        truth = read_xml(xml) if xml else None
        if truth is None:
            continue
        used += 1
        found = extract_pdf(data, max_pages=300, currency="EUR")
        got = found[0].values if isinstance(found, list) and found else {}
        for field in FIELDS:
            t: Any
            g: Any
            if field == "line count":
                t, g = len(truth.values.get("lines") or []), len(got.get("lines") or [])
            else:
                t, g = truth.values.get(field), got.get(field)
            if t is None or (isinstance(t, str) and not t):
                continue
            seen[field] += 1
            hits[field] += same(field, t, g)
    print(f"\nTemplate-free PDF extraction vs embedded XML ({used} PDFs with XML of {len(pdfs)})")
    print(f"{'field':<16}{'correct':>9}{'of':>6}{'accuracy':>10}")
    for field in FIELDS:
        n = seen[field]
        print(f"{field:<16}{hits[field]:>9}{n:>6}{(hits[field] / n if n else 0):>10.1%}")


def _fragments(path: Path) -> list[Any]:
    root = fromstring(path.read_bytes(), forbid_dtd=True)
    out = []
    for test in root.iter():
        if test.tag.endswith("}test") or test.tag == "test":
            docs = [c for c in test if not c.tag.endswith("assert")]
            out.append(docs[0] if docs else None)
    return out


def eval_rules(corpus: Path) -> None:
    base = corpus / "en16931-cen-tc434"
    index = base / "UNIT_TESTS_INDEX.tsv"
    agree: dict[str, Counter[str]] = defaultdict(Counter)
    cache: dict[Path, list[Any]] = {}
    with index.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            verdict, _, rule = row["expected(success|error|warning:RULE)"].partition(":")
            if rule not in RULES or verdict not in ("success", "error"):
                continue
            path = base / row["file"]
            if path not in cache:
                cache[path] = _fragments(path)
            tests = cache[path]
            i = int(row["test_index"]) - 1
            el = tests[i] if i < len(tests) else None
            syntax = syntax_of(el) if el is not None else None
            if el is None or not isinstance(syntax, str):
                agree[rule]["unreadable"] += 1
                continue
            cand = parse_cii(el) if syntax == "cii" else parse_ubl(el)
            issues = own_issues(cand)
            fired = any(x.code == rule for x in issues)
            agree[rule]["agree" if fired == (verdict == "error") else "disagree"] += 1
    print("\nEN 16931 unit tests: our verdict vs expected, per rule")
    print(f"{'rule':<10}{'agree':>7}{'disagree':>10}{'unreadable':>12}{'agreement':>11}")
    total = Counter[str]()
    for rule in RULES:
        c = agree[rule]
        total.update(c)
        n = c["agree"] + c["disagree"]
        print(
            f"{rule:<10}{c['agree']:>7}{c['disagree']:>10}{c['unreadable']:>12}"
            f"{(c['agree'] / n if n else 0):>11.1%}"
        )
    n = total["agree"] + total["disagree"]
    print(
        f"{'all':<10}{total['agree']:>7}{total['disagree']:>10}{total['unreadable']:>12}"
        f"{(total['agree'] / n if n else 0):>11.1%}"
    )


def eval_flags(corpus: Path) -> None:
    """What the production path flags on invoices published as correct: the Factur-X/ZUGFeRD
    samples (embedded XML first) and the EN 16931 example invoices (UBL and CII)."""
    from schemas.config import ClientConfig
    from tasks.doctype import ClientContext
    from tasks.invoices.handler import InvoiceHandler

    handler = InvoiceHandler()
    ctx = ClientContext(client=ClientConfig(id="eval", name="Eval"))
    sets = {
        "Factur-X/ZUGFeRD samples": [
            *corpus.glob("zugferd-corpus/**/correct/**/*.pdf"),
            *corpus.glob("akretion-factur-x/**/*.pdf"),
        ],
        "EN 16931 example invoices (UBL, CII)": [
            *corpus.glob("en16931-cen-tc434/*/examples/*.xml")
        ],
    }
    for label, found_files in sets.items():
        files = sorted(found_files)
        codes: Counter[str] = Counter()
        flagged = 0
        for path in files:
            batch = handler.extract(path.read_bytes(), path.name, ctx)
            found = [i.code for i in batch.file_issues] + batch.issues.get_column("code").to_list()
            flagged += bool(found)
            codes.update(set(found))
        print(f"\nProduction path on {len(files)} {label} published as correct")
        print(f"files with at least one flag: {flagged}; files per code:")
        for code, n in codes.most_common():
            print(f"  {code:<24}{n:>4}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus not found at {args.corpus}")
    eval_pdfs(args.corpus)
    eval_rules(args.corpus)
    eval_flags(args.corpus)


if __name__ == "__main__":
    main()
