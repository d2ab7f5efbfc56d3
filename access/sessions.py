"""Web sessions kept in the store: a random id in the cookie, its sha256 in ``web_sessions``.

Signing in always makes a new session (and drops the one the browser came with), so an id
planted before sign-in is worth nothing after it. Each session has its own CSRF token, which
every form of the page carries and every POST must send back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from access.roles import Actor
from access.users import actor_of
from store.access_models import User, WebSession

LIFETIME = dt.timedelta(hours=12)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to and the CSRF token of its forms."""

    actor: Actor
    csrf_token: str
    expires_at: dt.datetime

    def csrf_ok(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(self.csrf_token, str(candidate))


def open_session(
    session: Session,
    *,
    user: User,
    method: str,
    now: dt.datetime,
    replaces: str | None = None,
) -> str:
    """A new session for ``user``; returns the id for the cookie (``replaces``: the id the
    browser came with, which is ended). Also drops the store's expired sessions."""
    if replaces:
        session.execute(delete(WebSession).where(WebSession.id_hash == _digest(replaces)))
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session_id = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id_hash=_digest(session_id),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            method=method,
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    user.last_sign_in_at = now
    return session_id


def signed_in(session: Session, session_id: str | None, *, now: dt.datetime) -> SignedIn | None:
    """The live session ``session_id`` names, for an enabled user; None otherwise."""
    if not session_id or len(session_id) > 128:
        return None
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.id_hash == _digest(session_id))
    ).first()
    if row is None:
        return None
    web, user = row
    if web.expires_at < now or not user.enabled:
        return None
    via = "sso" if web.method == "sso" else "web"
    return SignedIn(actor_of(user, via), web.csrf_token, web.expires_at)


def close_session(session: Session, session_id: str | None) -> None:
    if session_id:
        session.execute(delete(WebSession).where(WebSession.id_hash == _digest(session_id)))
