"""The reviewer web page: queue per client, item page with reasons next to the (masked)
values, a correction form; server-rendered with Jinja2, no client-side build.

Every action calls the same plain functions as the CLI and the Prefect form
(``review.queue``, ``review.decision``). URLs carry the client id and every query is
scoped by it, so one client's items are never reachable under another's.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from app.root import App
from web import item_routes, queue_routes, session_routes
from web.auth import ReviewerAuth
from web.pages import LoginRequiredError, WebState


def create_app(rt: App, *, token: str) -> FastAPI:
    """The page for ``rt``'s database and clients; ``token`` is the reviewers' shared secret."""
    web = FastAPI(title="bpo review", docs_url=None, redoc_url=None, openapi_url=None)
    web.state.bpo = WebState(app=rt, auth=ReviewerAuth(token))

    @web.exception_handler(LoginRequiredError)
    async def _to_login(_request: Request, _exc: LoginRequiredError) -> Response:
        return RedirectResponse("/login", status_code=303)

    for module in (session_routes, queue_routes, item_routes):
        web.include_router(module.router)
    return web
