"""The QA sample of auto-completed records, and the counts of its outcomes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.models import Base, utcnow
from store.types import UTCDateTime


class QaStatus:
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"

    OUTCOMES = (PASSED, FAILED)


class QaSample(Base):
    """One auto-completed record picked for a second look; one row per record at most.

    Sampling is deterministic per record (a hash of the file's sha256 and the record index), so
    re-running the sampler picks the same records and the unique key makes it a no-op.
    """

    __tablename__ = "qa_samples"
    __table_args__ = (
        UniqueConstraint("file_id", "record_index", name="uq_qa_record"),
        Index("ix_qa_client_status", "client_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    doc_type: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[int] = mapped_column(Integer)
    record_index: Mapped[int] = mapped_column(Integer)
    record_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=QaStatus.PENDING)
    sampled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)


def outcome_counts(
    session: Session, *, client_id: str | None = None
) -> dict[tuple[str, str], dict[str, int]]:
    """Samples per ``(client_id, doc_type)`` and status."""
    stmt = select(QaSample.client_id, QaSample.doc_type, QaSample.status, func.count()).group_by(
        QaSample.client_id, QaSample.doc_type, QaSample.status
    )
    if client_id is not None:
        stmt = stmt.where(QaSample.client_id == client_id)
    table: dict[tuple[str, str], dict[str, int]] = {}
    for cid, doc, status, n in session.execute(stmt):
        table.setdefault((cid, doc), {})[status] = int(n)
    return table


__all__ = ["Base", "QaSample", "QaStatus", "outcome_counts"]
