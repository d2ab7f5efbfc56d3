"""Who is signed in, and the checks every request passes: the session cookie, CSRF on every
POST, Secure cookies over HTTPS.

- The session cookie (``bpo_session``) holds a random id; the session lives in the store
  (``access.sessions``), so disabling a user or rotating their token ends it at once. It is
  ``HttpOnly``, ``SameSite=Strict``, and ``Secure`` whenever the page is served over HTTPS
  (directly, or behind a proxy ``bpo review serve --trust-proxy`` names).
- Every form carries the session's ``csrf_token``; a POST without it, or with another one,
  answers 403. SameSite alone is not enough: every port of 127.0.0.1 is the same *site*.
- The sign-in form carries a token of its own (a short-lived cookie, double-submitted). A
  sign-in without one is still accepted from a script, but never from another site's page
  (a browser says so in ``Sec-Fetch-Site`` and ``Origin``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import Response

from access.sessions import LIFETIME, SignedIn, signed_in
from store.db import transaction

COOKIE = "bpo_session"
LOGIN_COOKIE = "bpo_login_csrf"
CSRF_FIELD = "csrf_token"


class LoginRequiredError(Exception):
    """No live session: the page answers with a redirect to ``/login``."""


def is_https(request: Request) -> bool:
    """Served over HTTPS (uvicorn sets the scheme from TLS or a trusted proxy's header)."""
    forced: bool | None = request.app.state.bpo.secure_cookies
    return forced if forced is not None else request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
    )


def session_cookie(request: Request, response: Response, session_id: str) -> None:
    set_cookie(request, response, COOKIE, session_id, int(LIFETIME.total_seconds()))


def current(request: Request) -> SignedIn | None:
    """The live session the request's cookie names, looked up once per request."""
    cached: SignedIn | None = getattr(request.state, "signed_in", None)
    if cached is not None:
        return cached
    engine = request.app.state.bpo.app.engine
    with transaction(engine) as session:
        found = signed_in(session, request.cookies.get(COOKIE), now=dt.datetime.now(dt.UTC))
    request.state.signed_in = found
    return found


def require(request: Request) -> SignedIn:
    """The signed-in person, or a redirect to the sign-in page."""
    found = current(request)
    if found is None:
        raise LoginRequiredError
    return found


async def require_post(request: Request) -> SignedIn:
    """For a POST: the signed-in person, and the form's CSRF token must be the session's."""
    found = require(request)
    form = await request.form()
    if not found.csrf_ok(_text(form.get(CSRF_FIELD))):
        raise HTTPException(403, "missing or wrong csrf_token: reload the page and try again")
    return found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def login_csrf_ok(request: Request, submitted: str | None) -> bool:
    """The sign-in form's own CSRF check (see the module docstring)."""
    if submitted is not None:
        cookie = request.cookies.get(LOGIN_COOKIE) or ""
        return bool(cookie) and hmac.compare_digest(cookie, submitted)
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == request.headers.get("host", "")
    return origin != "null"
