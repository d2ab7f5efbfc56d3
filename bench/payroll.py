"""Payroll throughput: a generated batch validated, routed, metered and exported.

Runs our batch pipeline (the plain functions the Prefect tasks wrap, side by side where the
flow runs them so, without the orchestration, then the billing export that ``bpo billing
export`` writes) and a hand-written per-row baseline doing the same job (csv + Pydantic per
row + python-stdnum + the rules the model does not state, in plain Python: who is hourly,
amounts in another currency, amounts too large for a bank entry; the file-wide hold check; a
duplicate-payment lookup per row in an indexed SQLite history; SQLite executemany for record
states, review items, payment history and ledger rows with the export columns; a NACHA file
checked line by line before it is written, a register and the billing detail CSV) on the same
file, each in a fresh process so peak RSS is its own, and prints a table. Both must flag the
same records.

Two shapes of batch, each with 1% planted errors: ``generator`` (the project's generator: a
quarter salaried, 80 hours printed) and ``export`` (shaped like a payroll provider's export:
30% salaried with rate and hours blank, blank overtime, hourly and salaried on different pay
cycles in one file).

    .venv/bin/python bench/payroll.py            # 1,000,000 rows, both shapes
    .venv/bin/python bench/payroll.py --rows 200000 --shape export
    .venv/bin/python bench/payroll.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/payroll.py --shape export --flag-every 3   # a third to review
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import multiprocessing as mp
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def ours(csv_path: str, workdir: str, db_url: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    from billing.close import statement_for
    from billing.export import write_statement
    from billing.meter import meter
    from landing.answers import finish_answer, publish_file
    from landing.outbox import FsOutbox
    from landing.publication import StagingOutbox, file_token
    from review.intake import route_batch
    from schemas.config import ClientConfig
    from schemas.outcome import FileOutcome
    from store.db import make_engine, migrate, transaction
    from store.files import register_file
    from store.models import Client
    from store.payments import earlier_payments
    from tasks.doctype import ClientContext, OutputContext
    from tasks.payment_history import check_payments
    from tasks.payroll.handler import PayrollHandler
    from tasks.systematic import systematic_error

    client = ClientConfig(id="bench", name="Bench", rates={"payroll_payment": Decimal("0.45")})
    ctx = ClientContext(client=client)
    engine = make_engine(db_url or f"sqlite:///{workdir}/ours.sqlite3")
    migrate(engine)
    with transaction(engine) as s:
        s.add(Client(id="bench", name="Bench", currency="USD"))
    handler = PayrollHandler()
    t0 = time.perf_counter()
    data = Path(csv_path).read_bytes()
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    with transaction(engine) as s:
        file = register_file(
            s,
            client_id="bench",
            doc_type="payroll",
            name="bench.csv",
            source=csv_path,
            sha256=sha,
            size=len(data),
        ).file
    t_read = time.perf_counter()
    peaks = {"read+register": _peak_mib()}
    batch = handler.extract(data, "bench.csv", ctx)
    del data  # as the flow does
    # As the flow does: the hold check, then the duplicate-payment history.
    held = systematic_error(
        batch, hold_share=client.review.hold_share, hold_min_rows=client.review.hold_min_rows
    )
    assert held is None, held
    payments = handler.payments(batch.records)
    assert payments is not None
    with transaction(engine) as s:
        batch = check_payments(
            batch,
            payments,
            lookback_days=client.payroll.duplicate_lookback_days,
            now=dt.datetime.now(dt.UTC),
            read_paid=lambda w: earlier_payments(
                s, client_id="bench", file_id=file.id, **dataclasses.asdict(w)
            ),
        )
    t_validate = time.perf_counter()
    peaks["extract+validate"] = _peak_mib()
    now = dt.datetime.now(dt.UTC)
    outbox = FsOutbox(f"file://{workdir}/outbox", "bench")
    # As the flow does: outputs are staged out of the client's sight and published (renamed)
    # after the answer is committed.
    staging = StagingOutbox(outbox, file_token(file.id))
    out = OutputContext(
        ctx=ctx,
        outbox=staging,
        file_id=file.id,
        source_name=file.name,
        source_sha256=sha,
        received_at=now,
    )
    # As the flow does: outputs (NACHA + register) beside the record states, then the meter.
    with ThreadPoolExecutor(max_workers=1) as pool:
        outputs = pool.submit(handler.write_outputs, batch, out)
        with transaction(engine) as s:
            counts = route_batch(
                s,
                file=file,
                batch=batch,
                handler=handler,
                client=ctx.client,
                dedupe_keys=None,
                now=now,
            )
        outputs.result()
    t_route = time.perf_counter()
    peaks["outputs+route"] = _peak_mib()
    with transaction(engine) as s:
        meter(
            s,
            client=client,
            file=file,
            units=handler.billable_units(batch.valid_records(handler.unit_columns)),
            completed_at=now,
            flow_run_id=None,
        )
    t_meter = time.perf_counter()
    peaks["meter"] = _peak_mib()
    finish_answer(
        engine,
        file=file,
        staging=staging,
        status=FileOutcome.PROCESSED,
        counts=counts,
        reason="",
        flow_run_id=None,
    )
    publish_file(engine, outbox, file_id=file.id)
    t_publish = time.perf_counter()
    peaks["answer+publish"] = _peak_mib()
    # As the flow ends: the billing export is finance's own command, after the run let go of
    # the batch.
    rows, flagged = batch.records.height, batch.issues.get_column("record_index").n_unique()
    del batch
    with transaction(engine) as s:
        st = statement_for(s, client, now.strftime("%Y-%m"))
    write_statement(st, "detail", "csv", Path(workdir) / "usage.csv")
    t_end = time.perf_counter()
    queue.put(
        {
            "rows": rows,
            "flagged": flagged,
            "billed": st.entries.height,
            "seconds": t_end - t0,
            "stages": {
                "read+register": t_read - t0,
                "extract+validate": t_validate - t_read,
                "outputs+route": t_route - t_validate,
                "meter": t_meter - t_route,
                "answer+publish": t_publish - t_meter,
                "export": t_end - t_publish,
            },
            "rss_mib": _peak_mib(),
            "peaks": {**peaks, "export": _peak_mib()},
        }
    )


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(csv_path: str, workdir: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    import hashlib
    import json
    import re
    from collections import Counter

    from pydantic import ValidationError
    from stdnum.us import rtn

    from schemas.formula import is_formula
    from schemas.money import currency_of
    from schemas.payroll import PAYROLL_COLUMNS, PayrollEntry
    from schemas.payroll_options import PayrollOptions

    # The rules ours applies beyond the model's own: formula-like text, who is hourly, plausible
    # hours, amounts, the currency an amount names, what a NACHA entry can carry.
    account_ok = re.compile(r"[0-9A-Za-z-]{1,17}")
    name_ok = re.compile(r"[A-Za-z1-9]")
    not_plain = re.compile(r"[^0-9.,\s()+\-]")
    text_fields = [c for c, t in PayrollEntry.model_fields.items() if t.annotation is str]
    text_fields += ["account_type", "pay_type"]
    amount_fields = [
        "hourly_rate",
        "gross_pay",
        "federal_tax",
        "state_tax",
        "social_security",
        "medicare",
        "other_deductions",
        "net_pay",
    ]
    max_hours = PayrollOptions().max_period_hours
    zero, max_entry = Decimal(0), Decimal("99999999.99")

    t0 = time.perf_counter()
    data = Path(csv_path).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    del data
    now = dt.datetime.now(dt.UTC)
    stamp, period = now.isoformat(), now.strftime("%Y-%m")
    db = sqlite3.connect(f"{workdir}/baseline.sqlite3")
    db.execute(
        "CREATE TABLE records (file_id INT, idx INT, client_id TEXT, doc_type TEXT, key TEXT,"
        " state TEXT, completed_at TEXT, PRIMARY KEY (file_id, idx))"
    )
    db.execute(
        "CREATE TABLE usage (entry_key TEXT UNIQUE, client_id TEXT, period TEXT,"
        " transaction_id TEXT, doc_type TEXT, unit TEXT, quantity INT, unit_price TEXT,"
        " amount TEXT, currency TEXT, completed_at TEXT, source_file TEXT, source_sha256 TEXT,"
        " flow_run_id TEXT)"
    )
    db.execute("CREATE TABLE review (idx INTEGER PRIMARY KEY, reasons TEXT, raw TEXT)")
    db.execute(
        "CREATE TABLE payments (client_id TEXT, employee_id TEXT, pay_date TEXT,"
        " period_start TEXT, period_end TEXT, file_id INT, idx INT, received_at TEXT)"
    )
    db.execute("CREATE INDEX ix_payments ON payments (client_id, employee_id)")
    paid_before = (
        "SELECT 1 FROM payments WHERE client_id = 'bench' AND employee_id = ? AND file_id != 1"
        " AND (pay_date = ? OR (period_start <= ? AND period_end >= ?)) LIMIT 1"
    )
    records, usage, review, ach, register, payments = [], [], [], [], [], []
    seen: set[str] = set()
    codes: Counter[str] = Counter()
    with Path(csv_path).open(newline="", encoding="utf-8") as fh:
        for idx, row in enumerate(csv.DictReader(fh)):
            reasons = [f for f in text_fields if is_formula(row.get(f) or "")]
            for f in amount_fields:
                text = row.get(f) or ""
                if not_plain.search(text) and currency_of(text) not in (None, "USD"):
                    reasons.append("currency")
            try:
                entry = PayrollEntry.model_validate({k: (v or None) for k, v in row.items()})
            except ValidationError as exc:
                reasons += [str(e["loc"][0]) for e in exc.errors()]
                entry = None
            if entry is not None:
                parts = (
                    entry.federal_tax,
                    entry.state_tax,
                    entry.social_security,
                    entry.medicare,
                    entry.other_deductions,
                )
                ded = sum(parts, zero)
                if entry.gross_pay - ded != entry.net_pay:
                    reasons.append("net")
                rate, regular = entry.hourly_rate, entry.regular_hours
                overtime = entry.overtime_hours or zero
                if entry.pay_type is not None:
                    hourly = entry.pay_type == "hourly"
                else:
                    hourly = rate is not None and rate != 0
                if hourly and regular is None:
                    reasons.append("hours")
                if hourly and rate is None:
                    reasons.append("rate")
                if (
                    hourly
                    and rate is not None
                    and regular is not None
                    and abs(regular * rate + overtime * rate * Decimal("1.5") - entry.gross_pay)
                    > Decimal("0.01")
                ):
                    reasons.append("gross")
                if not rtn.is_valid(entry.routing_number):
                    reasons.append("routing")
                if not entry.period_start <= entry.period_end <= entry.pay_date:
                    reasons.append("period")
                if (regular or zero) + overtime > max_hours:
                    reasons.append("hours")
                if entry.gross_pay < zero or min(parts) < zero or entry.net_pay <= zero:
                    reasons.append("amount")
                if entry.net_pay > max_entry:
                    reasons.append("too large")
                if not account_ok.fullmatch(entry.account_number):
                    reasons.append("account")
                if not name_ok.search(entry.employee_name):
                    reasons.append("name")
                if entry.employee_id in seen:
                    reasons.append("duplicate")
                seen.add(entry.employee_id)
                start, end = entry.period_start.isoformat(), entry.period_end.isoformat()
                pay = entry.pay_date.isoformat()
                if db.execute(paid_before, (entry.employee_id, pay, end, start)).fetchone():
                    reasons.append("paid")
            codes.update(set(reasons))
            if reasons:
                records.append((1, idx, "bench", "payroll", row["employee_id"], "in_review", None))
                review.append((idx, ",".join(reasons), json.dumps(row)))
            else:
                assert entry is not None
                records.append((1, idx, "bench", "payroll", entry.employee_id, "completed", stamp))
                payments.append(("bench", entry.employee_id, pay, start, end, 1, idx, stamp))
                tx = f"payroll:{sha[:16]}:{idx}"
                usage.append(
                    (
                        f"payroll_payment:{tx}",
                        "bench",
                        period,
                        tx,
                        "payroll",
                        "payroll_payment",
                        1,
                        "0.45",
                        "0.45",
                        "USD",
                        stamp,
                        "bench.csv",
                        sha,
                        None,
                    )
                )
                cents = int(entry.net_pay * 100)
                ach.append(
                    f"622{entry.routing_number}{entry.account_number:<17}{cents:010d}"
                    f"{entry.employee_id:<15}{entry.employee_name.upper()[:22]:<22}  0"
                    f"09100001{len(ach) + 1:07d}"
                )
                register.append([getattr(entry, c) for c in PAYROLL_COLUMNS])
    # The file-wide hold: one rule failing on at least 20% of the rows (and 20 rows).
    held = [c for c, n in codes.items() if n >= 20 and n >= len(records) * 0.2]
    assert not held, held
    db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)", records)
    db.executemany("INSERT INTO review VALUES (?, ?, ?)", review)
    db.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?)", payments)
    db.executemany(f"INSERT OR IGNORE INTO usage VALUES ({', '.join('?' * 14)})", usage)
    db.commit()
    # The NACHA entries are checked before they are written: length, ASCII, the credit total.
    credit = 0
    for line in ach:
        if len(line) != 94 or not line.isascii():
            raise ValueError(f"NACHA record of {len(line)} characters")
        credit += int(line[29:39])
    assert credit == sum(int(r[14] * 100) for r in register)
    Path(workdir, "baseline.ach").write_text("\n".join(ach) + "\n")
    with Path(workdir, "baseline-register.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(register)
    with Path(workdir, "baseline-usage.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(
            db.execute("SELECT * FROM usage WHERE client_id = ? AND period = ?", ("bench", period))
        )
    queue.put(
        {
            "rows": len(records),
            "flagged": len(review),
            "billed": len(usage),
            "seconds": time.perf_counter() - t0,
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


@contextmanager
def _database(base: str) -> Iterator[str]:
    """``base`` with a fresh schema first on its search path (dropped after), or ``""``."""
    if not base:
        yield ""
        return
    from sqlalchemy import create_engine, make_url, text

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run_child(target, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--shape", choices=["generator", "export", "both"], default="both")
    parser.add_argument(
        "--database-url",
        default="",
        help="run ours on this PostgreSQL database, in a schema made and dropped for the run"
        " (the baseline stays on SQLite)",
    )
    parser.add_argument(
        "--flag-every",
        type=int,
        default=100,
        help="plant an error in one row of every N (3: a third of the batch goes to review;"
        " the four kinds of error stay under the file-wide hold share)",
    )
    args = parser.parse_args()
    shapes = ["generator", "export"] if args.shape == "both" else [args.shape]
    for shape in shapes:
        run_shape(shape, args.rows, args.database_url, args.flag_every)


def batch_frame(shape: str, rows: int, every: int = 100) -> object:
    from samples.payroll import export_frame, payroll_frame, plant_errors

    made = payroll_frame(rows) if shape == "generator" else export_frame(rows)
    return plant_errors(made, every=every)


def write_batch(path: str, shape: str, rows: str, every: str, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    """The batch file, made in a process of its own: a child started later inherits its
    parent's resident size as the floor of its peak RSS (Linux keeps ``ru_maxrss`` across
    the exec), so the parent never holds the generated frame."""
    from samples.payroll import csv_bytes

    frame = batch_frame(shape, int(rows), int(every))
    Path(path).write_bytes(csv_bytes(frame, crlf=shape == "export"))  # type: ignore[arg-type]
    queue.put({})


def run_shape(shape: str, rows: int, database_url: str, every: int = 100) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "payroll.csv"
        run_child(write_batch, str(path), shape, str(rows), str(every))
        size_mb = path.stat().st_size / 1e6
        with _database(database_url) as url:
            mine = run_child(ours, str(path), tmp, url)
        base = run_child(baseline, str(path), tmp)
    assert mine["flagged"] == base["flagged"], (mine["flagged"], base["flagged"])
    store = "PostgreSQL" if database_url else "SQLite"
    described = {
        "generator": "the project's generator (25% salaried, hours printed)",
        "export": "shaped like a provider's export (30% salaried, rate and hours blank, CRLF)",
    }[shape]
    print(
        f"payroll batch, {described}: {rows:,} rows, {size_mb:.0f} MB CSV,"
        f" {100 / every:.0f}% planted errors;"
        f" ours on {store}, baseline on SQLite"
    )
    print(
        f"{'pipeline':<34}{'seconds':>9}{'rows/s':>12}{'peak RSS MiB':>14}"
        f"{'flagged':>9}{'billed':>9}"
    )
    for label, r in (("ours (Polars, batch SQL)", mine), ("baseline (csv+Pydantic per row)", base)):
        print(
            f"{label:<34}{r['seconds']:>9.2f}{r['rows'] / r['seconds']:>12,.0f}"
            f"{r['rss_mib']:>14,.0f}{r['flagged']:>9,}{r['billed']:>9,}"
        )
    print(f"speed-up: {base['seconds'] / mine['seconds']:.1f}x")
    print("our stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in mine["stages"].items()))
    print("peak RSS after: " + ", ".join(f"{k} {v:,.0f}" for k, v in mine["peaks"].items()))
    print()


if __name__ == "__main__":
    main()
