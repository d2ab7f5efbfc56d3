"""The tables: clients, files, records, review items, payroll payments, the usage ledger and
the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from schemas.outcome import PROCESSING
from store.types import MoneyType, UTCDateTime


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FileStage:
    """How far a file got; a re-run resumes after the last stage that committed."""

    REGISTERED = 0
    RECORDED = 1
    METERED = 2
    DONE = 3


class File(Base):
    """A file registered once per client by the sha256 of its bytes (idempotent ingest)."""

    __tablename__ = "files"
    __table_args__ = (UniqueConstraint("client_id", "sha256", name="uq_files_client_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    #: ``processing`` until the run finishes, then a ``schemas.outcome.FileOutcome`` value.
    status: Mapped[str] = mapped_column(String(16), default=PROCESSING)
    stage: Mapped[int] = mapped_column(Integer, default=FileStage.REGISTERED)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    record_count: Mapped[int | None] = mapped_column(Integer, default=None)
    outputs: Mapped[list[str]] = mapped_column(JSON, default=list)
    flow_run_id: Mapped[str | None] = mapped_column(String(64), default=None)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class Record(Base):
    """One record of one file and its single state (completed | in_review | rejected).

    Written in bulk from the validated frame; the record's fields live in the file's outputs
    (completed) or in its review item (flagged), not here.
    """

    __tablename__ = "records"
    __table_args__ = (
        # Partial: only invoices and claims carry a dedupe key; payroll rows skip the index.
        Index(
            "ix_records_dedupe",
            "client_id",
            "doc_type",
            "dedupe_key",
            sqlite_where=text("dedupe_key IS NOT NULL"),
            postgresql_where=text("dedupe_key IS NOT NULL"),
        ),
    )

    #: A file's id; checked once per write, not by a foreign key (see ``PARENT_CHECKS``).
    file_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    doc_type: Mapped[str] = mapped_column(String(16))
    record_key: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    dedupe_key: Mapped[str | None] = mapped_column(String(255), default=None)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class RecordKeySet(Base):
    """A file's record keys (``record_index``, ``record_key``) as one Parquet blob, written
    with its records: billing exports read a million keys from one row, not a million rows."""

    __tablename__ = "record_key_sets"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
    keys: Mapped[bytes] = mapped_column(LargeBinary)


class PayrollPayments(Base):
    """The payments one file completed for one pay date and pay period: the history a new
    batch is checked against for duplicate payments (``PAY-DUPLICATE-PAYMENT``).

    Written in the transaction that completes the records (``source`` ``batch`` when the run
    routes them, ``review-<item id>`` when a reviewer completes one), keyed so a retry adds
    nothing. A million payments of one batch are one row: the employees paid, and their
    record indexes in the same order, are JSON arrays (``employee_ids``, ``record_indexes``),
    so writing and reading the history costs a few milliseconds per batch instead of a
    million index entries. The lookup is indexed by client and dates; the employees are
    matched in memory (:mod:`tasks.payment_history`).
    """

    __tablename__ = "payroll_payments"
    __table_args__ = (
        UniqueConstraint(
            "file_id",
            "source",
            "pay_date",
            "period_start",
            "period_end",
            name="uq_payroll_payments_set",
        ),
        Index("ix_payroll_payments_period", "client_id", "period_end"),
        Index("ix_payroll_payments_pay_date", "client_id", "pay_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"))
    source: Mapped[str] = mapped_column(String(32))
    pay_date: Mapped[dt.date] = mapped_column(Date)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    #: When the file was received (the message names it; the look-back counts from it).
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    payments: Mapped[int] = mapped_column(Integer)
    employee_ids: Mapped[str] = mapped_column(Text)
    record_indexes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewStatus:
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    ESCALATED = "escalated"

    ACTIVE = (OPEN, CLAIMED, ESCALATED)


class ReviewItem(Base):
    """A flagged record waiting for a person, with its reasons and raw values.

    ``version`` grows on every state change: writers update ``WHERE version = :seen`` so two
    people acting on the same item cannot both win. Columns added after the first release
    carry server defaults because routing bulk-inserts items without naming them.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("file_id", "record_index", name="uq_review_record"),
        Index("ix_review_queue", "status", "priority", "due_at"),
        Index("ix_review_client", "client_id", "status"),
        Index("ix_review_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    doc_type: Mapped[str] = mapped_column(String(16))
    #: A file's id; checked once per write, not by a foreign key (see ``PARENT_CHECKS``).
    file_id: Mapped[int] = mapped_column(Integer)
    record_index: Mapped[int] = mapped_column(Integer)
    record_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    raw: Mapped[str | None] = mapped_column(Text, default=None)
    priority: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(100), default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    resolution: Mapped[str | None] = mapped_column(Text, default=None)
    sla_breach_notified: Mapped[bool] = mapped_column(default=False)
    #: Optimistic-concurrency counter, bumped by every transition.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    #: Set once escalated; a released escalated item goes back to the escalated queue.
    escalated: Mapped[bool] = mapped_column(default=False, server_default=false())
    escalation_reason: Mapped[str | None] = mapped_column(Text, default=None)
    #: True once ``due_at`` was computed in the client's business hours (see review.due).
    sla_scheduled: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Supplemental outputs written when the item was resolved.
    outputs: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    #: Where each field was read in the source document, when the doc type says:
    #: ``{"<field path>": {"page": 0-based, "bbox": [x0, top, x1, bottom] in PDF points from
    #: the page's top left, "label": text or null, "confidence": 0..1}}`` (JSON text).
    sources: Mapped[str | None] = mapped_column(Text, default=None)


class EntryType:
    USAGE = "usage"
    REVERSAL = "reversal"


class UsageBatch(Base):
    """What one meter call (or one reversal) wrote, said once for all its entries.

    Every fact an entry shares with the others metered in the same call (client, period,
    unit, quantity, price, completion time, source file, flow run) lives here, so a
    million-entry payroll batch writes one batch row and a million narrow entry rows.
    """

    __tablename__ = "usage_batches"
    __table_args__ = (Index("ix_usage_batch_period", "client_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64))
    entry_type: Mapped[str] = mapped_column(String(16), default=EntryType.USAGE)
    doc_type: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(MoneyType)
    amount: Mapped[Decimal] = mapped_column(MoneyType)
    currency: Mapped[str] = mapped_column(String(3))
    period: Mapped[str] = mapped_column(String(7))
    completed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    file_id: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str] = mapped_column(String(255))
    source_sha256: Mapped[str] = mapped_column(String(64))
    #: ``<doc_type>:<sha256[:16]>:``; an entry's transaction id is this plus its record index.
    transaction_prefix: Mapped[str] = mapped_column(String(96))
    flow_run_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class UsageEntry(Base):
    """Append-only usage ledger: one row per billable unit of one record (or its reversal).

    The natural key ``(file_id, record_index, unit, entry_type)`` makes metering idempotent: a
    record's unit is metered once and reversed at most once, whatever retries, re-drops,
    crashes or re-runs happen. The facts the entry shares with its meter call are on its
    ``batch``; the properties below read them.
    """

    __tablename__ = "usage_ledger"
    __table_args__ = (
        UniqueConstraint(
            "file_id", "record_index", "unit", "entry_type", name="uq_usage_entry_natural_key"
        ),
        Index("ix_usage_entry_batch", "batch_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: A meter batch's id; checked once per write, not by a foreign key (see ``PARENT_CHECKS``).
    batch_id: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int] = mapped_column(Integer)
    record_index: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(32))
    entry_type: Mapped[str] = mapped_column(String(16), default=EntryType.USAGE)
    reverses_id: Mapped[int | None] = mapped_column(Integer, default=None)
    batch: Mapped[UsageBatch] = relationship(
        lazy="joined", innerjoin=True, primaryjoin="foreign(UsageEntry.batch_id) == UsageBatch.id"
    )

    @property
    def transaction_id(self) -> str:
        return f"{self.batch.transaction_prefix}{self.record_index}"

    @property
    def client_id(self) -> str:
        return self.batch.client_id

    @property
    def doc_type(self) -> str:
        return self.batch.doc_type

    @property
    def quantity(self) -> int:
        return self.batch.quantity

    @property
    def unit_price(self) -> Decimal:
        return self.batch.unit_price

    @property
    def amount(self) -> Decimal:
        return self.batch.amount

    @property
    def currency(self) -> str:
        return self.batch.currency

    @property
    def period(self) -> str:
        return self.batch.period

    @property
    def completed_at(self) -> dt.datetime:
        return self.batch.completed_at

    @property
    def source_file(self) -> str:
        return self.batch.source_file

    @property
    def source_sha256(self) -> str:
        return self.batch.source_sha256

    @property
    def flow_run_id(self) -> str | None:
        return self.batch.flow_run_id


#: Tables written in bulk whose parent is checked once per write, not by a foreign key
#: (migration 0014): table -> (column, parent table whose ``id`` it names). A foreign key
#: looked the parent up for each of a million rows; ``store.bulk.insert_ignore`` does it once.
PARENT_CHECKS: dict[str, tuple[str, str]] = {
    "records": ("file_id", "files"),
    "review_items": ("file_id", "files"),
    "usage_ledger": ("batch_id", "usage_batches"),
}


class AuditEntry(Base):
    """Append-only trail of what people did: who, when, which field, before, after, why.

    Rows are never updated or deleted (an ORM guard in ``store.audit`` and database triggers
    from migration 0002 refuse it). PII values are stored masked.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_item", "review_item_id"),
        Index("ix_audit_client_at", "client_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[str] = mapped_column(String(64))
    review_item_id: Mapped[int | None] = mapped_column(Integer, default=None)
    field: Mapped[str | None] = mapped_column(String(255), default=None)
    before: Mapped[str | None] = mapped_column(Text, default=None)
    after: Mapped[str | None] = mapped_column(Text, default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    doc_type: Mapped[str | None] = mapped_column(String(16), default=None)
    file_id: Mapped[int | None] = mapped_column(Integer, default=None)
    record_index: Mapped[int | None] = mapped_column(Integer, default=None)
    record_key: Mapped[str | None] = mapped_column(String(255), default=None)
