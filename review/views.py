"""What reviewers see of the queue: items by priority and due time, PII masked."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from review.due import business_age_hours, client_zone
from schemas.config import ClientConfig
from schemas.pii import mask_fields
from store.models import File, ReviewItem, ReviewStatus, UsageEntry


def item_view(
    item: ReviewItem,
    file_name: str,
    *,
    now: dt.datetime | None = None,
    client: ClientConfig | None = None,
) -> dict[str, Any]:
    """The DESIGN.md ``review list --json`` shape, plus due time, aging and masked fields.

    ``age_hours`` is wall-clock; ``age_business_hours`` (with the client's config) counts only
    the client's working hours, the clock the SLA runs on.
    """
    now = now or dt.datetime.now(dt.UTC)
    return {
        "id": item.id,
        "client_id": item.client_id,
        "doc_type": item.doc_type,
        "file": file_name,
        "record_key": item.record_key,
        "status": item.status,
        "reasons": [
            {"code": r.get("code"), "field": r.get("field"), "message": r.get("message")}
            for r in item.reasons
        ],
        "priority": item.priority,
        "created_at": item.created_at.isoformat(),
        "due_at": item.due_at.isoformat() if item.due_at else None,
        "age_hours": round((now - item.created_at).total_seconds() / 3600, 1),
        "age_business_hours": (
            str(business_age_hours(item.created_at, client, now)) if client is not None else None
        ),
        "due_local": local_time(item.due_at, client),
        "overdue": bool(item.due_at and item.due_at < now and item.status in ReviewStatus.ACTIVE),
        "claimed_by": item.claimed_by,
        "lease_until": item.lease_until.isoformat() if item.lease_until else None,
        "escalated": item.escalated,
        "fields": mask_fields(item.doc_type, item.fields),
        **_learned(item.raw),
    }


def _learned(raw: str | None) -> dict[str, Any]:
    """``{"learned_from": {field: "review item N"}}`` when values were read where an earlier
    correction said they stand (the supplier memory), so the reviewer knows whose teaching
    to doubt; nothing otherwise."""
    if not raw or "learned_from" not in raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    learned = value.get("learned_from") if isinstance(value, dict) else None
    return {"learned_from": learned} if isinstance(learned, dict) and learned else {}


def local_time(at: dt.datetime | None, client: ClientConfig | None) -> str | None:
    """``at`` on the client's clock (the review time zone, else the client's), e.g.
    ``2026-12-04 10:00 EST``; None without a time or a client."""
    if at is None or client is None:
        return None
    local = at.astimezone(ZoneInfo(client_zone(client)))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def list_items(
    session: Session,
    *,
    client_id: str | None = None,
    status: str | None = None,
    limit: int = 500,
    clients: Mapping[str, ClientConfig] | None = None,
    client_ids: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Active items (or those in ``status``) by priority, then due time (none last), then id;
    ``client_ids`` limits them to those clients (a person's assignment)."""
    stmt = select(ReviewItem, File.name).join(File, File.id == ReviewItem.file_id)
    if client_id:
        stmt = stmt.where(ReviewItem.client_id == client_id)
    if client_ids is not None:
        stmt = stmt.where(ReviewItem.client_id.in_(sorted(client_ids)))
    if status:
        stmt = stmt.where(ReviewItem.status == status)
    else:
        stmt = stmt.where(ReviewItem.status.in_(ReviewStatus.ACTIVE))
    stmt = stmt.order_by(
        ReviewItem.priority,
        case((ReviewItem.due_at.is_(None), 1), else_=0),
        ReviewItem.due_at,
        ReviewItem.id,
    ).limit(limit)
    now = dt.datetime.now(dt.UTC)
    known = clients or {}
    return [
        item_view(item, name, now=now, client=known.get(item.client_id))
        for item, name in session.execute(stmt)
    ]


def get_item(
    session: Session,
    item_id: int,
    client_id: str | None = None,
    clients: Mapping[str, ClientConfig] | None = None,
) -> dict[str, Any] | None:
    stmt = (
        select(ReviewItem, File.name)
        .join(File, File.id == ReviewItem.file_id)
        .where(ReviewItem.id == item_id)
    )
    if client_id:
        stmt = stmt.where(ReviewItem.client_id == client_id)
    row = session.execute(stmt).first()
    if row is None:
        return None
    item, name = row
    view = item_view(item, name, client=(clients or {}).get(item.client_id))
    view["record_index"] = item.record_index
    view["file_id"] = item.file_id
    view["resolution"] = item.resolution
    view["resolved_by"] = item.resolved_by
    view["outputs"] = item.outputs or []
    view["escalation_reason"] = item.escalation_reason
    view["lease_local"] = local_time(item.lease_until, (clients or {}).get(item.client_id))
    return view


def record_usage(session: Session, *, file_id: int, record_index: int) -> list[dict[str, Any]]:
    """The ledger entries of one record (what its completion billed)."""
    rows = session.scalars(
        select(UsageEntry)
        .where(UsageEntry.file_id == file_id, UsageEntry.record_index == record_index)
        .order_by(UsageEntry.id)
    )
    return [
        {
            "transaction_id": u.transaction_id,
            "entry_type": u.entry_type,
            "unit": u.unit,
            "quantity": u.quantity,
            "amount": str(u.amount),
            "currency": u.currency,
        }
        for u in rows
    ]


def queue_counts(session: Session, *, clients: Sequence[str]) -> dict[str, int]:
    """Active items per client (only the clients named)."""
    rows = session.execute(
        select(ReviewItem.client_id, func.count())
        .where(ReviewItem.status.in_(ReviewStatus.ACTIVE), ReviewItem.client_id.in_(clients))
        .group_by(ReviewItem.client_id)
    ).all()
    counts = dict.fromkeys(clients, 0)
    counts.update({cid: int(n) for cid, n in rows})
    return counts
