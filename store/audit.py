"""The append-only audit trail of reviewer actions, and its CSV/JSON export.

One row per fact: a claim, a release, an escalation, each field a correction changed (before and
after), the final approve/correct/reject with its reason. Rows are never updated or deleted:
the ORM guard below refuses it in our code, and database triggers (migration 0002) refuse it
from anywhere else. Values of PII fields are stored masked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from schemas.formula import defuse
from schemas.pii import PII_FIELDS, mask
from store.models import AuditEntry, ReviewItem

AUDIT_COLUMNS = (
    "id",
    "at",
    "actor",
    "action",
    "client_id",
    "doc_type",
    "review_item_id",
    "file_id",
    "record_index",
    "record_key",
    "field",
    "before",
    "after",
    "reason",
)
_LEAF = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[\d+\])?$")


class AuditImmutableError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutableError("audit_log is append-only")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, sort_keys=True)
    return str(value)


def _is_pii(doc_type: str | None, field: str | None) -> bool:
    if not doc_type or not field:
        return False
    leaf = _LEAF.search(field.split(".")[-1])
    return bool(leaf) and leaf is not None and leaf.group(1) in PII_FIELDS.get(doc_type, ())


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    client_id: str,
    at: dt.datetime,
    item: ReviewItem | None = None,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEntry:
    """Add one audit row (flushed with the caller's transaction)."""
    doc_type = item.doc_type if item is not None else None
    pii = _is_pii(doc_type, field)
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        client_id=client_id,
        review_item_id=item.id if item is not None else None,
        doc_type=doc_type,
        file_id=item.file_id if item is not None else None,
        record_index=item.record_index if item is not None else None,
        record_key=item.record_key if item is not None else None,
        field=field,
        before=mask(_text(before)) if pii else _text(before),
        after=mask(_text(after)) if pii else _text(after),
        reason=reason,
    )
    session.add(entry)
    return entry


def append_changes(
    session: Session,
    *,
    actor: str,
    item: ReviewItem,
    changes: Iterable[tuple[str, Any, Any]],
    reason: str | None,
    at: dt.datetime,
) -> int:
    """One ``correct`` row per ``(field, before, after)`` whose value really changed."""
    n = 0
    for field, before, after in changes:
        if _text(before) == _text(after):
            continue
        append(
            session,
            actor=actor,
            action="correct",
            client_id=item.client_id,
            at=at,
            item=item,
            field=field,
            before=before,
            after=after,
            reason=reason,
        )
        n += 1
    return n


def entries(
    session: Session,
    *,
    client_id: str,
    item_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[AuditEntry]:
    """A client's audit rows in the order they were written (tenant-scoped by construction)."""
    stmt = select(AuditEntry).where(AuditEntry.client_id == client_id)
    if item_id is not None:
        stmt = stmt.where(AuditEntry.review_item_id == item_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    return list(session.scalars(stmt.order_by(AuditEntry.id)))


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    row: Mapping[str, Any] = {c: getattr(entry, c) for c in AUDIT_COLUMNS}
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}


def render(rows: list[AuditEntry], fmt: Literal["csv", "json"]) -> str:
    """The rows as CSV (header + one line each, formula-safe) or a JSON array."""
    dicts = [entry_dict(e) for e in rows]
    if fmt == "json":
        return json.dumps(dicts, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=AUDIT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {k: defuse(v) if isinstance(v, str) else v for k, v in row.items()} for row in dicts
    )
    return buf.getvalue()


def export_audit(
    session: Session,
    *,
    client_id: str,
    fmt: Literal["csv", "json"],
    out: Path,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> int:
    """Write a client's audit trail to ``out``; returns the number of rows."""
    rows = entries(session, client_id=client_id, since=since, until=until)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(rows, fmt), encoding="utf-8")
    return len(rows)
