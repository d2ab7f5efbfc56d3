"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from web.auth import COOKIE, MAX_AGE, NAME
from web.pages import page, state

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return page(request, "login.html", error=None)


@router.post("/login", response_model=None)
def login(
    request: Request, name: Annotated[str, Form()], token: Annotated[str, Form()]
) -> Response:
    auth = state(request).auth
    name = name.strip()
    if not NAME.match(name) or not auth.token_ok(token):
        return page(request, "login.html", 401, error="Unknown name or wrong token.")
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(COOKIE, auth.issue(name), max_age=MAX_AGE, httponly=True, samesite="strict")
    return resp


@router.post("/logout")
def logout() -> Response:
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp
