"""One review item: the workbench (fields beside the source), and claim, release, reassign,
escalate and decide (approve, correct, reject), each followed by the next item by default."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from access.roles import Permission
from access.sessions import SignedIn
from access.users import list_users
from review import acting
from review.decision import CorrectionRefusedError, ReviewAction
from review.queue import ReviewRefusedError
from review.views import get_item, record_usage
from store.db import transaction
from store.models import ReviewStatus
from web.auth import require, require_post
from web.pages import back_to_item, client_or_404, page, state
from web.queue_routes import next_item
from web.source_panel import source_panel
from web.workbench import build_form, corrections_of, typed_values

router = APIRouter()
ITEM = "/clients/{client_id}/items/{item_id}"
Who = Annotated[SignedIn, Depends(require)]
Poster = Annotated[SignedIn, Depends(require_post)]


@dataclass(frozen=True)
class Notice:
    """What the item page says above the form after an action, and what was typed."""

    status: int = 200
    error: str | None = None
    issues: tuple[dict[str, str], ...] = ()
    message: str | None = None
    typed: dict[str, str] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    reason: str = ""


def _hidden_to_404(exc: ReviewRefusedError) -> None:
    if isinstance(exc, acting.HiddenError):
        raise HTTPException(404, "no such item") from None


def item_page(
    request: Request, who: SignedIn, client_id: str, item_id: int, notice: Notice = Notice()
) -> HTMLResponse:
    app = state(request).app
    actor = who.actor
    with transaction(app.engine) as session:
        try:
            stored = acting.visible_item(session, actor, item_id, client_id)
        except acting.HiddenError:
            raise HTTPException(404, "no such item") from None
        item = get_item(session, item_id, client_id=client_id, clients=app.config.clients)
        assert item is not None
        usage = record_usage(session, file_id=item["file_id"], record_index=item["record_index"])
        leads = actor.may(Permission.REASSIGN)
        people = (
            [
                u["name"]
                for u in list_users(session)
                if u["enabled"]
                and u["role"] in ("reviewer", "lead")
                and (client_id in u["clients"] or "*" in u["clients"])
            ]
            if leads
            else []
        )
    form = build_form(
        item["fields"],
        item["reasons"],
        doc_type=item["doc_type"],
        typed=notice.typed,
        removed=notice.removed,
        refused=list(notice.issues),
    )
    mine = item["claimed_by"] == actor.name and item["status"] == ReviewStatus.CLAIMED
    source = source_panel(request, stored, item)
    return page(
        request,
        "item.html",
        notice.status,
        client_id=client_id,
        item=item,
        form=form,
        source=source,
        usage=usage,
        error=notice.error,
        issues=list(notice.issues),
        message=notice.message,
        reason=notice.reason,
        mine=mine,
        can_work=actor.may(Permission.WORK_ITEMS),
        can_reassign=leads and item["status"] in ReviewStatus.ACTIVE,
        people=people,
    )


@router.get(ITEM, response_class=HTMLResponse)
def show_item(
    request: Request, client_id: str, item_id: int, who: Who, msg: str | None = None
) -> HTMLResponse:
    client_or_404(request, who.actor, client_id)
    return item_page(request, who, client_id, item_id, Notice(message=msg))


def _act(
    request: Request,
    who: SignedIn,
    client_id: str,
    item_id: int,
    change: Callable[[], Any],
    done: str,
) -> Response:
    """Run a lease action; a refusal shows on the item's page (403 when the role does not
    allow it, 409 when the item's state does not), a hidden item is 404."""
    client_or_404(request, who.actor, client_id)
    try:
        change()
    except acting.NotAllowedError as exc:
        return item_page(request, who, client_id, item_id, Notice(403, str(exc)))
    except ReviewRefusedError as exc:
        _hidden_to_404(exc)
        return item_page(request, who, client_id, item_id, Notice(409, str(exc)))
    return back_to_item(client_id, item_id, done)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.post(f"{ITEM}/claim", response_model=None)
def claim(request: Request, client_id: str, item_id: int, who: Poster) -> Response:
    engine = state(request).app.engine
    return _act(
        request,
        who,
        client_id,
        item_id,
        lambda: acting.claim(engine, who.actor, item_id=item_id, now=_now(), client_id=client_id),
        "Claimed: the item is yours while the lease lasts.",
    )


