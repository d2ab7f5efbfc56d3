"""The publication ledger's reads and writes (see ``store.publication_models``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.publication_models import Publication, PublicationStatus


@dataclass(frozen=True)
class StagedOutput:
    """A file written to a staging folder, waiting for its commit."""

    name: str
    size: int
    kind: str = "output"


@dataclass(frozen=True)
class PendingOutput:
    """A committed output not yet moved into the outbox."""

    id: int
    client_id: str
    name: str
    token: str
    kind: str
    size: int


@dataclass(frozen=True)
class LedgerEntry:
    """What the store says about one name in a client's outbox."""

    name: str
    status: str
    owner: str
    size: int
    file_id: int | None
    review_item_id: int | None


def record_staged(
    session: Session,
    *,
    client_id: str,
    token: str,
    owner: str,
    outputs: Sequence[StagedOutput],
    file_id: int | None = None,
    review_item_id: int | None = None,
) -> None:
    """Add (or renew) the rows of staged outputs, in the caller's transaction: the one that
    commits the records or the decision they reflect."""
    if not outputs:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "client_id": client_id,
            "name": o.name,
            "token": token,
            "owner": owner,
            "kind": o.kind,
            "file_id": file_id,
            "review_item_id": review_item_id,
            "size": o.size,
            "status": PublicationStatus.STAGED,
            "created_at": now,
            "published_at": None,
        }
        for o in outputs
    ]
    stmt = insert(Publication)
    stmt = stmt.on_conflict_do_update(
        index_elements=["client_id", "name"],
        set_={
            c: getattr(stmt.excluded, c)
            for c in ("token", "owner", "kind", "file_id", "review_item_id", "size", "status")
        }
        | {"published_at": None},
    )
    session.execute(stmt, rows)


def pending_outputs(
    session: Session,
    *,
    client_id: str | None = None,
    file_id: int | None = None,
    review_item_id: int | None = None,
    token: str | None = None,
) -> list[PendingOutput]:
    """Committed outputs still waiting in staging, receipts last within each token."""
    query = select(Publication).where(Publication.status == PublicationStatus.STAGED)
    if client_id is not None:
        query = query.where(Publication.client_id == client_id)
    if file_id is not None:
        query = query.where(Publication.file_id == file_id)
    if review_item_id is not None:
        query = query.where(Publication.review_item_id == review_item_id)
    if token is not None:
        query = query.where(Publication.token == token)
    rows = session.scalars(query.order_by(Publication.id)).all()
    out = [PendingOutput(r.id, r.client_id, r.name, r.token, r.kind, r.size) for r in rows]
    return sorted(out, key=lambda p: (p.client_id, p.token, p.kind == "receipt", p.id))


def mark_published(session: Session, ids: Iterable[int], *, at: dt.datetime) -> None:
    wanted = list(ids)
    for i in range(0, len(wanted), 500):
        session.execute(
            update(Publication)
            .where(Publication.id.in_(wanted[i : i + 500]))
            .values(status=PublicationStatus.PUBLISHED, published_at=at)
        )


def ledger(session: Session, *, client_id: str) -> dict[str, LedgerEntry]:
    """Every name the store backs in the client's outbox, by name."""
    rows = session.scalars(select(Publication).where(Publication.client_id == client_id))
    return {
        r.name: LedgerEntry(r.name, r.status, r.owner, r.size, r.file_id, r.review_item_id)
        for r in rows
    }


def first_recorded(session: Session, *, client_id: str, name: str) -> dt.datetime | None:
    """When ``name`` was first recorded for the client (a repeated answer keeps its time)."""
    return session.scalar(
        select(Publication.created_at).where(
            Publication.client_id == client_id, Publication.name == name
        )
    )
