"""The reviewer web page: the queues a person may open, the item workbench (fields beside the
source document), sign-in with a personal token or single sign-on; server-rendered with
Jinja2, one small script for keyboard shortcuts, no client-side build.

Every action calls the same checked functions as the CLI and the Prefect form
(``review.acting``). URLs carry the client id, and a person sees only their clients: another
client's pages answer 404, as if they did not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from app.root import App
from web import admin_routes, item_routes, queue_routes, session_routes, source_panel
from web.auth import LoginRequiredError
from web.pages import WebState
from web.sso import OidcClient

STATIC = Path(__file__).parent / "static"
#: Pages hold personal data: never framed, never cached, scripts and styles only our own.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self'; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def create_app(rt: App, *, secure_cookies: bool | None = None) -> FastAPI:
    """The page for ``rt``'s database and clients (single sign-on when ``[web.oidc]`` is set).

    ``secure_cookies``: None marks cookies Secure when the request came over HTTPS.
    """
    web = FastAPI(title="bpo review", docs_url=None, redoc_url=None, openapi_url=None)
    oidc = rt.config.web.oidc
    web.state.bpo = WebState(
        app=rt,
        secure_cookies=secure_cookies,
        oidc=OidcClient.from_options(oidc, rt.environ) if oidc else None,
    )

    @web.exception_handler(LoginRequiredError)
    async def _to_login(request: Request, _exc: LoginRequiredError) -> Response:
        path = request.url.path
        target = "/login" if path == "/" else f"/login?next={path}"
        return RedirectResponse(target, status_code=303)

    @web.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (session_routes, queue_routes, item_routes, source_panel, admin_routes):
        web.include_router(module.router)
    return web
