"""People and their sign-ins: users (role, clients, hashed token), web sessions, and the
per-name count of failed sign-ins that throttles guessing.

Tokens and session ids are never stored as given: a user's token as an argon2 hash, a
session id as its sha256 (the id itself is a 256-bit random value, so a fast hash is enough
and a stolen table opens no session).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base, utcnow
from store.types import UTCDateTime


class User(Base):
    """A person who signs in: reviewer, lead, qa, finance or admin, for some clients.

    ``clients`` lists client ids, or ``["*"]`` for every client (present and future).
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    clients: Mapped[list[str]] = mapped_column(JSON)
    #: argon2id hash of the personal token (``$argon2id$...``).
    token_hash: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: The value of the identity provider's claim that signs this user in (single sign-on).
    sso_subject: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    token_issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class WebSession(Base):
    """A signed-in browser: who, until when, and the CSRF token its forms must carry."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)

    #: sha256 hex of the session id the cookie carries.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    #: How the user signed in: ``token`` or ``sso``.
    method: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SignInThrottle(Base):
    """Failed sign-ins per name (known or not): five in a row lock the name for a while."""

    __tablename__ = "sign_in_throttle"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


__all__ = ["SignInThrottle", "User", "WebSession"]
