"""Evaluate template-free PDF extraction and the rules on real documents.

0. Generated invoices in layouts unlike the corpus, scored against the values they print.
1. Every Factur-X/ZUGFeRD PDF in ../shared/corpus (zugferd-corpus, akretion-factur-x) carries
   its invoice as XML: that XML, read by our CII/UBL reader, is the truth; the PDF's text layer
   is read with the embedded XML ignored, and compared field by field.
2. EN 16931 unit tests (en16931-cen-tc434/UNIT_TESTS_INDEX.tsv): each test fragment is read by
   our UBL/CII reader and our verdict for the rule under test is compared with the expected one.
3. The production path on the samples published as correct (Factur-X/ZUGFeRD PDFs and the
   EN 16931 example invoices): which rules flag which files (a flag there is either a defect of
   the sample, such as a made-up VAT id, or a false alarm).

Each PDF is read through the production path with its embedded XML ignored (what
``bpo extract --ignore-embedded`` does); the figures are per field, per producer (leave one
producer out), on a held-out set of generated layouts (``samples/invoice_layouts.py``), on
generated families imitating producers never seen (``samples/invoice_unseen.py``), and the
straight-through error rate: invoices completed without review that hold a wrong field.

Usage: .venv/bin/python bench/eval_invoices.py [--corpus PATH] [--held-out N] [--fields-only]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from defusedxml.ElementTree import fromstring

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from samples.invoice_layouts import HeldOut
from schemas.invoice_memory import LearnedPosition
from tasks.invoices.candidate import Candidate
from tasks.invoices.facturx import embedded_xml
from tasks.invoices.identifiers import compact_tax_id
from tasks.invoices.labels import fold
from tasks.invoices.memory import LEARNABLE, learn
from tasks.invoices.pages import document_pages
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


def producer_of(path: Path, data: bytes) -> str:
    """The software that laid the PDF out: its Creator (else Producer) metadata, normalised
    (``intarsys ZUGFeRD Toolkit 2.1`` -> ``intarsys``); the corpus folder when neither is set."""
    import io

    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            meta = pdf.metadata
    except Exception:
        meta = {}
    text = " ".join(str(meta.get(k) or "") for k in ("Creator", "Producer")).lower()
    for family in (
        "mustang",
        "jstaerk",
        "intarsys",
        "factur-x",
        "additional-data",
        "gnuaccounting",
    ):
        if family in text:
            return {"jstaerk": "mustang", "additional-data": "factur-x"}.get(family, family)
    words = re.findall(r"[a-z][a-z0-9-]+", text)
    return words[0] if words else path.parent.name


@dataclass
class Scored:
    """One invoice read from its page: which fields were right, and whether it went through."""

    group: str
    right: dict[str, bool]
    completed: bool

    @property
    def silent_error(self) -> bool:
        return self.completed and not all(self.right.values())


def score_invoice(
    truth: dict[str, Any],
    got: dict[str, Any],
    completed: bool,
    group: str,
    *,
    lines_carried: bool = True,
) -> Scored:
    right: dict[str, bool] = {}
    for field in FIELDS:
        t: Any
        g: Any
        if field == "line count":
            if not truth.get("lines") and not lines_carried:
                continue  # a MINIMUM or BASIC WL profile: the XML holds no lines to compare
            t, g = len(truth.get("lines") or []), len(got.get("lines") or [])
        else:
            t, g = truth.get(field), got.get(field)
        if t is None or (isinstance(t, str) and not t):
            continue
        right[field] = same(field, t, g)
    return Scored(group, right, completed)


def read_page_only(
    data: bytes, name: str, memory: Sequence[LearnedPosition] = ()
) -> tuple[dict[str, Any], bool]:
    """The production path with the embedded XML ignored (``bpo extract --ignore-embedded``):
    the first invoice's values and whether it would complete without review; ``memory`` is
    the client's supplier memory (what reviewers' corrections taught)."""
    from schemas.config import ClientConfig
    from schemas.invoice_options import InvoiceOptions
    from tasks.doctype import ClientContext
    from tasks.invoices.handler import InvoiceHandler

    ctx = ClientContext(
        client=ClientConfig(
            id="eval", name="Eval", invoices=InvoiceOptions(ignore_embedded_xml=True)
        ),
        memory_loader=(lambda: memory) if memory else None,
    )
    batch = InvoiceHandler().extract(data, name, ctx)
    if batch.file_issues or batch.records.height == 0:
        return {}, False
    row = batch.records.row(0, named=True)
    flagged = set(batch.issues.get_column("record_index").to_list())
    return row, row["record_index"] not in flagged


#: Factur-X / ZUGFeRD profiles whose XML carries no invoice lines (EN 16931 subsets).
_LINELESS_PROFILES = re.compile(
    rb"GuidelineSpecifiedDocumentContextParameter>\s*<[^>]*ID>[^<]*"
    rb"(?:minimum|basicwl)",
    re.I,
)


def lines_carried(xml: bytes | None) -> bool:
    """Whether the embedded XML's profile carries line items (MINIMUM and BASIC WL do not,
    so their line count is no truth to compare with)."""
    return xml is not None and _LINELESS_PROFILES.search(xml) is None


def corpus_invoices(corpus: Path) -> list[tuple[Path, bytes, Candidate]]:
    pdfs = sorted(
        [*corpus.glob("zugferd-corpus/**/*.pdf"), *corpus.glob("akretion-factur-x/**/*.pdf")]
    )
    out = []
    for pdf in pdfs:
        data = pdf.read_bytes()
        xml = embedded_xml(data)
        truth = read_xml(xml) if xml else None
        if truth is not None:
            out.append((pdf, data, truth))
    return out


def _table(title: str, scored: list[Scored]) -> None:
    hits: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for s in scored:
        for field, ok in s.right.items():
            seen[field] += 1
            hits[field] += ok
    print(f"\n{title}")
    print(f"{'field':<16}{'correct':>9}{'of':>6}{'accuracy':>10}")
    for field in FIELDS:
        n = seen[field]
        print(f"{field:<16}{hits[field]:>9}{n:>6}{(hits[field] / n if n else 0):>10.1%}")
    n, h = sum(seen.values()), sum(hits.values())
    print(f"{'all fields':<16}{h:>9}{n:>6}{(h / n if n else 0):>10.1%}")
    done = [s for s in scored if s.completed]
    silent = sum(s.silent_error for s in scored)
    print(
        f"straight-through: {len(done)} of {len(scored)} invoices completed without review;"
        f" {silent} of them with a wrong field = {silent / max(len(scored), 1):.1%} of invoices"
        f" ({silent / max(len(done), 1):.1%} of those completed)"
    )


def eval_pdfs(corpus: Path) -> None:
    """Corpus PDFs read from the page, compared with their own embedded XML, by producer.

    The finder's weights are set by hand, not fitted to the corpus, so every producer's
    figure is already a held-out one; the table per producer shows how far each layout
    family stands from the rest (leave one producer out: the others' mean beside it)."""
    scored: list[Scored] = []
    for pdf, data, truth in corpus_invoices(corpus):
        got, completed = read_page_only(data, pdf.name)
        carried = lines_carried(embedded_xml(data))
        group = producer_of(pdf, data)
        scored.append(score_invoice(truth.values, got, completed, group, lines_carried=carried))
    _table(f"Corpus Factur-X/ZUGFeRD PDFs read from the page ({len(scored)} with XML)", scored)
    print("\nPer producer (leave one producer out: that producer vs all the others)")
    print(f"{'producer':<16}{'files':>6}{'fields':>8}{'held out':>10}{'others':>9}{'silent':>8}")
    for group in sorted({s.group for s in scored}):
        mine = [s for s in scored if s.group == group]
        rest = [s for s in scored if s.group != group]

        def acc(items: list[Scored]) -> float:
            n = sum(len(s.right) for s in items)
            return sum(sum(s.right.values()) for s in items) / n if n else 0.0

        print(
            f"{group[:15]:<16}{len(mine):>6}{sum(len(s.right) for s in mine):>8}"
            f"{acc(mine):>10.1%}{acc(rest):>9.1%}{sum(s.silent_error for s in mine):>8}"
        )


def eval_held_out(count: int) -> None:
    """Generated invoices in layouts unlike the corpus and the project's own samples."""
    from samples.invoice_layouts import held_out

    scored = []
    for item in held_out(count):
        got, completed = read_page_only(item.pdf, "held-out.pdf")
        lay = item.layout
        scored.append(score_invoice(item.truth, got, completed, f"{lay.generator}/{lay.lang}"))
    _table(f"Held-out generated layouts ({count} PDFs: fpdf2 + reportlab, 6 languages)", scored)


def eval_families(count: int) -> None:
    """Generated layout families (``samples/invoice_families.py``): the ones looked at while
    the finder was improved, and the held-out ones, scored but never looked at."""
    from samples.invoice_families import HELD_OUT, TUNING, family_invoices

    for split, families in (("tuning", TUNING), ("held-out", HELD_OUT)):
        scored = _score_families(families, lambda f: family_invoices(f, count))
        _table(f"Generated families, {split} ({', '.join(families)}; {count} PDFs each)", scored)
        _per_family(scored, families)


def _score_families(
    families: Sequence[str], draw: Callable[[str], Sequence[HeldOut]]
) -> list[Scored]:
    """Every generated invoice of ``families`` read from its page and scored."""
    scored = []
    for family in families:
        for item in draw(family):
            got, completed = read_page_only(item.pdf, f"{family}.pdf")
            scored.append(score_invoice(item.truth, got, completed, family))
    return scored


def _per_family(scored: list[Scored], families: Sequence[str]) -> None:
    """One line per family: its share of fields read right and its silent errors."""
    for family in families:
        mine = [s for s in scored if s.group == family]
        silent = sum(s.silent_error for s in mine)
        print(f"  {family:<16}{_accuracy(mine)} fields, {silent} silent")


def eval_unseen(count: int) -> None:
    """Generated families imitating producers the finder was never tuned on
    (``samples/invoice_unseen.py``): a held-out group of their own (first measured before the
    finder changed for it), and the blind ones written after those changes, never tuned on."""
    from samples.invoice_unseen import BLIND, UNSEEN, unseen_invoices

    scored = _score_families(UNSEEN, lambda f: unseen_invoices(f, count))
    _table(f"Generated unseen producers, held-out ({len(UNSEEN)} families; {count} each)", scored)
    _per_family(scored, UNSEEN)
    scored = _score_families(BLIND, lambda f: unseen_invoices(f, count))
    _table(f"Generated unseen producers, blind ({', '.join(BLIND)}; {count} each)", scored)
    _per_family(scored, BLIND)


def _corrected(data: bytes, truth: dict[str, Any], item: int) -> list[LearnedPosition]:
    """What a reviewer's correction of one invoice teaches: each header field the page
    reading got wrong, set to the truth."""
    got, _ = read_page_only(data, "corrected.pdf")
    fields = {k: v for k, v in truth.items() if k in LEARNABLE and v not in (None, "")}
    wrong = [f for f in fields if not same(f, fields[f], got.get(f))]
    return learn(
        client_id="eval",
        fields=fields,
        corrected=wrong,
        pages=document_pages(data, 10),
        source_item=item,
        learned_by="eval",
        at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def _after_one_correction(
    series: list[tuple[bytes, dict[str, Any]]], group: str, item: int
) -> tuple[list[Scored], list[Scored]]:
    """Correct the first invoice of a series, score the next nine without and with what the
    correction taught."""
    memory = _corrected(series[0][0], series[0][1], item)
    before, after = [], []
    for data, truth in series[1:10]:
        got, completed = read_page_only(data, f"{group}.pdf")
        before.append(score_invoice(truth, got, completed, group))
        got, completed = read_page_only(data, f"{group}.pdf", memory)
        after.append(score_invoice(truth, got, completed, group))
    return before, after


def _accuracy(items: list[Scored]) -> str:
    n = sum(len(s.right) for s in items)
    ok = sum(sum(s.right.values()) for s in items)
    return f"{ok / n if n else 0:>8.1%} of {n:<4}"


def _typed_truth(inv: Any) -> dict[str, Any]:
    """A generated template invoice's truth with dates as dates and amounts as Decimals."""
    return {
        **inv.truth(),
        "invoice_date": inv.date,
        "due_date": inv.due,
        "subtotal": inv.subtotal,
        "tax_total": inv.tax,
        "total": inv.total,
        "lines": list(inv.lines),
    }


def eval_memory(corpus: Path) -> None:
    """One reviewer correction, then the next nine invoices of the template: generated
    supplier templates, one template per generated layout family (held-out ones included:
    measured only), and corpus sellers with several invoices (the first one corrected)."""
    from samples.invoice_families import FAMILIES, template_series
    from samples.supplier_template import series, template_pdf

    print("\nAfter one correction: the next (up to) nine invoices of the template")
    print(f"{'template':<34}{'invoices':>9}{'before':>16}{'after':>16}{'silent':>8}")
    runs: list[tuple[str, list[tuple[bytes, dict[str, Any]]]]] = []
    for k, (vendor, vat) in enumerate(
        (
            ("Nordlicht Frischdienst AG", "ATU13585627"),
            ("Sudwind Handel GmbH", "DE136695976"),
            ("Maison Ardent SARL", "FR40303265045"),
        )
    ):
        invoices = series(10, vendor=vendor, vendor_vat=vat, seed=3 + k)
        runs.append(
            (
                f"generated: {vendor}",
                [(template_pdf(inv), _typed_truth(inv)) for inv in invoices],
            )
        )
    for family in FAMILIES:
        runs.append((f"family: {family}", [(t.pdf, t.truth) for t in template_series(family, 10)]))
    by_seller: dict[str, list[tuple[bytes, dict[str, Any]]]] = defaultdict(list)
    for pdf, data, truth in corpus_invoices(corpus):
        seller = truth.values.get("vendor_tax_id") or truth.values.get("vendor_name")
        if isinstance(seller, str) and lines_carried(embedded_xml(data)):
            by_seller[f"corpus: {producer_of(pdf, data)} {seller}"].append((data, truth.values))
    runs.extend((k, v) for k, v in sorted(by_seller.items()) if len(v) >= 3)
    for split in ("generated", "family", "corpus"):
        all_before, all_after = [], []
        for n, (name, items) in enumerate(runs):
            if not name.startswith(split):
                continue
            before, after = _after_one_correction(items, name, n + 1)
            all_before += before
            all_after += after
            silent = sum(s.silent_error for s in after)
            print(
                f"{name[:33]:<34}{len(after):>9}{_accuracy(before):>16}{_accuracy(after):>16}"
                f"{silent:>8}"
            )
        silent = sum(s.silent_error for s in all_after)
        print(
            f"{'all ' + split:<34}{len(all_after):>9}{_accuracy(all_before):>16}"
            f"{_accuracy(all_after):>16}{silent:>8}"
        )


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
    parser.add_argument("--held-out", type=int, default=60, help="generated invoices to score")
    parser.add_argument("--family-size", type=int, default=12, help="invoices per family")
    parser.add_argument("--unseen-size", type=int, default=12, help="invoices per unseen family")
    parser.add_argument("--fields-only", action="store_true", help="skip the EN 16931 rule tables")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"corpus not found at {args.corpus}")
    eval_held_out(args.held_out)
    eval_families(args.family_size)
    eval_unseen(args.unseen_size)
    eval_pdfs(args.corpus)
    eval_memory(args.corpus)
    if args.fields_only:
        return
    eval_rules(args.corpus)
    eval_flags(args.corpus)


if __name__ == "__main__":
    main()
