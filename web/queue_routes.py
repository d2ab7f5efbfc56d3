"""The queue: clients with their open counts, and one client's items by priority."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from review.sla import schedule_due_times
from review.views import list_items, queue_counts
from store.db import transaction
from web.pages import client_or_404, page, reviewer_of, state

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    reviewer = reviewer_of(request)
    app = state(request).app
    with transaction(app.engine) as session:
        counts = queue_counts(session, clients=sorted(app.config.clients))
    clients = [(cid, app.config.clients[cid].name, n) for cid, n in counts.items()]
    return page(request, "home.html", reviewer=reviewer, clients=clients)


@router.get("/clients/{client_id}", response_class=HTMLResponse)
def queue(request: Request, client_id: str) -> HTMLResponse:
    reviewer = reviewer_of(request)
    client_or_404(request, client_id)
    app = state(request).app
    with transaction(app.engine) as session:
        schedule_due_times(session, clients=app.config.clients)
        items = list_items(session, client_id=client_id, clients=app.config.clients)
    return page(
        request,
        "queue.html",
        reviewer=reviewer,
        client_id=client_id,
        client_name=app.config.clients[client_id].name,
        items=items,
    )
