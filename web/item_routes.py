"""One review item: its page, and claim, release and decide (approve, correct, reject)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from review.corrections import Correction, parse_correction
from review.decision import CorrectionRefusedError, ReviewAction, resolve_item
from review.queue import ReviewRefusedError, claim_item, release
from review.views import get_item, record_usage
from schemas.pii import PII_FIELDS
from store.db import transaction
from web.pages import back_to_item, client_or_404, page, reviewer_of, state

router = APIRouter()
ITEM = "/clients/{client_id}/items/{item_id}"


@dataclass(frozen=True)
class Notice:
    """What the item page says above the form after an action."""

    status: int = 200
    error: str | None = None
    issues: tuple[dict[str, str], ...] = ()
    message: str | None = None


def item_page(
    request: Request, client_id: str, item_id: int, reviewer: str, notice: Notice = Notice()
) -> HTMLResponse:
    app = state(request).app
    with transaction(app.engine) as session:
        item = get_item(session, item_id, client_id=client_id, clients=app.config.clients)
        if item is None:
            raise HTTPException(404, "no such item")
        usage = record_usage(session, file_id=item["file_id"], record_index=item["record_index"])
    fields = item["fields"]
    return page(
        request,
        "item.html",
        notice.status,
        reviewer=reviewer,
        client_id=client_id,
        item=item,
        flagged={r["field"]: r for r in item["reasons"]},
        scalar={k: v for k, v in fields.items() if not isinstance(v, list | dict)},
        nested={k: v for k, v in fields.items() if isinstance(v, list | dict)},
        usage=usage,
        error=notice.error,
        issues=list(notice.issues),
        message=notice.message,
        pii=PII_FIELDS.get(item["doc_type"], frozenset()),
        mine=item["claimed_by"] == reviewer and item["status"] == "claimed",
    )


@router.get(ITEM, response_class=HTMLResponse)
def show_item(
    request: Request, client_id: str, item_id: int, msg: str | None = None
) -> HTMLResponse:
    reviewer = reviewer_of(request)
    client_or_404(request, client_id)
    return item_page(request, client_id, item_id, reviewer, Notice(message=msg))


@router.post(f"{ITEM}/claim", response_model=None)
def claim(request: Request, client_id: str, item_id: int) -> Response:
    return _lease_action(
        request, client_id, item_id, claim_item, "Claimed: the item is yours while the lease lasts."
    )


@router.post(f"{ITEM}/release", response_model=None)
def release_item(request: Request, client_id: str, item_id: int) -> Response:
    return _lease_action(request, client_id, item_id, release, "Released back to the queue.")


def _lease_action(
    request: Request, client_id: str, item_id: int, change: Callable[..., Any], done: str
) -> Response:
    """Claim or release the item for the signed-in reviewer; a refusal shows on its page."""
    reviewer = reviewer_of(request)
    client_or_404(request, client_id)
    try:
        with transaction(state(request).app.engine) as session:
            change(
                session,
                item_id=item_id,
                reviewer=reviewer,
                client_id=client_id,
                now=dt.datetime.now(dt.UTC),
            )
    except ReviewRefusedError as exc:
        return item_page(request, client_id, item_id, reviewer, Notice(409, str(exc)))
    return back_to_item(client_id, item_id, done)


@router.post(f"{ITEM}/decide", response_model=None)
async def decide(request: Request, client_id: str, item_id: int) -> Response:
    reviewer = reviewer_of(request)
    client_or_404(request, client_id)
    form = await request.form()
    action = str(form.get("action", ""))
    reason = str(form.get("reason", "")).strip() or None
    if action not in {a.value for a in ReviewAction}:
        return item_page(request, client_id, item_id, reviewer, Notice(400, "Unknown action."))
    corrections = corrections_of(form) if action == ReviewAction.CORRECT else []
    if action == ReviewAction.CORRECT and not corrections:
        refused = Notice(400, "Change at least one value before saving a correction.")
        return item_page(request, client_id, item_id, reviewer, refused)
    try:
        outcome = await run_in_threadpool(
            resolve_item,
            state(request).app,
            item_id=item_id,
            reviewer=reviewer,
            action=action,
            corrections=corrections,
            reason=reason,
            client_id=client_id,
        )
    except CorrectionRefusedError as exc:
        issues = tuple({"code": i.code, "field": i.field, "message": i.message} for i in exc.issues)
        notice = Notice(422, "The corrected record still fails these rules:", issues)
        return item_page(request, client_id, item_id, reviewer, notice)
    except ReviewRefusedError as exc:
        return item_page(request, client_id, item_id, reviewer, Notice(409, str(exc)))
    entries = f"{outcome.billed} usage entr{'y' if outcome.billed == 1 else 'ies'} written"
    return back_to_item(client_id, item_id, f"Record {outcome.record_state}; {entries}.")


def corrections_of(form: Any) -> list[Correction]:
    """Fields whose submitted value differs from the value shown (``orig:<name>``).

    Masked PII is shown masked; submitting it unchanged is not a correction, so a masked value
    can never overwrite the real one. Extra ``path=value`` lines (nested fields such as
    ``lines[0].amount``) come from the ``extra`` text area.
    """
    out: list[Correction] = []
    for key, value in form.multi_items():
        if not key.startswith("f:"):
            continue
        name = key[2:]
        if str(value) != str(form.get(f"orig:{name}", "")):
            out.append(Correction(name, str(value).strip()))
    for line in str(form.get("extra", "")).splitlines():
        extra = parse_correction(line)
        if extra is not None:
            out.append(Correction(extra.field, str(extra.value).strip()))
    return out
