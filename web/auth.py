"""Reviewer login: a name plus the team's shared token, kept in a signed, expiring cookie.

The cookie is ``<name>|<expires epoch>|<hmac>``; the HMAC key is derived from the shared
token, so rotating the token logs everyone out. It is ``HttpOnly`` and ``SameSite=Strict``
(no cross-site form posts carry it).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

COOKIE = "bpo_reviewer"
MAX_AGE = 12 * 3600
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")


class ReviewerAuth:
    def __init__(self, token: str) -> None:
        if len(token) < 8:
            raise ValueError("the reviewer token needs at least 8 characters")
        self._token = token.encode()
        self._key = hashlib.sha256(b"bpo-review-cookie:" + self._token).digest()

    def token_ok(self, candidate: str) -> bool:
        return hmac.compare_digest(candidate.encode(), self._token)

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, name: str, now: float | None = None) -> str:
        payload = f"{name}|{int((now or time.time()) + MAX_AGE)}"
        return f"{payload}|{self._sign(payload)}"

    def reviewer(self, cookie: str | None, now: float | None = None) -> str | None:
        """The reviewer a cookie names, or None when it is missing, forged or expired."""
        if not cookie or cookie.count("|") != 2:
            return None
        name, expires, sig = cookie.split("|")
        if not hmac.compare_digest(sig, self._sign(f"{name}|{expires}")):
            return None
        if not expires.isdigit() or int(expires) < (now or time.time()):
            return None
        return name if NAME.match(name) else None
