"""Review flows: the reviewer's decision as a Prefect form, and the scheduled SLA check.

``resolve_review_item`` takes typed parameters, so a deployment of it renders as a form in the
Prefect UI (item id, reviewer, action, corrections as ``{field, value}`` rows, reason). Both
flows only sequence the plain functions of ``review.decision`` and ``review.sla``, which the
CLI and the web page call directly.

A correction's value is typed as a secret (the form shows a password field) and, before the
decision is applied, the run replaces its own stored parameters with the values masked
(``*********0002``): Prefect's database keeps no corrected account or member id in clear; the
audit trail in our store records what changed (masked for personal fields).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, tags
from prefect import runtime as prefect_runtime
from prefect.client.orchestration import get_client
from prefect.events import emit_event
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from app.root import current_app
from flows.operators import announce_review
from review.acting import decide, named_actor
from review.corrections import Correction
from review.decision import ReviewAction
from review.sla import check_slas
from schemas.pii import mask
from store.models import ReviewItem

SLA_EVENT = "bpo.review.sla_breached"


class FieldCorrection(BaseModel):
    """One corrected field: its canonical name (``routing_number``, ``lines[0].amount``) and
    the new value as text (empty clears it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(
        min_length=1,
        max_length=255,
        description="The field to change, as `bpo review show` names it: routing_number, "
        "total, lines[0].amount (a path one past the last line adds a line).",
    )
    value: SecretStr = Field(
        default=SecretStr(""),
        description="The new value as text: amounts as 1234.50, dates as YYYY-MM-DD; "
        "empty clears the field. Kept out of Prefect's database once the run starts.",
    )


def _mask_own_parameters(corrections: list[FieldCorrection]) -> None:
    """Store this run's parameters with every correction value masked: what the form sent is
    in Prefect's database only until the run starts."""
    run_id = prefect_runtime.flow_run.id
    if not run_id or not corrections:
        return
    params = dict(prefect_runtime.flow_run.parameters or {})
    params["corrections"] = [
        {"field": c.field, "value": mask(c.value.get_secret_value())} for c in corrections
    ]
    with get_client(sync_client=True) as client:
        client.update_flow_run(UUID(str(run_id)), parameters=params)


class ReviewResult(BaseModel):
    item_id: int
    client_id: str
    action: str
    status: str
    record_state: str
    billed: int
    outputs: list[str]
    record_key: str = ""
    doc_type: str = ""
    file: str = ""


@flow(
    name="resolve-review-item",
    flow_run_name="review-{item_id}-{action}",
    persist_result=False,
)
def resolve_review_item(
    item_id: int,
    reviewer: str,
    action: ReviewAction,
    corrections: list[FieldCorrection] | None = None,
    reason: str | None = None,
) -> ReviewResult:
    """Approve, correct or reject one review item; corrections are re-validated by the same
    rules, and a completed record is metered exactly once.

    Args:
        item_id: The review item's number (`bpo review list`, or the web page's item URL).
        reviewer: Your user name (`bpo users list`): an enabled reviewer or lead assigned to
            the item's client. The decision is audited under it.
        action: approve (accept as is; needs a reason), correct (apply the corrections
            below) or reject (the record is never billed; needs a reason).
        corrections: For correct: the fields to change and their new values. Refused, with
            the rules that still fail, if the corrected record breaks one.
        reason: Why: required to approve or reject, kept in the audit trail.
    """
    flow_run_id = str(prefect_runtime.flow_run.id) if prefect_runtime.flow_run.id else None
    _mask_own_parameters(corrections or [])
    app = current_app()
    outcome = decide(
        app,
        named_actor(app.engine, reviewer, via="prefect"),
        item_id=item_id,
        action=action,
        corrections=[Correction(c.field, c.value.get_secret_value()) for c in corrections or []],
        reason=reason,
        flow_run_id=flow_run_id,
    )
    announce_review(outcome, reviewer)
    with tags(f"client:{outcome.client_id}"):
        get_run_logger().info(
            "item %s %s by %s: record %s, %s usage entries",
            item_id,
            outcome.status,
            reviewer,
            outcome.record_state,
            outcome.billed,
        )
    return ReviewResult.model_validate(outcome.as_dict())


def _announce(item: ReviewItem) -> None:
    emit_event(
        event=SLA_EVENT,
        resource={
            "prefect.resource.id": f"bpo.review-item.{item.id}",
            "bpo.client": item.client_id,
            "bpo.doc-type": item.doc_type,
        },
        payload={
            "client_id": item.client_id,
            "doc_type": item.doc_type,
            "record_key": item.record_key,
            "due_at": item.due_at.isoformat() if item.due_at else None,
            "status": item.status,
        },
    )


@flow(name="review-sla-check", persist_result=False)
def review_sla_check() -> dict[str, Any]:
    """Schedule business-time due dates, return expired leases, sample for QA and emit
    ``bpo.review.sla_breached`` once per item past due."""
    app = current_app()
    report = check_slas(app.engine, clients=app.config.clients, emit=_announce)
    if report.breached:
        get_run_logger().warning("%d review item(s) past due", len(report.breached))
    return report.as_dict()
