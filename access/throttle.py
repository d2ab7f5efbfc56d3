"""Sign-in throttling per name: after five failed sign-ins in a row the name is locked for
five minutes (every sign-in for it answers "too many attempts", even with the right token).

Counted for any name, known or not, so the answer never tells which names exist. A success
clears the count; a lock that ran out starts a new count.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from store.access_models import SignInThrottle

MAX_FAILURES = 5
LOCK = dt.timedelta(minutes=5)


def _key(name: str) -> str:
    return name.strip().lower()[:64]


def locked_until(session: Session, name: str, *, now: dt.datetime) -> dt.datetime | None:
    """When the name's lock ends, or None when it may try now."""
    row = session.get(SignInThrottle, _key(name))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def record_failure(session: Session, name: str, *, now: dt.datetime) -> dt.datetime | None:
    """Count one failed sign-in; returns the lock's end when this failure locks the name."""
    key = _key(name)
    row = session.get(SignInThrottle, key, with_for_update=True)
    if row is None:
        row = SignInThrottle(name=key, failures=0)
        session.add(row)
    if row.locked_until is not None and row.locked_until <= now:
        row.failures, row.locked_until = 0, None  # the lock ran out: a new count
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= MAX_FAILURES:
        row.locked_until = now + LOCK
    return row.locked_until


def clear(session: Session, name: str) -> None:
    row = session.get(SignInThrottle, _key(name))
    if row is not None:
        session.delete(row)
