"""Evaluate the NACHA structure check on moov-io/ach's test files in ``../shared/corpus``.

Run: ``.venv/bin/python bench/eval_ach.py [--show]``.

Ground truth: a file listed in ``EXPECTED_ERRORS.tsv`` is one moov's reader refuses; every other
``.ach`` file is one its tests read as valid. Our check (``tasks.payroll.nacha_check``) looks
at structure only (record lengths and order, controls against entries, headers against
controls, routing check digits, trace order, blocking), so moov's field rules for particular
SEC codes (IAT addenda, change and return codes) are out of its reach, and its blocking rule
is stricter than moov's default reader. The table counts both directions of disagreement.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tasks.payroll.nacha_check import check_nacha

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "moov-io-ach"


def expected_errors() -> dict[Path, str]:
    out: dict[Path, str] = {}
    with (CORPUS / "EXPECTED_ERRORS.tsv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for path in sorted(CORPUS.glob(row["file"])):
                out[path] = row["expected_outcome_in_moov_ach_tests"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show", action="store_true", help="list every disagreement")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    refused = expected_errors()
    files = sorted(set(CORPUS.rglob("*.ach")) | set(refused))
    tally: Counter[tuple[bool, bool]] = Counter()
    codes: Counter[str] = Counter()
    disagree: list[str] = []
    for path in files:
        problems = check_nacha(path.read_bytes())
        moov_refuses, we_refuse = path in refused, bool(problems)
        tally[moov_refuses, we_refuse] += 1
        codes.update({p.code for p in problems})
        if moov_refuses != we_refuse:
            said = "; ".join(str(p) for p in problems[:2]) or "no problem found"
            why = refused.get(path, "valid in moov's tests")
            disagree.append(f"{path.relative_to(CORPUS)}\n    moov: {why}\n    ours: {said}")
    print(f"moov-io/ach corpus: {len(files)} files")
    print(f"{'':<26}{'we refuse':>11}{'we accept':>11}")
    for label, moov in (("moov refuses", True), ("moov reads as valid", False)):
        print(f"{label:<26}{tally[moov, True]:>11}{tally[moov, False]:>11}")
    agree = tally[True, True] + tally[False, False]
    print(f"verdicts agree: {agree}/{len(files)} ({agree / len(files):.1%})")
    print("problem codes seen: " + ", ".join(f"{c} {n}" for c, n in codes.most_common()))
    if args.show:
        print("\n".join(["", "disagreements:", *disagree]))


if __name__ == "__main__":
    main()
