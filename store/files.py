"""File registration: the same bytes for the same client register once (sha256)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from schemas.config import BpoConfig
from schemas.outcome import PROCESSING, FileOutcome
from schemas.short_text import shorten
from store.models import Client, File, FileStage, utcnow


def sync_clients(session: Session, config: BpoConfig) -> None:
    """Make sure every configured client has its row (names and currency follow the config)."""
    existing = {c.id: c for c in session.scalars(select(Client))}
    for cid, cfg in config.clients.items():
        row = existing.get(cid)
        if row is None:
            session.add(Client(id=cid, name=cfg.name, currency=cfg.currency))
        else:
            row.name, row.currency = cfg.name, cfg.currency
    session.flush()


@dataclass(frozen=True)
class Registration:
    file: File
    #: ``new``: first time; ``resume``: registered before but its run did not finish;
    #: ``duplicate``: these bytes were already processed for this client.
    outcome: str


def register_file(
    session: Session,
    *,
    client_id: str,
    doc_type: str,
    name: str,
    source: str,
    sha256: str,
    size: int,
    received_at: dt.datetime | None = None,
) -> Registration:
    """Register a file once per (client, sha256); concurrent callers agree on one row."""
    values = {
        "client_id": client_id,
        "doc_type": doc_type,
        "name": name,
        "source": source,
        "sha256": sha256,
        "size": size,
        "status": PROCESSING,
        "stage": FileStage.REGISTERED,
        "outputs": [],
        "received_at": received_at or utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(File)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["client_id", "sha256"])
        .returning(File.id)
    )
    inserted = session.execute(stmt).first() is not None
    row = session.scalars(
        select(File).where(File.client_id == client_id, File.sha256 == sha256)
    ).one()
    if inserted:
        return Registration(row, "new")
    if row.stage >= FileStage.DONE:
        return Registration(row, "duplicate")
    return Registration(row, "resume")


def advance_stage(session: Session, *, file_id: int, stage: int, **values: Any) -> None:
    """Move a file forward to ``stage`` (never back: a re-run of an earlier step keeps the
    later stage) and set ``values`` with it."""
    session.execute(
        update(File).where(File.id == file_id, File.stage < stage).values(stage=stage, **values)
    )


def finish_file(
    session: Session,
    *,
    file_id: int,
    outcome: FileOutcome,
    reason: str,
    record_count: int,
    outputs: list[str],
    flow_run_id: str | None,
    at: dt.datetime,
    final: bool = True,
) -> None:
    """Record the file's answer: its outcome, reason, outputs and when it was finished.

    ``final=False`` records the answer but leaves the file's stage where it is, so the same
    bytes run again are worked on instead of answered ``duplicate`` (a held file).
    """
    stage = {"stage": FileStage.DONE} if final else {}
    session.execute(
        update(File)
        .where(File.id == file_id)
        .values(
            **stage,
            status=outcome.value,
            reason=reason or None,
            record_count=record_count,
            outputs=outputs,
            completed_at=at,
            flow_run_id=flow_run_id,
        )
    )


def record_failure(session: Session, *, file_id: int, reason: str) -> None:
    """Say why a file's run failed; it stays unfinished (``processing``) for the next run."""
    session.execute(update(File).where(File.id == file_id).values(reason=shorten(reason, 2000)))
