"""What every page shares: the state the routes read, rendering, redirects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from access.roles import Actor
from app.root import App
from review.acting import visible_clients
from web.auth import CSRF_FIELD, current
from web.sso import OidcClient

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, eq=False)
class WebState:
    app: App
    #: ``None``: from the request's scheme (HTTPS -> Secure cookies); tests may force it.
    secure_cookies: bool | None = None
    oidc: OidcClient | None = None
    templates: Jinja2Templates = field(
        default_factory=lambda: Jinja2Templates(directory=str(TEMPLATES))
    )


def state(request: Request) -> WebState:
    web: WebState = request.app.state.bpo
    return web


def client_or_404(request: Request, actor: Actor, client_id: str) -> str:
    """The client, when it exists and ``actor`` may open its queue; else 404 (as if the
    client did not exist: a person never learns of other clients)."""
    if client_id not in visible_clients(actor, state(request).app.config.clients):
        raise HTTPException(404, "no such client")
    return client_id


def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    who = current(request)
    ctx.setdefault("reviewer", who.actor.name if who else None)
    ctx.setdefault("role", who.actor.role.value if who else None)
    ctx.setdefault("csrf_field", CSRF_FIELD)
    ctx.setdefault("csrf_token", who.csrf_token if who else "")
    return state(request).templates.TemplateResponse(request, name, ctx, status_code=status)


def back_to_item(client_id: str, item_id: int, msg: str) -> Response:
    """After an action: the item's page with a message (post/redirect/get)."""
    return RedirectResponse(
        f"/clients/{client_id}/items/{item_id}?msg={quote(msg)}", status_code=303
    )
