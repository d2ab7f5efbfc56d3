"""Fuzzing the processing path: broken copies of valid files of each document type, each
through the body of ``bpo process`` (``flows.process.answer_file``: register, extract under the
reading budgets, validate, route, meter, answer), on a fresh database and landing folder.

Every case must get an answer (processed, duplicate or quarantined) within its budget, with no
exception escaping, the worker alive, and ``bpo reconcile`` balanced at the end. Prints the
cases, the answers by status and reason code, the slowest case and peak memory.

The cases are answered as a batch run of small files answers its files: the steps' plain
functions, many cases per flow run, in a warm pool of reading children; ``--workers`` processes
(each its own database, folders and pool) share the cases, every case is checked, and each
worker's store is reconciled at the end.

Usage: .venv/bin/python bench/fuzz.py [--cases 2000] [--types payroll,invoices,claims]
                                      [--seed 1] [--wall 30] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

if TYPE_CHECKING:
    from app.root import App

CONFIG = """\
[landing]
root = "file://./landing"
outbox = "file://./outbox"
archive = "file://./archive"
quarantine = "file://./quarantine"

[limits]
max_wall_seconds = {wall}
max_cpu_seconds = {wall}

[clients.fuzz]
name = "Fuzz Co"
currency = "USD"
[clients.fuzz.rates]
payroll_payment = "0.45"
invoice = "1.20"
claim = "0.80"
"""


def seeds(doc_type: str) -> dict[str, bytes]:
    """Valid files of a document type, in each format the product reads."""
    if doc_type == "payroll":
        from samples.hostile import xlsx_of
        from samples.payroll import csv_bytes, payroll_frame

        frame = payroll_frame(12, seed=3)
        rows = [frame.columns, *frame.rows()]
        sheet = b"".join(
            b"<row>"
            + b"".join(
                b'<c t="inlineStr"><is><t>%s</t></is></c>' % str(v or "").encode() for v in row
            )
            + b"</row>"
            for row in rows
        )
        xlsx = xlsx_of([b"<worksheet><sheetData>", sheet, b"</sheetData></worksheet>"])
        return {"batch.csv": csv_bytes(frame), "batch.xlsx": xlsx}
    if doc_type == "invoices":
        from samples.invoices import Spec, cii_xml, make_pdf, ubl_xml

        return {
            "invoice.pdf": make_pdf(Spec(number="F-100"), layout="right", lang="en"),
            "invoice-ubl.xml": ubl_xml(Spec(number="F-101")),
            "invoice-cii.xml": cii_xml(Spec(number="F-102")),
        }
    from samples.claims import ClaimSpec, interchange, transaction

    claims = [ClaimSpec(claim_id=f"PCN{n}", total="40.00") for n in range(3)]
    return {"claims.837": interchange([transaction(claims)]).encode()}


@dataclass
class Tally:
    cases: int = 0
    answers: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    escaped: list[str] = field(default_factory=list)
    over_time: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    unbalanced: list[str] = field(default_factory=list)
    #: Peak resident memory (MiB) of the worker and of its largest reading child.
    peak_worker_mib: float = 0.0
    peak_child_mib: float = 0.0

    @property
    def ok(self) -> bool:
        """Every case answered within its budget, nothing escaped, reconcile balanced."""
        return not (self.escaped or self.over_time or self.unbalanced)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["answers"] = [[*key, n] for key, n in self.answers.items()]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        answers = Counter({(t, s, r): n for t, s, r, n in data.pop("answers")})
        slowest = tuple(data.pop("slowest"))
        return cls(answers=answers, slowest=(float(slowest[0]), str(slowest[1])), **data)

    def merge(self, other: Tally) -> None:
        self.cases += other.cases
        self.answers.update(other.answers)
        self.escaped += other.escaped
        self.over_time += other.over_time
        self.unbalanced += other.unbalanced
        self.slowest = max(self.slowest, other.slowest)
        self.peak_worker_mib = max(self.peak_worker_mib, other.peak_worker_mib)
        self.peak_child_mib = max(self.peak_child_mib, other.peak_child_mib)


def _reason_code(reason: str) -> str:
    return reason.split(":", 1)[0].strip() if reason else ""


def run_cases(
    app: App,
    client_id: str,
    types: list[str],
    count: int,
    seed: int,
    *,
    share: tuple[int, int] = (0, 1),
    per_run: int = 100,
) -> Tally:
    """``count`` cases per type (those of ``share``: the k-th of n workers takes every n-th
    case) answered for ``client_id`` by :func:`flows.process.answer_file`, the body a file's
    own ``bpo process`` run and a batch run of small files share, with the steps' plain
    functions (as the batch run), ``per_run`` cases per flow run, reading in the app's warm
    reading pool; then reconcile."""
    from prefect import flow

    from flows.operators import deferred_artifacts
    from flows.process import answer_file
    from samples.mutations import Case, cases
    from schemas.doc_type import DocType
    from store.db import transaction
    from store.reconcile import reconcile

    wall = app.config.limits_for(client_id).max_wall_seconds
    tally = Tally()
    inbox = app.state_dir / "fuzz-inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    if app.reader_pool is not None:
        app.reader_pool.warm()

    def answer(doc_type: str, case: Case) -> None:
        path = inbox / case.name
        path.write_bytes(case.data)
        label = f"{doc_type}/{case.name} {'+'.join(case.mutations)}"
        start = time.monotonic()
        try:
            result = answer_file(app, str(path), client_id, DocType(doc_type), case.name)
            status = str(result.status)
            key = (status, "" if status == "duplicate" else _reason_code(result.reason))
        except Exception:
            tally.escaped.append(f"{label}\n{traceback.format_exc()}")
            key = ("exception", "")
        seconds = time.monotonic() - start
        path.unlink()
        tally.cases += 1
        tally.answers[(doc_type, *key)] += 1
        if seconds > wall + 30:
            tally.over_time.append(f"{label}: {seconds:.1f} s")
        if seconds > tally.slowest[0]:
            tally.slowest = (seconds, label)

    @flow(name="fuzz", persist_result=False, validate_parameters=False)
    def fuzz(doc_type: str, batch: list[Case]) -> None:
        with deferred_artifacts():
            for case in batch:
                answer(doc_type, case)

    k, n = share
    for doc_type in types:
        mine = (c for c in cases(seeds(doc_type), count, seed) if c.number % n == k)
        while batch := list(islice(mine, per_run)):
            fuzz.with_options(flow_run_name=f"fuzz/{doc_type}/{batch[0].name}")(doc_type, batch)
    with transaction(app.engine) as session:
        tally.unbalanced = [f"{b}" for b in reconcile(session) if not b.ok]
    tally.peak_worker_mib = _peak_mib(resource.RUSAGE_SELF)
    tally.peak_child_mib = _peak_mib(resource.RUSAGE_CHILDREN)
    return tally


def run(
    types: list[str], count: int, seed: int, wall: int, workdir: Path, share: tuple[int, int]
) -> Tally:
    """Run the cases of ``share`` on a fresh database and folders in ``workdir``."""
    os.chdir(workdir)
    (workdir / "bpo.toml").write_text(CONFIG.format(wall=wall), encoding="utf-8")
    os.environ.setdefault("PREFECT_HOME", str(workdir / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from app.root import build_app, install_app
    from app.settings import Settings

    app = build_app(
        Settings(
            database_url=f"sqlite:///{workdir / 'bpo.sqlite3'}",
            config=workdir / "bpo.toml",
            state_dir=workdir / ".bpo",
            # A worker answers one case at a time: one reading child is all it uses.
            reader_processes=1,
        )
    )
    install_app(app)
    try:
        with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            return run_cases(app, "fuzz", types, count, seed, share=share)
    finally:
        if app.reader_pool is not None:
            app.reader_pool.close()
        install_app(None)


def run_workers(args: argparse.Namespace, workdir: Path) -> Tally:
    """``args.workers`` worker processes, each with its own database, folders and reading
    pool, each taking every n-th case; their tallies merged."""
    procs = []
    for k in range(args.workers):
        own = workdir / f"worker{k}"
        own.mkdir()
        argv = [sys.executable, __file__, f"--cases={args.cases}", f"--types={args.types}"]
        argv += [f"--seed={args.seed}", f"--wall={args.wall}", f"--share={k}/{args.workers}"]
        argv += [f"--tally={own / 'tally.json'}", f"--workdir={own}"]
        procs.append((own, subprocess.Popen(argv)))
    tally = Tally()
    for own, proc in procs:
        proc.wait()
        try:
            data = json.loads((own / "tally.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            tally.escaped.append(f"worker {own.name} ended with status {proc.returncode}")
            continue
        tally.merge(Tally.from_json(data))
    return tally


def _peak_mib(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def report(tally: Tally, seconds: float) -> None:
    print(f"{'type':<10} {'status':<12} {'reason':<24} {'cases':>6}")
    for (doc_type, status, reason), n in sorted(tally.answers.items()):
        print(f"{doc_type:<10} {status:<12} {reason or '-':<24} {n:>6}")
    print(
        f"\ncases {tally.cases} in {seconds:.1f} s; exceptions {len(tally.escaped)};"
        f" over their budget {len(tally.over_time)}; slowest {tally.slowest[0]:.2f} s"
        f" ({tally.slowest[1]}); reconcile {'balanced' if not tally.unbalanced else 'NOT balanced'}"
        f"\npeak RSS: worker {tally.peak_worker_mib} MiB,"
        f" largest reading child {tally.peak_child_mib} MiB"
    )
    for line in [*tally.escaped[:5], *tally.over_time[:5], *tally.unbalanced[:5]]:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases per document type")
    parser.add_argument("--types", default="payroll,invoices,claims")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--wall", type=int, default=30, help="wall and CPU budget per file (s)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--share", default="", help=argparse.SUPPRESS)  # k/n: one worker's
    parser.add_argument("--tally", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.share:
        k, n = (int(x) for x in args.share.split("/"))
        tally = run(
            args.types.split(","), args.cases, args.seed, args.wall, Path(args.workdir), (k, n)
        )
        Path(args.tally).write_text(json.dumps(tally.to_json()), encoding="utf-8")
        return
    print(f"fuzz {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bpo-fuzz-") as tmp:
        start = time.monotonic()
        tally = run_workers(args, Path(tmp))
        report(tally, time.monotonic() - start)
        print(f"load at the end {os.getloadavg()}")
    sys.exit(0 if tally.ok else 1)


if __name__ == "__main__":
    main()
