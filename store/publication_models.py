"""The publication ledger: every output and receipt in a client's outbox, and who backs it.

An output is written to a staging folder first; its row is added in the same transaction as
the records or decision it reflects (status ``staged``), and it is moved into the client's
outbox only after that commit (status ``published``). So the outbox never shows what the store
does not back, a crash in between leaves a ``staged`` row the next run publishes, and
``bpo reconcile`` compares the outbox with these rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, utcnow
from store.types import UTCDateTime


class PublicationStatus:
    STAGED = "staged"
    PUBLISHED = "published"


class PublicationOwner:
    """What backs an output: a finished file, a review decision, a duplicate's answer, or a
    file the landing zone refused before it could be registered."""

    FILE = "file"
    REVIEW = "review"
    DUPLICATE = "duplicate"
    REFUSAL = "refusal"


class Publication(Base):
    """One file in ``<outbox>/<client_id>/``: its name there, its staging token, its owner."""

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("client_id", "name", name="uq_publication_name"),
        Index("ix_publication_status", "status", "client_id"),
        Index("ix_publication_file", "file_id"),
        Index("ix_publication_review", "review_item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    #: The path relative to the client's outbox folder (``payroll/jan.1a2b3c4d5e6f.ach``).
    name: Mapped[str] = mapped_column(String(1024))
    #: The staging folder it waits in until published (``file-12``, ``review-7``).
    token: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(16))
    #: ``output`` or ``receipt``: receipts are published after the outputs they name.
    kind: Mapped[str] = mapped_column(String(16), default="output")
    file_id: Mapped[int | None] = mapped_column(Integer, default=None)
    review_item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default=PublicationStatus.STAGED)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
