"""The migrations build what the models describe, and carry the usage ledger across 0005."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from billing.ledger import period_frame, reverse_entry
from store.db import alembic_config, make_engine, migrate, transaction
from store.models import Base, EntryType, UsageEntry

WIDE = (
    "INSERT INTO usage_ledger (id, client_id, entry_key, entry_type, reverses_id,"
    " transaction_id, doc_type, unit, quantity, unit_price, amount, currency, period,"
    " completed_at, file_id, record_index, source_file, source_sha256, flow_run_id, created_at)"
    " VALUES (:id, 'acme', :key, :type, :rev, :tx, 'payroll', :unit, :qty, :price, :amount,"
    " 'USD', :period, :done, :file, :idx, 'batch.csv', :sha, :run, :done)"
)
SHA = "ab" * 32


def _wide_rows() -> list[dict[str, object]]:
    done = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    rows: list[dict[str, object]] = []
    for idx in range(5):
        tx = f"payroll:{SHA[:16]}:{idx}"
        rows.append(
            {
                "id": 10 + idx,
                "key": f"payroll_payment:{tx}",
                "type": "usage",
                "rev": None,
                "tx": tx,
                "unit": "payroll_payment",
                "qty": 1,
                "price": Decimal("0.45"),
                "amount": Decimal("0.45"),
                "period": "2026-03",
                "done": done,
                "file": 1,
                "idx": idx,
                "sha": SHA,
                "run": None if idx < 3 else "run-2",
            }
        )
    rows.append(
        {
            "id": 20,
            "key": "reversal:11",
            "type": "reversal",
            "rev": 11,
            "tx": f"payroll:{SHA[:16]}:1",
            "unit": "payroll_payment",
            "qty": -1,
            "price": Decimal("0.45"),
            "amount": Decimal("-0.45"),
            "period": "2026-04",
            "done": done,
            "file": 1,
            "idx": 1,
            "sha": SHA,
            "run": None,
        }
    )
    return rows


def _insert_wide(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clients (id, name, currency, created_at)"
                " VALUES ('acme', 'Acme', 'USD', :at)"
            ),
            {"at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC).replace(tzinfo=None)},
        )
        for row in _wide_rows():
            params = dict(row)
            params["done"] = row["done"].replace(tzinfo=None)  # type: ignore[attr-defined]
            if engine.dialect.name == "sqlite":
                params["price"], params["amount"] = str(row["price"]), str(row["amount"])
            conn.execute(text(WIDE), params)


def test_models_match_the_migrations(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_0005_carries_every_ledger_entry_over_and_back(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine, "0004")
    _insert_wide(engine)
    migrate(engine)
    with transaction(engine) as s:
        march = period_frame(s, "acme", "2026-03")
        april = period_frame(s, "acme", "2026-04")
        reversal = s.get(UsageEntry, 20)
        assert reversal is not None
        assert (reversal.entry_type, reversal.reverses_id) == (EntryType.REVERSAL, 11)
        assert reversal.amount == Decimal("-0.45")
        assert reversal.period == "2026-04"
        assert reversal.transaction_id == f"payroll:{SHA[:16]}:1"
        batches = s.scalar(text("SELECT COUNT(*) FROM usage_batches"))
    assert march.get_column("id").to_list() == [10, 11, 12, 13, 14]
    assert march.get_column("transaction_id").to_list() == [
        f"payroll:{SHA[:16]}:{i}" for i in range(5)
    ]
    assert march.get_column("flow_run_id").to_list() == [None, None, None, "run-2", "run-2"]
    assert march.get_column("amount").cast(str).to_list() == ["0.4500"] * 5
    assert april.get_column("reverses_id").to_list() == [11]
    assert batches == 3  # two flow runs of usage, one reversal

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    with engine.connect() as conn:
        back = conn.execute(
            text(
                "SELECT id, entry_key, transaction_id, flow_run_id, period FROM usage_ledger"
                " ORDER BY id"
            )
        ).all()
    assert [tuple(r) for r in back] == [
        (r["id"], r["key"], r["tx"], r["run"], r["period"]) for r in _wide_rows()
    ]
    migrate(engine)  # and forward again: ids kept, new entries numbered after them
    with transaction(engine) as s:
        new = reverse_entry(s, entry_id=10, period="2026-04")
        assert new is not None
        assert new.id > 20
        assert reverse_entry(s, entry_id=10, period="2026-04") is new
    engine.dispose()


def test_schema_head_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from store.db import schema_head

    assert schema_head() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_a_database_at_the_head_is_not_upgraded_again(tmp_path, monkeypatch) -> None:
    from store import db

    engine = make_engine(f"sqlite:///{tmp_path / 'bpo.db'}")
    assert db.current_revision(engine) is None  # never migrated: no alembic_version table
    migrate(engine)
    assert db.current_revision(engine) == db.schema_head()

    class AlembicLoadedError(Exception):
        pass

    def loaded() -> None:
        raise AlembicLoadedError

    monkeypatch.setattr(db, "alembic_config", loaded)
    migrate(engine)  # at the head: alembic is not loaded
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0013'"))
    with pytest.raises(AlembicLoadedError):  # behind the head: alembic upgrades
        migrate(engine)
