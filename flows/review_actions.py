"""What a reviewer's decision does, as plain functions: the CLI, the web page and the Prefect
form all call these, so every path applies the same rules, audit and metering.

``resolve_item`` (approve | correct | reject):

1. claim the item for the reviewer (or renew the lease they hold) and commit;
2. approve/correct: apply the corrections and re-validate with the doc type's rules; refuse
   with the remaining reasons if any rule fails (audited, nothing else changes);
3. write the supplemental outputs (``<file>.<sha>.review-<item>.ach`` for payroll): same
   decision, same bytes, so a retry changes nothing;
4. one transaction: close the item on the version claimed (a lost lease or a concurrent change
   refuses), move the record to completed/rejected, write the audit rows and meter the record
   under its original transaction id (``<doc_type>:<sha256[:16]>:<record_index>``) plus a
   ``manual_review`` unit when the client's rates price it. The ledger's natural key makes a
   repeat a no-op, so a completion is billed exactly once; a rejection bills nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import polars as pl

from billing.meter import meter
from flows.runtime import Runtime
from schemas.batch import RECORD_INDEX, ValidatedBatch
from schemas.doc_type import BillableUnit, RecordState
from schemas.issue import Issue
from store.audit import append, append_changes
from store.db import transaction
from store.models import File, ReviewItem, ReviewStatus
from store.qa import sample_completed
from store.review_queue import (
    DEFAULT_LEASE,
    ReviewRefusedError,
    claim_item,
    close_item,
    expire_leases,
)
from store.review_sla import breached_items, mark_breach_notified, schedule_due_times
from tasks.handler import OutputContext
from tasks.registry import handler_for
from tasks.review_apply import Correction, completed_frame, revalidate


class ReviewAction(StrEnum):
    APPROVE = "approve"
    CORRECT = "correct"
    REJECT = "reject"


class CorrectionRefusedError(ReviewRefusedError):
    """The corrected (or approved) record still fails rules; ``issues`` says which."""

    def __init__(self, item_id: int, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        text = "; ".join(f"{i.code} {i.field}: {i.message}".strip() for i in self.issues)
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "client_id": self.client_id,
            "action": self.action,
            "status": self.status,
            "record_state": self.record_state,
            "billed": self.billed,
            "outputs": self.outputs,
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
    rt: Runtime,
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
    with transaction(rt.engine) as session:
        item = claim_item(
            session, item_id=item_id, reviewer=reviewer, now=now, client_id=client_id, lease=lease
        )
        file = session.get(File, item.file_id)
    assert file is not None  # the foreign key guarantees it
    if action is ReviewAction.REJECT:
        return _reject(rt, item, reviewer, reason or "")

    handler = handler_for(item.doc_type)
    ctx = rt.client_context(item.client_id)
    applied = revalidate(handler, ctx, item.fields, corrections)
    if not applied.ok:
        with transaction(rt.engine) as session:
            append(
                session,
                actor=reviewer,
                action="refused",
                client_id=item.client_id,
                at=now,
                item=item,
                reason="; ".join(f"{i.code}: {i.message}" for i in applied.issues),
            )
        raise CorrectionRefusedError(item_id, applied.issues)

    frame, can_write = completed_frame(
        item.doc_type,
        applied.fields,
        ctx,
        record_index=item.record_index,
        record_key=item.record_key,
    )
    outputs: list[str] = []
    if can_write:
        out = OutputContext(
            ctx=ctx,
            outbox=rt.outbox(item.client_id),
            file_id=file.id,
            source_name=file.name,
            source_sha256=file.sha256,
            run_label=f"review-{item.id}",
            received_at=file.received_at,
        )
        outputs = handler.write_outputs(ValidatedBatch(records=frame), frame, out)

    units = handler.billable_units(frame)
    units = pl.concat(
        [
            units,
            pl.DataFrame(
                {
                    RECORD_INDEX: [item.record_index],
                    "unit": [BillableUnit.MANUAL_REVIEW.value],
                    "quantity": [1],
                }
            ).cast(units.schema),
        ]
    )
    done_at = dt.datetime.now(dt.UTC)
    resolution = reason or f"corrected {', '.join(c.field for c in corrections)}"
    with transaction(rt.engine) as session:
        closed = close_item(
            session,
            item=item,
            reviewer=reviewer,
            outcome=ReviewStatus.RESOLVED,
            resolution=resolution,
            now=done_at,
            fields=applied.fields,
            outputs=outputs,
        )
        append_changes(
            session, actor=reviewer, item=closed, changes=applied.changes, reason=reason, at=done_at
        )
        append(
            session,
            actor=reviewer,
            action=action.value,
            client_id=item.client_id,
            at=done_at,
            item=closed,
            reason=resolution,
        )
        billed = meter(
            session,
            client=ctx.client,
            file=file,
            units=units,
            completed_at=done_at,
            flow_run_id=flow_run_id,
        )
    return ReviewOutcome(
        item.id,
        item.client_id,
        action.value,
        ReviewStatus.RESOLVED,
        RecordState.COMPLETED.value,
        billed.inserted,
        outputs,
    )


def _reject(rt: Runtime, item: ReviewItem, reviewer: str, reason: str) -> ReviewOutcome:
    at = dt.datetime.now(dt.UTC)
    with transaction(rt.engine) as session:
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
    return ReviewOutcome(
        item.id, item.client_id, "reject", ReviewStatus.REJECTED, RecordState.REJECTED.value
    )


@dataclass(frozen=True)
class SlaReport:
    scheduled: int
    leases_expired: int
    breached: list[int]
    qa_sampled: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "scheduled": self.scheduled,
            "leases_expired": self.leases_expired,
            "breached": self.breached,
            "qa_sampled": self.qa_sampled,
        }


Emit = Callable[[ReviewItem], None]


def check_slas(rt: Runtime, *, emit: Emit, now: dt.datetime | None = None) -> SlaReport:
    """Housekeeping run on a schedule: business-time due dates, expired leases, QA sampling,
    and one ``emit`` per item past due (the item is marked first; a failed emit rolls back so
    the next run retries)."""
    now = now or dt.datetime.now(dt.UTC)
    clients = rt.config.clients
    with transaction(rt.engine) as session:
        scheduled = schedule_due_times(session, clients=clients)
        expired = expire_leases(session, now=now)
        sampled = sample_completed(session, clients=clients, now=now)
        overdue = breached_items(session, now=now)
    announced: list[int] = []
    for item in overdue:
        with transaction(rt.engine) as session:
            if mark_breach_notified(session, item_id=item.id):
                emit(item)
                announced.append(item.id)
    return SlaReport(scheduled, len(expired), announced, sampled)
