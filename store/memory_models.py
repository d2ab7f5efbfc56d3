"""The client's supplier memory: one row per client, supplier, layout and field.

See :mod:`schemas.invoice_memory` for what a row means and :mod:`store.invoice_memory` for
reading and writing it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, utcnow
from store.types import UTCDateTime


class InvoiceMemoryEntry(Base):
    """Where a corrected value stood on a supplier's invoice (boxes as fractions of the page).

    ``layout_key`` is the sha256 of ``layout`` (the template's fixed words), so the natural key
    fits an index; writing the same client, supplier, layout and field again replaces the row
    (a later correction overrides an earlier one).
    """

    __tablename__ = "invoice_memory"
    __table_args__ = (
        UniqueConstraint(
            "client_id",
            "supplier_kind",
            "supplier_key",
            "layout_key",
            "field",
            name="uq_invoice_memory_field",
        ),
        Index("ix_invoice_memory_client", "client_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    supplier_kind: Mapped[str] = mapped_column(String(8))
    supplier_key: Mapped[str] = mapped_column(String(200))
    layout_key: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(64))
    page: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(String(200), default=None)
    label_box: Mapped[list[float] | None] = mapped_column(JSON, default=None)
    value_box: Mapped[list[float]] = mapped_column(JSON)
    same_cell: Mapped[bool] = mapped_column(Boolean, default=False)
    example: Mapped[str] = mapped_column(String(200), default="")
    source_item: Mapped[int | None] = mapped_column(Integer, default=None)
    learned_by: Mapped[str] = mapped_column(String(100), default="")
    learned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
