"""The publication ledger: staged rows renewed idempotently, and 0008 carrying over the outputs
runs wrote before it."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from store.db import make_engine, migrate, transaction
from store.publication_models import PublicationStatus
from store.publications import (
    StagedOutput,
    ledger,
    mark_published,
    pending_outputs,
    record_staged,
)

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_staged_rows_are_renewed_not_duplicated(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    outputs = [StagedOutput("payroll/a.ach", 10), StagedOutput("receipts/a.json", 5, "receipt")]
    for _ in range(2):  # a retried run stages and records the same names again
        with transaction(engine) as s:
            record_staged(s, client_id="acme", token="file-1", owner="file", outputs=outputs)
    with transaction(engine) as s:
        pending = pending_outputs(s, client_id="acme")
        assert [p.name for p in pending] == ["payroll/a.ach", "receipts/a.json"]  # receipt last
        mark_published(s, [p.id for p in pending], at=AT)
    with transaction(engine) as s:
        assert pending_outputs(s) == []
        entries = ledger(s, client_id="acme")
        assert {n: e.status for n, e in entries.items()} == {
            "payroll/a.ach": PublicationStatus.PUBLISHED,
            "receipts/a.json": PublicationStatus.PUBLISHED,
        }
        assert ledger(s, client_id="globex") == {}
    engine.dispose()


def test_0008_carries_over_the_outputs_of_earlier_runs(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0005")
    stamp = AT.replace(tzinfo=None)
    outputs = [
        "file:///srv/outbox/acme/payroll/jan.1a2b3c4d5e6f.ach",
        "file:///srv/outbox/acme/receipts/jan.csv.1a2b3c4d5e6f.json",
        "s3://elsewhere/not-below-the-client.csv",
    ]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clients (id, name, currency, created_at)"
                " VALUES ('acme', 'A', 'USD', :at)"
            ),
            {"at": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO files (id, client_id, doc_type, name, source, sha256, size, status,"
                " stage, outputs, received_at) VALUES (1, 'acme', 'payroll', 'jan.csv', 'x',"
                " :sha, 10, 'processed', 3, :outputs, :at)"
            ),
            {"sha": "1a" * 32, "outputs": json.dumps(outputs), "at": stamp},
        )
    migrate(engine)
    with transaction(engine) as s:
        entries = ledger(s, client_id="acme")
    assert set(entries) == {"payroll/jan.1a2b3c4d5e6f.ach", "receipts/jan.csv.1a2b3c4d5e6f.json"}
    assert {e.status for e in entries.values()} == {PublicationStatus.PUBLISHED}
    assert {e.size for e in entries.values()} == {-1}
    engine.dispose()
