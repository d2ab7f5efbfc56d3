"""QA sampling: a share of auto-completed records gets a second look, and the outcomes give an
accuracy figure per client and doc type.

Which records are sampled is a pure function of the file's sha256 and the record index, so a
re-run picks exactly the same ones: a record is sampled when the first 8 bytes of
``sha256("<file sha256>:<record_index>")``, read as a fraction of 2**64, fall below the
client's ``qa_sample_rate``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from billing.sla import qa_accuracy
from review.queue import ReviewRefusedError
from schemas.config import ClientConfig
from schemas.doc_type import RecordState
from schemas.frames import utc_column
from schemas.outcome import FileOutcome
from store.audit import append
from store.bulk import insert_ignore
from store.models import File, Record, ReviewItem
from store.qa_models import QaSample, QaStatus, outcome_counts

_SPACE = Decimal(2**64)


def is_sampled(sha256: str, record_index: int, rate: Decimal) -> bool:
    if rate <= 0:
        return False
    digest = hashlib.sha256(f"{sha256}:{record_index}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / _SPACE < rate


def sample_file(session: Session, *, file: File, rate: Decimal, now: dt.datetime) -> int:
    """Sample the file's auto-completed records (never ones a reviewer resolved); idempotent."""
    rows = session.execute(
        select(Record.record_index, Record.record_key)
        .outerjoin(
            ReviewItem,
            (ReviewItem.file_id == Record.file_id)
            & (ReviewItem.record_index == Record.record_index),
        )
        .where(
            Record.file_id == file.id,
            Record.state == RecordState.COMPLETED.value,
            ReviewItem.id.is_(None),
        )
    ).all()
    picked = [(i, key) for i, key in rows if is_sampled(file.sha256, i, rate)]
    if not picked:
        return 0
    frame = pl.DataFrame(
        {
            "client_id": file.client_id,
            "doc_type": file.doc_type,
            "file_id": file.id,
            "record_index": [i for i, _ in picked],
            "record_key": [k for _, k in picked],
            "status": QaStatus.PENDING,
        }
    ).with_columns(utc_column(now, len(picked), "sampled_at"))
    return insert_ignore(session, "qa_samples", frame)


def sample_completed(
    session: Session,
    *,
    clients: Mapping[str, ClientConfig],
    now: dt.datetime,
    client_id: str | None = None,
) -> int:
    """Sample every processed file of every client with a QA rate; returns new samples."""
    total = 0
    for cid, client in clients.items():
        rate = client.review.qa_sample_rate
        if rate <= 0 or (client_id is not None and cid != client_id):
            continue
        files = session.scalars(
            select(File).where(File.client_id == cid, File.status == FileOutcome.PROCESSED)
        ).all()
        for file in files:
            total += sample_file(session, file=file, rate=rate, now=now)
    return total


def sample_view(sample: QaSample, file_name: str) -> dict[str, Any]:
    return {
        "id": sample.id,
        "client_id": sample.client_id,
        "doc_type": sample.doc_type,
        "file": file_name,
        "record_index": sample.record_index,
        "record_key": sample.record_key,
        "status": sample.status,
        "sampled_at": sample.sampled_at.isoformat(),
        "reviewed_by": sample.reviewed_by,
        "note": sample.note,
    }


def list_samples(
    session: Session,
    *,
    client_id: str | None = None,
    status: str | None = QaStatus.PENDING,
    limit: int = 500,
) -> list[dict[str, Any]]:
    stmt = select(QaSample, File.name).join(File, File.id == QaSample.file_id)
    if client_id is not None:
        stmt = stmt.where(QaSample.client_id == client_id)
    if status is not None:
        stmt = stmt.where(QaSample.status == status)
    stmt = stmt.order_by(QaSample.id).limit(limit)
    return [sample_view(s, name) for s, name in session.execute(stmt)]


def record_outcome(
    session: Session,
    *,
    sample_id: int,
    reviewer: str,
    outcome: str,
    now: dt.datetime,
    note: str | None = None,
    client_id: str | None = None,
) -> QaSample:
    """Record pass/fail for a pending sample (once); audited as ``qa_<outcome>``."""
    if outcome not in QaStatus.OUTCOMES:
        raise ReviewRefusedError(f"QA outcome must be passed or failed, not {outcome!r}")
    sample = session.get(QaSample, sample_id, populate_existing=True)
    if sample is None or (client_id is not None and sample.client_id != client_id):
        raise ReviewRefusedError(f"no QA sample {sample_id}")
    res = session.execute(
        update(QaSample)
        .where(QaSample.id == sample_id, QaSample.status == QaStatus.PENDING)
        .values(status=outcome, reviewed_by=reviewer, reviewed_at=now, note=note)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:  # type: ignore[attr-defined]
        raise ReviewRefusedError(f"QA sample {sample_id} already has an outcome")
    session.refresh(sample)
    append(
        session,
        actor=reviewer,
        action=f"qa_{outcome}",
        client_id=sample.client_id,
        at=now,
        field=f"record:{sample.file_id}:{sample.record_index}",
        reason=note,
    )
    return sample


def qa_stats(session: Session, *, client_id: str | None = None) -> list[dict[str, Any]]:
    """Per client and doc type: samples, pending, passed, failed and accuracy (the billed
    figure of :func:`billing.sla.qa_accuracy`, as a decimal string; None before any outcome)."""
    out = []
    for (cid, doc), counts in sorted(outcome_counts(session, client_id=client_id).items()):
        passed, failed = counts.get(QaStatus.PASSED, 0), counts.get(QaStatus.FAILED, 0)
        accuracy = qa_accuracy(passed, failed)
        out.append(
            {
                "client_id": cid,
                "doc_type": doc,
                "sampled": sum(counts.values()),
                "pending": counts.get(QaStatus.PENDING, 0),
                "passed": passed,
                "failed": failed,
                "accuracy": None if accuracy is None else str(accuracy),
            }
        )
    return out
