"""What a reviewer's decision does, as plain functions: the CLI, the web page and the Prefect
form all call these, so every path applies the same rules, audit and metering.

``resolve_item`` (approve | correct | reject):

1. check nobody else holds the item;
2. approve/correct: apply the corrections and re-validate with the doc type's rules; refuse
   with the remaining reasons if any rule fails (audited, nothing else changes: the lease is
   neither taken nor renewed, so a refused decision never keeps an item from others; a
   correction naming a field the record does not have also gives back the claim the reviewer
   held, since the decision they typed cannot be the one they meant); then claim the item
   for the reviewer (or renew the lease they hold) and commit;
3. stage the supplemental outputs (``<file>.<sha>.review-<item>.ach`` for payroll) and the
   follow-up receipt (``receipts/<file>.<sha>.review-<item>.json``) out of the client's sight;
4. one transaction: close the item on the version claimed (a lost lease or a concurrent change
   refuses), move the record to completed/rejected, write the audit rows, record the staged
   outputs in the publication ledger, add a payment to the client's payment history
   (payroll) and meter the record under its original transaction id
   (``<doc_type>:<sha256[:16]>:<record_index>``) plus a ``manual_review`` unit when the
   client's rates price it. The ledger's natural key makes a repeat a no-op, so a completion
   is billed exactly once; a rejection bills nothing;
5. publish the staged files into the client's outbox, receipt last.

A decision killed between 3 and 4 leaves its outputs in staging only: a later decision on the
item (a rejection, say) discards them, so the client never sees a NACHA entry for a record
that was then rejected. Killed between 4 and 5, the next ingest poll publishes them.

A payroll record completed through review is checked against the payments made since it was
flagged: when another file has meanwhile paid the same employee for the same pay date or
period, the decision is refused with ``PAY-DUPLICATE-PAYMENT`` (the reason is added to the
item), and only an explicit approval of an item that names that reason pays a second time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, NoReturn, Protocol

import polars as pl
from sqlalchemy import Engine, update

from billing.meter import meter
from landing.outbox import FsOutbox
from landing.publication import StagingOutbox, publish_pending, record, review_token
from landing.receipt import stage_review_receipt
from review.corrections import (
    CORRECTION_CODES,
    Applied,
    Correction,
    completed_frame,
    revalidate,
)
from review.lease import DEFAULT_LEASE
from review.queue import (
    ReviewRefusedError,
    check_can_take,
    claim_item,
    close_item,
    get_for_client,
    release,
)
from schemas.batch import RECORD_INDEX, ValidatedBatch
from schemas.doc_type import BillableUnit, DocType, RecordState
from schemas.issue import Issue
from schemas.receipt import ReviewReceipt
from store.audit import append, append_changes
from store.db import transaction
from store.models import File, ReviewItem, ReviewStatus
from store.payments import earlier_payments, record_payments
from store.publication_models import PublicationOwner
from tasks.doctype import ClientContext, DocHandler, OutputContext
from tasks.invoices.validate import LOW_CONFIDENCE
from tasks.payment_history import CODE as DUPLICATE_PAYMENT
from tasks.payment_history import check_payments
from tasks.registry import handler_for

_log = logging.getLogger(__name__)


class Workspace(Protocol):
    """What a decision needs from the process (``app.root.App`` is one)."""

    @property
    def engine(self) -> Engine: ...

    def client_context(self, client_id: str) -> ClientContext: ...

    def outbox(self, client_id: str) -> FsOutbox: ...

    @property
    def state_dir(self) -> Path: ...


class ReviewAction(StrEnum):
    APPROVE = "approve"
    CORRECT = "correct"
    REJECT = "reject"


class CorrectionRefusedError(ReviewRefusedError):
    """The corrected (or approved) record still fails rules; ``issues`` says which."""

    def __init__(self, item_id: int, issues: Sequence[Issue], *, released: bool = False) -> None:
        self.issues = list(issues)
        self.released = released
        text = "; ".join(f"{i.code} {i.field}: {i.message}".strip() for i in self.issues)
        if all(i.code in CORRECTION_CODES for i in self.issues):
            after = "; the claim was released" if released else ""
            super().__init__(f"item {item_id}: correction refused: {text}{after}")
        else:
            super().__init__(f"item {item_id} still fails: {text}")


@dataclass(frozen=True)
class ReviewOutcome:
    item_id: int
    client_id: str
    action: str
    status: str
    record_state: str
    billed: int = 0
    outputs: list[str] = field(default_factory=list)
    #: The record decided on: its key, its document type and the file it came in.
    record_key: str = ""
    doc_type: str = ""
    file: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "client_id": self.client_id,
            "action": self.action,
            "status": self.status,
            "record_state": self.record_state,
            "billed": self.billed,
            "outputs": self.outputs,
            "record_key": self.record_key,
            "doc_type": self.doc_type,
            "file": self.file,
        }


def _check_args(
    action: ReviewAction, corrections: Sequence[Correction], reason: str | None
) -> None:
    if action is ReviewAction.CORRECT and not corrections:
        raise ReviewRefusedError("correct needs at least one FIELD=VALUE correction")
    if action is not ReviewAction.CORRECT and corrections:
        raise ReviewRefusedError(f"{action.value} takes no corrections (use correct)")
    if action is not ReviewAction.CORRECT and not (reason and reason.strip()):
        raise ReviewRefusedError(f"{action.value} needs a reason")


def resolve_item(
    ws: Workspace,
    *,
    item_id: int,
    reviewer: str,
    action: ReviewAction | str,
    corrections: Sequence[Correction] = (),
    reason: str | None = None,
    client_id: str | None = None,
    flow_run_id: str | None = None,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> ReviewOutcome:
    """Apply a reviewer's decision end to end (see the module docstring); raises
    ``ReviewRefusedError`` (or ``CorrectionRefusedError``) when it is not allowed."""
    action = ReviewAction(action)
    if not reviewer.strip():
        raise ReviewRefusedError("a reviewer name is required")
    _check_args(action, corrections, reason)
    now = dt.datetime.now(dt.UTC)
    with transaction(ws.engine) as session:
        item = get_for_client(session, item_id=item_id, client_id=client_id)
        check_can_take(item, reviewer=reviewer, now=now)
        file = session.get(File, item.file_id)
    assert file is not None  # the foreign key guarantees it
    staging = StagingOutbox(ws.outbox(item.client_id), review_token(item.id))
    staging.discard()  # what an interrupted decision on this item left behind
    if action is ReviewAction.REJECT:
        return _reject(ws, _claim(ws, item, reviewer, lease), file, staging, reviewer, reason or "")
    handler = handler_for(item.doc_type)
    ctx = ws.client_context(item.client_id)
    applied = revalidate(handler, ctx, item.fields, corrections)
    if not applied.ok:
        # Refused before the lease is taken: an open item stays open for someone else.
        _refuse(ws, item, reviewer, applied.issues, now)
    frame, can_write = completed_frame(
        item.doc_type,
        applied.fields,
        ctx,
        record_index=item.record_index,
        record_key=item.record_key,
    )
    payments = handler.payments(frame)
    if payments is not None:
        paid = _paid_elsewhere(ws, ctx, file, frame, payments)
        named = {r.get("code") for r in item.reasons or []}
        if paid and not (action is ReviewAction.APPROVE and DUPLICATE_PAYMENT in named):
            _refuse(ws, item, reviewer, paid, now, note=True)
    item = _claim(ws, item, reviewer, lease)
    if can_write:
        _stage_outputs(handler, ctx, item, file, frame, staging)
    done_at = dt.datetime.now(dt.UTC)
    resolution = reason or f"corrected {', '.join(c.field for c in corrections)}"
    _stage_receipt(staging, item, file, "resolved", resolution, done_at)
    decision = _Decision(
        action, reviewer, resolution, reason, applied, staging.names(), flow_run_id, done_at
    )
    billed = _complete(
        ws, item, file, ctx, decision, _units(handler, frame, item), staging, payments
    )
    published = publish_pending(ws.engine, ws.outbox, review_item_id=item.id)
    if item.doc_type == DocType.INVOICES.value:
        _learn(ws, item, file, ctx, reviewer, applied)
    return ReviewOutcome(
        item.id,
        item.client_id,
        action.value,
        ReviewStatus.RESOLVED,
        RecordState.COMPLETED.value,
        billed,
        published.published,
        item.record_key,
        item.doc_type,
        file.name,
    )


def _learn(
    ws: Workspace,
    item: ReviewItem,
    file: File,
    ctx: ClientContext,
    reviewer: str,
    applied: Applied,
) -> None:
    """Teach the client's supplier memory where the values the reviewer corrected, or
    confirmed after they were read with too little confidence, stood. After the commit and
    best effort: the decision stands whatever happens here."""
    from review.learning import learn_from_correction

    corrected = [path for path, _, _ in applied.changes]
    confirmed = [
        str(r["field"])
        for r in item.reasons or []
        if r.get("code") == LOW_CONFIDENCE and r.get("field") and r["field"] not in corrected
    ]
    if not corrected and not confirmed:
        return
    try:
        learn_from_correction(
            ws.engine,
            ws.state_dir,
            client_id=item.client_id,
            sha256=file.sha256,
            item_id=item.id,
            reviewer=reviewer,
            fields=applied.fields,
            corrected=[*corrected, *confirmed],
            max_pages=ctx.client.invoices.max_pdf_pages,
        )
    except Exception:  # learning must never undo or fail a decision already made
        _log.exception("could not learn from review item %d", item.id)


def _claim(ws: Workspace, item: ReviewItem, reviewer: str, lease: dt.timedelta) -> ReviewItem:
    """Take the item (or renew the reviewer's lease on it) for the decision, and commit."""
    with transaction(ws.engine) as session:
        return claim_item(
            session,
            item_id=item.id,
            reviewer=reviewer,
            now=dt.datetime.now(dt.UTC),
            client_id=item.client_id,
            lease=lease,
        )


@dataclass(frozen=True)
class _Decision:
    action: ReviewAction
    reviewer: str
    resolution: str
    reason: str | None
    applied: Applied
    outputs: list[str]
    flow_run_id: str | None
    at: dt.datetime


def _paid_elsewhere(
    ws: Workspace, ctx: ClientContext, file: File, frame: pl.DataFrame, payments: pl.DataFrame
) -> list[Issue]:
    """``PAY-DUPLICATE-PAYMENT`` when another file of the client already paid this record's
    payment (see the module docstring)."""
    with transaction(ws.engine) as session:
        checked = check_payments(
            ValidatedBatch(records=frame),
            payments,
            lookback_days=ctx.client.payroll.duplicate_lookback_days,
            now=dt.datetime.now(dt.UTC),
            read_paid=lambda window: earlier_payments(
                session, client_id=file.client_id, file_id=file.id, **asdict(window)
            ),
        )
    return [
        Issue(code=r["code"], field=r["field"], message=r["message"])
        for r in checked.issues.iter_rows(named=True)
    ]


def _refuse(
    ws: Workspace,
    item: ReviewItem,
    reviewer: str,
    issues: Sequence[Issue],
    now: dt.datetime,
    *,
    note: bool = False,
) -> NoReturn:
    """Audit the refusal, then refuse with the reasons that remain; ``note`` also adds them
    to the item's reasons, so the queue shows them and an approval can name them. A malformed
    correction (an unknown field, a masked value) releases the reviewer's claim on the item."""
    released = False
    with transaction(ws.engine) as session:
        if note:
            known = list(item.reasons or [])
            fresh = [
                {"code": i.code, "field": i.field, "message": i.message}
                for i in issues
                if i.code not in {r.get("code") for r in known}
            ]
            session.execute(
                update(ReviewItem)
                .where(ReviewItem.id == item.id)
                .values(reasons=known + fresh)
                .execution_options(synchronize_session=False)
            )
        append(
            session,
            actor=reviewer,
            action="refused",
            client_id=item.client_id,
            at=now,
            item=item,
            reason="; ".join(f"{i.code}: {i.message}" for i in issues),
        )
        malformed = any(i.code in CORRECTION_CODES for i in issues)
        if malformed and item.status == ReviewStatus.CLAIMED and item.claimed_by == reviewer:
            release(
                session,
                item_id=item.id,
                reviewer=reviewer,
                now=now,
                client_id=item.client_id,
                reason="correction refused: "
                + ", ".join(sorted({i.code for i in issues if i.code in CORRECTION_CODES})),
            )
            released = True
    raise CorrectionRefusedError(item.id, issues, released=released)


def _stage_outputs(
    handler: DocHandler,
    ctx: ClientContext,
    item: ReviewItem,
    file: File,
    frame: pl.DataFrame,
    staging: StagingOutbox,
) -> list[str]:
    """The record's supplemental outputs (``<file>.<sha>.review-<item>.*``), staged."""
    out = OutputContext(
        ctx=ctx,
        outbox=staging,
        file_id=file.id,
        source_name=file.name,
        source_sha256=file.sha256,
        run_label=f"review-{item.id}",
        received_at=file.received_at,
    )
    return handler.write_outputs(ValidatedBatch(records=frame), out)


def _stage_receipt(
    staging: StagingOutbox,
    item: ReviewItem,
    file: File,
    decision: Literal["resolved", "rejected"],
    reason: str,
    at: dt.datetime,
) -> None:
    """The follow-up receipt: which record, what was decided, and its outputs."""
    receipt = ReviewReceipt(
        client_id=item.client_id,
        name=file.name,
        sha256=file.sha256,
        doc_type=DocType(item.doc_type),
        record_key=item.record_key,
        decision=decision,
        codes=tuple(dict.fromkeys(str(r.get("code")) for r in item.reasons if r.get("code"))),
        reason=reason,
        outputs=tuple(staging.names()),
        processed_at=at,
    )
    stage_review_receipt(staging, receipt, item.id)


def _units(handler: DocHandler, frame: pl.DataFrame, item: ReviewItem) -> pl.DataFrame:
    """The record's billable units plus one ``manual_review`` unit."""
    units = handler.billable_units(frame)
    review = pl.DataFrame(
        {
            RECORD_INDEX: [item.record_index],
            "unit": [BillableUnit.MANUAL_REVIEW.value],
            "quantity": [1],
        }
    ).cast(units.schema)
    return pl.concat([units, review])


def _complete(
    ws: Workspace,
    item: ReviewItem,
    file: File,
    ctx: ClientContext,
    decision: _Decision,
    units: pl.DataFrame,
    staging: StagingOutbox,
    payments: pl.DataFrame | None = None,
) -> int:
    """One transaction: close the item on the version claimed, audit, record the staged
    outputs and the payment, meter; returns the usage entries written."""
    done_at = decision.at
    with transaction(ws.engine) as session:
        closed = close_item(
            session,
            item=item,
            reviewer=decision.reviewer,
            outcome=ReviewStatus.RESOLVED,
            resolution=decision.resolution,
            now=done_at,
            fields=decision.applied.fields,
            outputs=decision.outputs,
        )
        append_changes(
            session,
            actor=decision.reviewer,
            item=closed,
            changes=decision.applied.changes,
            reason=decision.reason,
            at=done_at,
        )
        append(
            session,
            actor=decision.reviewer,
            action=decision.action.value,
            client_id=item.client_id,
            at=done_at,
            item=closed,
            reason=decision.resolution,
        )
        record(
            session,
            staging,
            owner=PublicationOwner.REVIEW,
            file_id=file.id,
            review_item_id=item.id,
        )
        if payments is not None:
            record_payments(session, file=file, payments=payments, source=f"review-{item.id}")
        billed = meter(
            session,
            client=ctx.client,
            file=file,
            units=units,
            completed_at=done_at,
            flow_run_id=decision.flow_run_id,
        )
    return billed.inserted


def _reject(
    ws: Workspace,
    item: ReviewItem,
    file: File,
    staging: StagingOutbox,
    reviewer: str,
    reason: str,
) -> ReviewOutcome:
    """Close the item rejected, with a follow-up receipt telling the client (a payee who will
    not be paid, a claim that will not go out)."""
    at = dt.datetime.now(dt.UTC)
    _stage_receipt(staging, item, file, "rejected", reason, at)
    with transaction(ws.engine) as session:
        closed = close_item(
            session,
            item=item,
            reviewer=reviewer,
            outcome=ReviewStatus.REJECTED,
            resolution=reason,
            now=at,
        )
        append(
            session,
            actor=reviewer,
            action="reject",
            client_id=item.client_id,
            at=at,
            item=closed,
            reason=reason,
        )
        record(
            session,
            staging,
            owner=PublicationOwner.REVIEW,
            file_id=file.id,
            review_item_id=item.id,
        )
    published = publish_pending(ws.engine, ws.outbox, review_item_id=item.id)
    return ReviewOutcome(
        item.id,
        item.client_id,
        "reject",
        ReviewStatus.REJECTED,
        RecordState.REJECTED.value,
        outputs=published.published,
        record_key=item.record_key,
        doc_type=item.doc_type,
        file=file.name,
    )