@router.post(f"{ITEM}/release", response_model=None)
def release_item(request: Request, client_id: str, item_id: int, who: Poster) -> Response:
    engine = state(request).app.engine
    return _act(
        request,
        who,
        client_id,
        item_id,
        lambda: acting.release(engine, who.actor, item_id=item_id, now=_now(), client_id=client_id),
        "Released back to the queue.",
    )


@router.post(f"{ITEM}/escalate", response_model=None)
async def escalate(request: Request, client_id: str, item_id: int, who: Poster) -> Response:
    form = await request.form()
    reason = str(form.get("reason", "")).strip()
    if not reason:
        client_or_404(request, who.actor, client_id)
        refused = Notice(400, "Say what a lead should look at (the reason) to escalate.")
        return item_page(request, who, client_id, item_id, refused)
    engine = state(request).app.engine
    return _act(
        request,
        who,
        client_id,
        item_id,
        lambda: acting.escalate(
            engine, who.actor, item_id=item_id, reason=reason, now=_now(), client_id=client_id
        ),
        "Escalated: a lead takes it from here.",
    )


@router.post(f"{ITEM}/reassign", response_model=None)
async def reassign(request: Request, client_id: str, item_id: int, who: Poster) -> Response:
    form = await request.form()
    to = str(form.get("to", "")).strip()
    engine = state(request).app.engine

    def change() -> Any:
        if not to:
            return acting.release(
                engine, who.actor, item_id=item_id, now=_now(), client_id=client_id
            )
        return acting.reassign(
            engine, who.actor, item_id=item_id, to=to, now=_now(), client_id=client_id
        )

    done = f"Given to {to}." if to else "Back in the queue."
    return _act(request, who, client_id, item_id, change, done)


@router.post(f"{ITEM}/decide", response_model=None)
async def decide(request: Request, client_id: str, item_id: int, who: Poster) -> Response:
    client_or_404(request, who.actor, client_id)
    form = await request.form()
    action = str(form.get("action", ""))
    reason = str(form.get("reason", "")).strip() or None
    typed, removed = typed_values(form)
    kept = Notice(typed=typed, removed=removed, reason=reason or "")
    if action not in {a.value for a in ReviewAction}:
        return item_page(
            request, who, client_id, item_id, replace(kept, status=400, error="Unknown action.")
        )
    app = state(request).app
    with transaction(app.engine) as session:
        try:
            stored = acting.visible_item(session, who.actor, item_id, client_id)
        except acting.HiddenError:
            raise HTTPException(404, "no such item") from None
        fields = dict(stored.fields)
    corrections = (
        corrections_of(form, fields, str(form.get("extra", "")))
        if action == ReviewAction.CORRECT
        else []
    )
    if action == ReviewAction.CORRECT and not corrections:
        refused = replace(
            kept, status=400, error="Change at least one value before saving a correction."
        )
        return item_page(request, who, client_id, item_id, refused)
    if action != ReviewAction.CORRECT and not reason:
        verb = "approve" if action == ReviewAction.APPROVE else "reject"
        refused = replace(kept, status=400, error=f"Give a reason to {verb} the record.")
        return item_page(request, who, client_id, item_id, refused)
    try:
        outcome = await run_in_threadpool(
            acting.decide,
            app,
            who.actor,
            item_id=item_id,
            action=action,
            corrections=corrections,
            reason=reason,
            client_id=client_id,
        )
    except CorrectionRefusedError as exc:
        issues = tuple({"code": i.code, "field": i.field, "message": i.message} for i in exc.issues)
        notice = replace(
            kept,
            status=422,
            error="The corrected record still fails these rules:",
            issues=issues,
        )
        return item_page(request, who, client_id, item_id, notice)
    except acting.NotAllowedError as exc:
        return item_page(
            request, who, client_id, item_id, replace(kept, status=403, error=str(exc))
        )
    except ReviewRefusedError as exc:
        _hidden_to_404(exc)
        return item_page(
            request, who, client_id, item_id, replace(kept, status=409, error=str(exc))
        )
    entries = f"{outcome.billed} usage entr{'y' if outcome.billed == 1 else 'ies'} written"
    done = f"Item {item_id} {outcome.status}: record {outcome.record_state}; {entries}."
    if str(form.get("then", "")) == "next":
        return next_item(request, who, client_id, done)
    return back_to_item(client_id, item_id, done)
