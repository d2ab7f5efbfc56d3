"""The bpo side of the scale-out test: a shared landing folder, its config, the burst of
payroll files, and what the database says afterwards."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from samples.payroll import payroll_frame, plant_errors
from schemas.config import load_config
from store.db import make_engine, migrate, transaction
from store.files import sync_clients
from store.models import File, Record, UsageEntry
from store.reconcile import FileBalance, reconcile

CLIENT = "acme"

CONFIG = """\
[landing]
root = "file://{root}/landing"
outbox = "file://{root}/outbox"
archive = "file://{root}/archive"
quarantine = "file://{root}/quarantine"

[clients.acme]
name = "Acme Corp"
currency = "USD"
[clients.acme.rates]
payroll_payment = "0.45"
"""


def payroll_bytes(seed: int, rows: int = 8) -> bytes:
    """A small batch; every seed gives different bytes (two of the rows go to review)."""
    frame = payroll_frame(rows, seed=seed, first_employee=1000 * seed)  # other employees
    return plant_errors(frame, every=4).write_csv().encode("utf-8")


@dataclass
class Shared:
    """One landing zone and one bpo database, shared by every worker."""

    root: Path
    database_url: str

    @property
    def config(self) -> Path:
        return self.root / "bpo.toml"

    @property
    def inbox(self) -> Path:
        return self.root / "landing" / CLIENT / "payroll"

    def prepare(self) -> Engine:
        """Write the config and migrate once, so concurrent flow runs find the schema ready."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.config.write_text(CONFIG.format(root=self.root.as_posix()), encoding="utf-8")
        engine = make_engine(self.database_url)
        migrate(engine)
        with transaction(engine) as db:
            sync_clients(db, load_config(self.config))
        return engine

    def drop(self, name: str, data: bytes) -> str:
        """Write the file, then its ``.done`` marker (as a client's upload tool would)."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        tmp = self.inbox / f".{name}.part"
        tmp.write_bytes(data)
        tmp.replace(self.inbox / name)
        (self.inbox / f"{name}.done").write_bytes(b"")
        return hashlib.sha256(data).hexdigest()

    def waiting(self) -> list[str]:
        return sorted(p.name for p in self.inbox.iterdir()) if self.inbox.exists() else []

    def archived(self) -> list[Path]:
        base = self.root / "archive" / CLIENT / "payroll"
        return sorted(p for p in base.rglob("*") if p.is_file())


@dataclass(frozen=True)
class Ledger:
    files: int
    shas: int
    unfinished: int
    completed_records: int
    usage_entries: int
    distinct_usage_keys: int
    balances: list[FileBalance]


def ledger(engine: Engine) -> Ledger:
    with transaction(engine) as s:
        count = func.count()
        return Ledger(
            files=int(s.scalar(select(count).select_from(File)) or 0),
            shas=int(s.scalar(select(func.count(func.distinct(File.sha256)))) or 0),
            unfinished=int(
                s.scalar(select(count).select_from(File).where(File.status == "processing")) or 0
            ),
            completed_records=int(
                s.scalar(select(count).select_from(Record).where(Record.state == "completed")) or 0
            ),
            usage_entries=int(
                s.scalar(
                    select(count)
                    .select_from(UsageEntry)
                    .where(UsageEntry.unit == "payroll_payment")
                )
                or 0
            ),
            distinct_usage_keys=int(
                s.scalar(
                    select(count).select_from(
                        select(UsageEntry.file_id, UsageEntry.record_index)
                        .where(UsageEntry.unit == "payroll_payment")
                        .distinct()
                        .subquery()
                    )
                )
                or 0
            ),
            balances=reconcile(s),
        )
