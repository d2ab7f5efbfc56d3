"""Signing in (personal token or single sign-on) and out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from access import throttle
from access.sessions import SignedIn, close_session, open_session
from access.users import NAME, check_token, sso_user
from store.access_models import User
from store.db import transaction
from web.auth import (
    COOKIE,
    LOGIN_COOKIE,
    login_csrf_ok,
    new_login_token,
    require_post,
    session_cookie,
    set_cookie,
)
from web.pages import page, state
from web.sso import SsoError

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never ``//host`` or a full URL) is a place to go back to."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(request: Request, status: int = 200, error: str | None = None) -> Response:
    token = new_login_token()
    oidc = state(request).oidc
    resp = page(
        request,
        "login.html",
        status,
        error=error,
        login_csrf=token,
        next_url=_safe_next(request.query_params.get("next")),
        sso_label=oidc.options.label if oidc else None,
    )
    set_cookie(request, resp, LOGIN_COOKIE, token, 600)
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    return _login_page(request)


def _signed_in(request: Request, user: User, method: str, next_url: str) -> Response:
    """A new session for ``user`` (the one the browser came with ends) and a redirect."""
    with transaction(state(request).app.engine) as session:
        merged = session.merge(user)
        session_id = open_session(
            session,
            user=merged,
            method=method,
            now=dt.datetime.now(dt.UTC),
            replaces=request.cookies.get(COOKIE),
        )
    resp = RedirectResponse(_safe_next(next_url), status_code=303)
    session_cookie(request, resp, session_id)
    resp.delete_cookie(LOGIN_COOKIE, path="/")
    return resp


@router.post("/login", response_model=None)
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    token: Annotated[str, Form(max_length=500)],
    csrf_token: Annotated[str | None, Form()] = None,
    next_url: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    name = name.strip()
    engine = state(request).app.engine
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        locked = throttle.locked_until(session, name, now=now)
    if locked is not None:
        wait = max(1, int((locked - now).total_seconds()))
        resp = _login_page(
            request, 429, f"Too many failed sign-ins for this name: try again in {wait} s."
        )
        resp.headers["Retry-After"] = str(wait)
        return resp
    if not login_csrf_ok(request, csrf_token):
        raise HTTPException(403, "the sign-in form expired or came from another site: reload it")

    def check() -> User | None:
        with transaction(engine) as session:
            user = check_token(session, name=name, token=token) if NAME.match(name) else None
            if user is None:
                throttle.record_failure(session, name, now=now)
            else:
                throttle.clear(session, name)
            return user

    user = await run_in_threadpool(check)  # argon2 takes a while: not on the event loop
    if user is None:
        return _login_page(request, 401, "Unknown name or wrong token.")
    return _signed_in(request, user, "token", next_url or "/")


@router.post("/logout")
def logout(request: Request, _who: Annotated[SignedIn, Depends(require_post)]) -> Response:
    with transaction(state(request).app.engine) as session:
        close_session(session, request.cookies.get(COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp


def _callback_url(request: Request) -> str:
    oidc = state(request).oidc
    assert oidc is not None
    return oidc.options.redirect_url or str(request.url_for("sso_callback"))


@router.get("/login/sso")
def sso_start(request: Request) -> Response:
    oidc = state(request).oidc
    if oidc is None:
        raise HTTPException(404, "single sign-on is not configured")
    try:
        target = oidc.start(_callback_url(request), _safe_next(request.query_params.get("next")))
    except SsoError as exc:
        return _login_page(request, 502, str(exc))
    return RedirectResponse(target, status_code=303)


@router.get("/login/sso/callback", name="sso_callback")
async def sso_callback(
    request: Request, code: str | None = None, error: str | None = None
) -> Response:
    oidc = state(request).oidc
    if oidc is None:
        raise HTTPException(404, "single sign-on is not configured")
    returned = request.query_params.get("state")
    if error or not code or not returned:
        return _login_page(request, 401, f"Single sign-on did not complete ({error or 'no code'}).")
    try:
        subject, next_url = await run_in_threadpool(oidc.finish, code, returned)
    except SsoError as exc:
        return _login_page(request, 401, str(exc))
    with transaction(state(request).app.engine) as session:
        user = sso_user(session, subject)
    if user is None:
        return _login_page(
            request, 403, f"{subject} has no enabled user here: ask an admin to add one."
        )
    return _signed_in(request, user, "sso", next_url)
