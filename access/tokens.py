"""Personal tokens: made with ``secrets``, shown once, kept only as an argon2id hash.

A token is ``bpo_`` and 43 URL-safe characters (256 random bits). Checking a name that does
not exist still runs one argon2 verification, so the answer time does not tell which names
exist.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

PREFIX = "bpo_"


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, 3 passes)


@cache
def _decoy() -> str:
    return _hasher().hash(PREFIX + "decoy")


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return _hasher().hash(token)


def token_matches(token_hash: str | None, candidate: str) -> bool:
    """Whether ``candidate`` is the token ``token_hash`` was made from (None: a missing user,
    checked against a decoy so it takes as long)."""
    try:
        return _hasher().verify(token_hash or _decoy(), candidate) and token_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
