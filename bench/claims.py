"""Claims extract throughput: our tokenizer + parser + edits vs pyx12 full validation.

Run: ``.venv/bin/python bench/claims.py [N_CLAIMS]`` (default 100,000). The baseline is pyx12's
implementation-guide validation (per segment, per claim), timed on a 2,000-claim slice of the
same file in the same run (it is too slow for the full file) and reported as claims/s.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.claim_options import ClaimOptions
from schemas.config import ClientConfig
from tasks.claims.handler import ClaimsHandler
from tasks.claims.structure import check_structure
from tasks.doctype import ClientContext

_CLAIM = (
    "HL*{a}**20*1~NM1*85*2*CLINIC*****XX*1234567893~N3*2 CLINIC RD~N4*MIAMI*FL*33111~"
    "REF*EI*123456789~HL*{b}*{a}*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JOHN****MI*M{i:09d}~"
    "N3*1 MAIN ST~N4*MIAMI*FL*33111~DMG*D8*19800101*M~NM1*PR*2*PAYER*****PI*PAYER01~"
    "CLM*C{i:09d}*55.00***11:B:1*Y*A*Y*Y~HI*ABK:E1165*ABF:I10~"
    "NM1*82*1*DOC*ANN****XX*1245319599~LX*1~SV1*HC:99213:25*40.00*UN*1***1:2~"
    "DTP*472*D8*20240105~LX*2~SV1*HC:J1100*15.00*UN*2***1~DTP*472*D8*20240105~"
)
_PER_CLAIM = _CLAIM.count("~")


def make_file(n: int) -> bytes:
    head = (
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*BPOCLEARING    *240110*1200*^*"
        "00501*000000001*0*P*:~GS*HC*SENDER*BPO*20240110*1200*1*X*005010X222A1~"
        "ST*837*0001*005010X222A1~BHT*0019*00*1*20240110*1200*CH~"
        "NM1*41*2*SUBMITTER*****46*S1~PER*IC*HELP*TE*3055552222~NM1*40*2*RECEIVER*****46*R1~"
    )
    out = io.StringIO()
    out.write(head)
    for i in range(n):
        out.write(_CLAIM.format(a=2 * i + 1, b=2 * i + 2, i=i))
    out.write(f"SE*{5 + _PER_CLAIM * n + 1}*0001~GE*1*1~IEA*1*000000001~")
    return out.getvalue().encode()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = make_file(n)
    ctx = ClientContext(
        ClientConfig(id="bench", name="Bench", claims=ClaimOptions(structure_check_max_bytes=0))
    )
    started = time.perf_counter()
    batch = ClaimsHandler().extract(data, "bench.x12", ctx)
    ours = time.perf_counter() - started
    assert batch.records.height == n, batch.file_issues
    slice_n = min(n, 2_000)
    small = make_file(slice_n).decode()
    started = time.perf_counter()
    report = check_structure(small)
    base = time.perf_counter() - started
    assert not report.skipped, report.skipped
    ours_rate, base_rate = n / ours, slice_n / base
    print(f"file: {n:,} claims, {len(data) / 1e6:.1f} MB, issues {batch.issues.height}")
    print(f"{'method':<44}{'claims':>10}{'seconds':>10}{'claims/s':>12}")
    print(f"{'ours: tokenize + parse + edits + frame':<44}{n:>10,}{ours:>10.2f}{ours_rate:>12,.0f}")
    print(
        f"{'baseline: pyx12 full validation (slice)':<44}{slice_n:>10,}{base:>10.2f}"
        f"{base_rate:>12,.0f}"
    )
    print(f"ratio: {ours_rate / base_rate:.1f}x")


if __name__ == "__main__":
    main()
