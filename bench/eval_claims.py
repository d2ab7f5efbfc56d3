"""Evaluate the claims extractor on the real files of ``../shared/corpus``.

Run: ``.venv/bin/python bench/eval_claims.py [--limit N]``.

- linuxforhealth-x12: every 837 (4010 and 5010) must give one record per CLM segment (CLM
  counted independently of our parser with the ISA delimiters).
- pyx12: every case of ``EXPECTED_ACKS.tsv``; our claims verdict (999 AK9 / file refusal) and
  the structure-only verdict (pyx12 SNIP 1-2 plus our envelope checks, ignoring our claims
  policy that refuses non-837 and 4010 groups) are compared with the expected acknowledgment.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.config import ClientConfig
from tasks.claims.ack_999 import group_verdicts
from tasks.claims.handler import ClaimsHandler
from tasks.doctype import ClientContext

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def count_clm(data: bytes) -> int:
    text = data.decode("latin-1").lstrip("\ufeff \r\n")
    el, term = text[3], text[105]
    return sum(1 for s in text.split(term) if s.strip("\r\n").startswith("CLM" + el))


def eval_linuxforhealth(handler: ClaimsHandler, ctx: ClientContext, limit: int) -> dict[str, Any]:
    root = CORPUS / "linuxforhealth-x12" / "src" / "tests" / "resources"
    rows: dict[str, list[int]] = {}
    files = sorted(p for p in root.glob("837_*/*") if p.suffix in (".837", ".837i"))[:limit]
    for path in files:
        data = path.read_bytes()
        batch = handler.extract(data, path.name, ctx)
        expected = count_clm(data)
        stats = rows.setdefault(path.parent.name, [0, 0, 0, 0])
        stats[0] += 1
        stats[1] += expected
        stats[2] += batch.records.height
        stats[3] += int(batch.records.height == expected and not batch.file_issues)
    print(
        f"\n{'linuxforhealth-x12 guide':<26}{'files':>7}{'CLM counted':>13}{'extracted':>11}"
        f"{'files exact':>13}"
    )
    for name, (n, clm, got, exact) in sorted(rows.items()):
        print(f"{name:<26}{n:>7}{clm:>13}{got:>11}{exact:>13}")
    total = [sum(v[i] for v in rows.values()) for i in range(4)]
    print(f"{'total':<26}{total[0]:>7}{total[1]:>13}{total[2]:>11}{total[3]:>13}")
    return {"files": total[0], "clm": total[1], "extracted": total[2], "exact": total[3]}


def _structure_verdict(meta: dict[str, Any], fatal: bool) -> str:
    if fatal:
        return "rejected"
    for isa in meta.get("interchanges", []):
        for group in isa.get("groups", []):
            envelope = [e for e in group.get("errors", []) if e["code"].startswith("ENV-G")]
            for tx in group.get("transactions", []):
                codes = set(tx.get("ik5_codes", [])) - {"1"}
                if envelope or codes or (tx.get("ack") == "R" and tx.get("segment_errors")):
                    return "rejected"
    return "accepted"


def eval_pyx12(handler: ClaimsHandler, ctx: ClientContext, limit: int) -> dict[str, Any]:
    root = CORPUS / "pyx12"
    folder = root / "extracted_from_pyx12_test_x12testdata_py"
    with (root / "EXPECTED_ACKS.tsv").open(newline="") as fh:
        cases = [r for r in csv.DictReader(fh, delimiter="\t") if r["expected_ack_file"]][:limit]
    print(
        f"\n{'pyx12 case':<26}{'guide':<18}{'expected':<10}{'structure':<11}{'claims 999':<11}codes"
    )
    agree = flagged = broken = 0
    for case in cases:
        data = (folder / case["source_file"]).read_bytes()
        batch = handler.extract(data, case["source_file"], ctx)
        expected = "rejected" if case["expected_result"].startswith("rejected") else "accepted"
        structure = _structure_verdict(batch.meta, bool(batch.meta.get("fatal")))
        verdicts = group_verdicts(batch.meta)
        ours = "rejected" if batch.file_issues or "R" in verdicts else "accepted"
        codes = sorted(
            {i.code for i in batch.file_issues}
            | set(
                batch.issues.filter(batch.issues["severity"] == "reject")
                .get_column("code")
                .to_list()
            )
        )
        agree += structure == expected
        if expected == "rejected":
            broken += 1
            flagged += ours == "rejected"
        print(
            f"{case['source_file'][:25]:<26}{case['gs_functional_id/version'][:17]:<18}"
            f"{expected:<10}{structure:<11}{ours:<11}{','.join(codes)[:60]}"
        )
    print(
        f"\nstructure verdict agrees with expected ack: {agree}/{len(cases)}; "
        f"broken files flagged: {flagged}/{broken}"
    )
    return {"cases": len(cases), "agree": agree, "broken": broken, "flagged": flagged}


def main(limit: int = 10_000) -> dict[str, Any]:
    handler = ClaimsHandler()
    ctx = ClientContext(ClientConfig(id="eval", name="Eval"))
    return {
        "linuxforhealth": eval_linuxforhealth(handler, ctx, limit),
        "pyx12": eval_pyx12(handler, ctx, limit),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[args.index("--limit") + 1]) if "--limit" in args else 10_000)
