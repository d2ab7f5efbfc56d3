"""What every page shares: the state the routes read, who is signed in, rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.root import App
from web.auth import COOKIE, ReviewerAuth

TEMPLATES = Path(__file__).parent / "templates"


class LoginRequiredError(Exception):
    """No valid sign-in cookie: the page answers with a redirect to ``/login``."""


@dataclass(frozen=True, eq=False)
class WebState:
    app: App
    auth: ReviewerAuth
    templates: Jinja2Templates = field(
        default_factory=lambda: Jinja2Templates(directory=str(TEMPLATES))
    )


def state(request: Request) -> WebState:
    web: WebState = request.app.state.bpo
    return web


def reviewer_of(request: Request) -> str:
    """The signed-in reviewer, or a redirect to the sign-in page."""
    name = state(request).auth.reviewer(request.cookies.get(COOKIE))
    if name is None:
        raise LoginRequiredError
    return name


def client_or_404(request: Request, client_id: str) -> str:
    if client_id not in state(request).app.config.clients:
        raise HTTPException(404, "no such client")
    return client_id


def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return state(request).templates.TemplateResponse(request, name, ctx, status_code=status)


def back_to_item(client_id: str, item_id: int, msg: str) -> Response:
    """After an action: the item's page with a message (post/redirect/get)."""
    return RedirectResponse(
        f"/clients/{client_id}/items/{item_id}?msg={quote(msg)}", status_code=303
    )
