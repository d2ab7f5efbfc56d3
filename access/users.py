"""Users: add, list, update, disable, enable, rotate; and a name turned into an :class:`Actor`.

Every change that affects sign-in (rotate, disable, a new role or new clients) ends the user's
web sessions, so a person keeps no more access than the store says they have.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from access.roles import ALL_CLIENTS, Actor, Role
from access.tokens import hash_token, new_token, token_matches
from store.access_models import User, WebSession

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class UserError(ValueError):
    """A user cannot be added or changed as asked; the message says why."""


class UnknownUserError(LookupError):
    """No enabled user of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"no enabled user {self.name!r} (see `bpo users list`)"


@dataclass(frozen=True)
class Issued:
    """A user with the token just made for them: shown once, never again."""

    name: str
    role: str
    clients: list[str]
    token: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "clients": self.clients, "token": self.token}


def _clean_clients(clients: Sequence[str]) -> list[str]:
    out = sorted({c.strip() for c in clients if c.strip()})
    if ALL_CLIENTS in out and len(out) > 1:
        raise UserError("give either '*' (every client) or client ids, not both")
    return out


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserError(
            f"unknown role {role!r}: use one of {', '.join(r.value for r in Role)}"
        ) from None


def find_user(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).first()


def add_user(
    session: Session,
    *,
    name: str,
    role: str,
    clients: Sequence[str] = (),
    sso_subject: str | None = None,
    now: dt.datetime,
) -> Issued:
    """A new enabled user and their first token."""
    if not NAME.match(name):
        raise UserError(
            f"{name!r} is not a user name: letters, digits, '.', '_', '@' or '-', at most 64"
        )
    kind = _role(role)
    if session.scalars(select(User.id).where(func.lower(User.name) == name.lower())).first():
        raise UserError(f"user {name!r} exists (rotate its token or update it instead)")
    assigned = _clean_clients(clients)
    token = new_token()
    session.add(
        User(
            name=name,
            role=kind.value,
            clients=assigned,
            token_hash=hash_token(token),
            sso_subject=sso_subject,
            created_at=now,
            token_issued_at=now,
        )
    )
    session.flush()
    return Issued(name, kind.value, assigned, token)


def _get(session: Session, name: str) -> User:
    user = find_user(session, name)
    if user is None:
        raise UserError(f"no user {name!r}")
    return user


def _end_sessions(session: Session, user: User) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def rotate_token(session: Session, *, name: str, now: dt.datetime) -> Issued:
    """A new token for ``name``; the old one stops working and the user's sessions end."""
    user = _get(session, name)
    token = new_token()
    user.token_hash = hash_token(token)
    user.token_issued_at = now
    _end_sessions(session, user)
    return Issued(user.name, user.role, list(user.clients), token)


def set_enabled(session: Session, *, name: str, enabled: bool, now: dt.datetime) -> User:
    """Disable (no sign-in, no action, sessions ended) or enable a user again."""
    user = _get(session, name)
    user.enabled = enabled
    user.disabled_at = None if enabled else now
    if not enabled:
        _end_sessions(session, user)
    return user


def update_user(
    session: Session,
    *,
    name: str,
    role: str | None = None,
    clients: Sequence[str] | None = None,
    sso_subject: str | None = None,
) -> User:
    """Change a user's role, clients or single sign-on subject; their sessions end."""
    user = _get(session, name)
    if role is not None:
        user.role = _role(role).value
    if clients is not None:
        user.clients = _clean_clients(clients)
    if sso_subject is not None:
        user.sso_subject = sso_subject or None
    _end_sessions(session, user)
    return user


def user_dict(user: User) -> dict[str, Any]:
    """What ``bpo users list`` shows of a user (never the token or its hash)."""
    return {
        "name": user.name,
        "role": user.role,
        "clients": list(user.clients),
        "enabled": user.enabled,
        "sso_subject": user.sso_subject,
        "created_at": user.created_at.isoformat(),
        "token_issued_at": user.token_issued_at.isoformat(),
        "last_sign_in_at": user.last_sign_in_at.isoformat() if user.last_sign_in_at else None,
    }


def list_users(session: Session) -> list[dict[str, Any]]:
    return [user_dict(u) for u in session.scalars(select(User).order_by(User.name))]


def actor_of(user: User, via: str) -> Actor:
    return Actor(name=user.name, role=Role(user.role), clients=frozenset(user.clients), via=via)


def actor_for(session: Session, name: str, *, via: str = "cli") -> Actor:
    """The enabled user called ``name`` as an actor; raises :class:`UnknownUserError`."""
    user = find_user(session, name.strip())
    if user is None or not user.enabled:
        raise UnknownUserError(name)
    return actor_of(user, via)


def check_token(session: Session, *, name: str, token: str) -> User | None:
    """The enabled user whose name and token these are, or None (same time either way)."""
    user = find_user(session, name)
    ok = token_matches(user.token_hash if user is not None else None, token)
    if user is None or not ok or not user.enabled:
        return None
    return user


def sso_user(session: Session, subject: str) -> User | None:
    """The enabled user an identity provider's claim value names: the one whose
    ``sso_subject`` it is, else the one of that name without a subject of their own."""
    user = session.scalars(select(User).where(User.sso_subject == subject)).first()
    if user is None:
        user = find_user(session, subject)
        if user is not None and user.sso_subject not in (None, subject):
            user = None
    return user if user is not None and user.enabled else None
