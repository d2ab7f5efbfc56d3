"""The duplicate-payment lookup: a 1,000,000-row batch against a million earlier payments.

Writes one earlier file's payments to the history (``store.payments.record_payments``), then
times the check a new batch gets in the check-history step (``tasks.payment_history.
check_payments`` reading ``store.payments.earlier_payments``) for two batches: the same
payroll re-sent (every row a duplicate) and the next pay period (none). A naive baseline
asks an indexed per-payment table once per row, as a per-row pipeline would; it is timed on
a slice and scaled to the batch.

    .venv/bin/python bench/payment_history.py
    .venv/bin/python bench/payment_history.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.payroll import _database

JAN = (dt.date(2026, 1, 15), dt.date(2026, 1, 1), dt.date(2026, 1, 14))
FEB = (dt.date(2026, 1, 29), dt.date(2026, 1, 15), dt.date(2026, 1, 28))


def payments(rows: int, when: tuple[dt.date, dt.date, dt.date]):  # type: ignore[no-untyped-def]
    import polars as pl

    from schemas.payroll import PAYMENT_SCHEMA

    i = pl.int_range(0, rows, dtype=pl.Int64, eager=True)
    return pl.DataFrame(
        {
            "record_index": i,
            "employee_id": "E" + i.cast(pl.String).str.zfill(7),
            "pay_date": [when[0]] * rows,
            "period_start": [when[1]] * rows,
            "period_end": [when[2]] * rows,
        }
    ).cast(PAYMENT_SCHEMA)  # type: ignore[arg-type]


def ours(url: str, rows: int) -> dict[str, float]:
    import polars as pl

    from schemas.batch import RECORD_KEY, ValidatedBatch
    from store.db import make_engine, migrate, transaction
    from store.files import register_file
    from store.models import Client
    from store.payments import earlier_payments, record_payments
    from tasks.payment_history import check_payments

    engine = make_engine(url)
    migrate(engine)
    with transaction(engine) as s:
        s.add(Client(id="bench", name="Bench", currency="USD"))

    def new_file(name: str):  # type: ignore[no-untyped-def]
        with transaction(engine) as s:
            file = register_file(
                s,
                client_id="bench",
                doc_type="payroll",
                name=name,
                source=name,
                sha256=name.encode().hex().ljust(64, "0")[:64],
                size=1,
            ).file
            s.expunge(file)
            return file

    jan = new_file("jan.csv")
    t = time.perf_counter()
    with transaction(engine) as s:
        record_payments(s, file=jan, payments=payments(rows, JAN), source="batch")
    out = {"write": time.perf_counter() - t}
    for label, when in (("resent", JAN), ("next period", FEB)):
        batch_payments = payments(rows, when)
        batch = ValidatedBatch(
            records=batch_payments.with_columns(pl.col("employee_id").alias(RECORD_KEY))
        )
        file = new_file(f"{label}.csv")
        t = time.perf_counter()
        with transaction(engine) as s:
            checked = check_payments(
                batch,
                batch_payments,
                lookback_days=365,
                now=dt.datetime.now(dt.UTC),
                read_paid=lambda w, s=s, file=file: earlier_payments(  # type: ignore[misc]
                    s, client_id="bench", file_id=file.id, **dataclasses.asdict(w)
                ),
            )
        out[label] = time.perf_counter() - t
        out[f"{label} flagged"] = checked.issues.height
    engine.dispose()
    return out


def baseline(rows: int, sample: int, workdir: str) -> float:
    """Seconds per row of an indexed per-payment lookup, scaled to ``rows``."""
    db = sqlite3.connect(f"{workdir}/naive.sqlite3")
    db.execute(
        "CREATE TABLE payments (client_id TEXT, employee_id TEXT, pay_date TEXT,"
        " period_start TEXT, period_end TEXT, file_id INT)"
    )
    db.execute("CREATE INDEX ix_payments ON payments (client_id, employee_id)")
    pay, start, end = (d.isoformat() for d in JAN)
    db.executemany(
        "INSERT INTO payments VALUES ('bench', ?, ?, ?, ?, 1)",
        ((f"E{i:07d}", pay, start, end) for i in range(rows)),
    )
    db.commit()
    query = (
        "SELECT 1 FROM payments WHERE client_id = 'bench' AND employee_id = ? AND file_id != 2"
        " AND (pay_date = ? OR (period_start <= ? AND period_end >= ?)) LIMIT 1"
    )
    t = time.perf_counter()
    found = sum(
        1
        for i in range(0, rows, rows // sample)
        if db.execute(query, (f"E{i:07d}", pay, end, start)).fetchone()
    )
    per_row = (time.perf_counter() - t) / found
    return per_row * rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _database(args.database_url) as url:
        mine = ours(url or f"sqlite:///{tmp}/ours.sqlite3", args.rows)
        naive = baseline(args.rows, args.sample, tmp)
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"duplicate-payment lookup, {args.rows:,}-row batch vs {args.rows:,} earlier payments"
        f" ({store})"
    )
    print(f"{'what':<44}{'seconds':>9}{'flagged':>10}")
    print(f"{'write the earlier file to the history':<44}{mine['write']:>9.2f}")
    for label in ("resent", "next period"):
        name = f"lookup, batch {label}"
        print(f"{name:<44}{mine[label]:>9.2f}{int(mine[f'{label} flagged']):>10,}")
    print(f"{'naive per-row indexed lookup (scaled)':<44}{naive:>9.2f}")
    print(f"speed-up on the re-sent batch: {naive / mine['resent']:.1f}x")


if __name__ == "__main__":
    main()
