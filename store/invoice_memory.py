"""Reading and writing the client's supplier memory (``invoice_memory``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from schemas.invoice_memory import LearnedPosition
from store.memory_models import InvoiceMemoryEntry


def layout_key(layout: str) -> str:
    return hashlib.sha256(layout.encode()).hexdigest()


def _model(row: InvoiceMemoryEntry) -> LearnedPosition:
    return LearnedPosition(
        id=row.id,
        client_id=row.client_id,
        supplier_kind=row.supplier_kind,
        supplier_key=row.supplier_key,
        layout=row.layout,
        field=row.field,
        page=row.page,
        label=row.label,
        label_box=tuple(row.label_box) if row.label_box else None,
        value_box=tuple(row.value_box),
        same_cell=row.same_cell,
        example=row.example,
        source_item=row.source_item,
        learned_by=row.learned_by,
        learned_at=row.learned_at,
    )


def remembered(
    session: Session, *, client_id: str, supplier: str | None = None
) -> list[LearnedPosition]:
    """The client's memory (of one supplier key, when given), oldest first."""
    stmt = select(InvoiceMemoryEntry).where(InvoiceMemoryEntry.client_id == client_id)
    if supplier is not None:
        stmt = stmt.where(InvoiceMemoryEntry.supplier_key == supplier)
    stmt = stmt.order_by(InvoiceMemoryEntry.learned_at, InvoiceMemoryEntry.id)
    return [_model(r) for r in session.scalars(stmt)]


def remember(session: Session, positions: Sequence[LearnedPosition]) -> int:
    """Store ``positions``; the same client, supplier, layout and field replaces what was
    there (the later correction wins). Returns the rows written."""
    for p in positions:
        key = layout_key(p.layout)
        row = session.scalars(
            select(InvoiceMemoryEntry).where(
                InvoiceMemoryEntry.client_id == p.client_id,
                InvoiceMemoryEntry.supplier_kind == p.supplier_kind,
                InvoiceMemoryEntry.supplier_key == p.supplier_key,
                InvoiceMemoryEntry.layout_key == key,
                InvoiceMemoryEntry.field == p.field,
            )
        ).one_or_none()
        if row is None:
            row = InvoiceMemoryEntry(
                client_id=p.client_id,
                supplier_kind=p.supplier_kind,
                supplier_key=p.supplier_key,
                layout_key=key,
                layout=p.layout,
                field=p.field,
            )
            session.add(row)
        row.page = p.page
        row.label = p.label
        row.label_box = list(p.label_box) if p.label_box else None
        row.value_box = list(p.value_box)
        row.same_cell = p.same_cell
        row.example = p.example
        row.source_item = p.source_item
        row.learned_by = p.learned_by
        if p.learned_at is not None:
            row.learned_at = p.learned_at
    session.flush()
    return len(positions)


def forget(
    session: Session,
    *,
    client_id: str,
    entry_id: int | None = None,
    supplier: str | None = None,
) -> int:
    """Remove one entry (``entry_id``), a supplier's entries, or all of the client's; only
    ever under ``client_id``. Returns the rows removed."""
    stmt = delete(InvoiceMemoryEntry).where(InvoiceMemoryEntry.client_id == client_id)
    if entry_id is not None:
        stmt = stmt.where(InvoiceMemoryEntry.id == entry_id)
    if supplier is not None:
        stmt = stmt.where(InvoiceMemoryEntry.supplier_key == supplier)
    result = session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)
