"""The queues a person may open, one client's items by priority, and "next item"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from access.roles import Permission
from access.sessions import SignedIn
from review import acting
from review.queue import ReviewRefusedError
from review.sla import schedule_due_times
from review.views import list_items, queue_counts
from store.db import transaction
from web.auth import require, require_post
from web.pages import client_or_404, page, state

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: Annotated[SignedIn, Depends(require)]) -> HTMLResponse:
    app = state(request).app
    mine = acting.visible_clients(who.actor, app.config.clients)
    with transaction(app.engine) as session:
        counts = queue_counts(session, clients=mine)
    clients = [(cid, app.config.clients[cid].name, n) for cid, n in counts.items()]
    return page(
        request,
        "home.html",
        clients=clients,
        admin=who.actor.may(Permission.MANAGE_USERS),
    )


@router.get("/clients/{client_id}", response_class=HTMLResponse)
def queue(
    request: Request,
    client_id: str,
    who: Annotated[SignedIn, Depends(require)],
    msg: str | None = None,
) -> HTMLResponse:
    client_or_404(request, who.actor, client_id)
    app = state(request).app
    with transaction(app.engine) as session:
        schedule_due_times(session, clients=app.config.clients)
        items = list_items(session, client_id=client_id, clients=app.config.clients)
    return page(
        request,
        "queue.html",
        client_id=client_id,
        client_name=app.config.clients[client_id].name,
        items=items,
        message=msg,
        can_work=who.actor.may(Permission.WORK_ITEMS),
    )


def next_item(request: Request, who: SignedIn, client_id: str, message: str = "") -> Response:
    """Claim the next item of the client's queue for ``who`` and open it; the queue when
    nothing is left for them."""
    app = state(request).app
    try:
        item = acting.claim_next(
            app.engine,
            who.actor,
            now=dt.datetime.now(dt.UTC),
            clients=app.config.clients,
            client_id=client_id,
        )
    except ReviewRefusedError as exc:
        note = f"{message} {exc}".strip()
        return RedirectResponse(f"/clients/{client_id}?msg={quote(note)}", status_code=303)
    if item is None:
        note = f"{message} Nothing else is waiting for you here.".strip()
        return RedirectResponse(f"/clients/{client_id}?msg={quote(note)}", status_code=303)
    note = f"{message} Next: item {item.id}, claimed for you.".strip()
    return RedirectResponse(
        f"/clients/{client_id}/items/{item.id}?msg={quote(note)}", status_code=303
    )


@router.post("/clients/{client_id}/next", response_model=None)
def claim_next(
    request: Request, client_id: str, who: Annotated[SignedIn, Depends(require_post)]
) -> Response:
    client_or_404(request, who.actor, client_id)
    return next_item(request, who, client_id)
