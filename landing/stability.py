"""Completeness by stability: a file is ready once two listings in a row see it unchanged.

The previous listing lives in memory and, when a path is given, in a small JSON file, because
``bpo ingest --once`` starts a fresh process each time. Example: a file listed as
``(size=10, v=t1)`` then ``(size=20, v=t2)`` is still growing; a third listing with
``(size=20, v=t2)`` makes it ready.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

Signature = tuple[int, str]
_STATE_VERSION = 1


class StabilityTracker:
    """Remembers the last listing (url -> size and version) and says which files held still."""

    def __init__(self, state_path: Path | None = None) -> None:
        self._state_path = state_path
        self._previous: dict[str, Signature] = self._load()

    def observe(self, listing: dict[str, Signature]) -> set[str]:
        """Record this listing; return the urls whose signature equals the previous one's."""
        stable = {url for url, sig in listing.items() if self._previous.get(url) == sig}
        self._previous = dict(listing)
        self._save()
        return stable

    def _load(self) -> dict[str, Signature]:
        if self._state_path is None or not self._state_path.exists():
            return {}
        try:
            raw = json.loads(self._state_path.read_text(encoding="utf-8"))
            if raw.get("version") != _STATE_VERSION:
                return {}
            return {str(url): (int(s[0]), str(s[1])) for url, s in raw["files"].items()}
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            # A damaged state file only delays files by one poll; never block ingest on it.
            log.warning("landing state %s is unreadable; starting afresh", self._state_path)
            return {}

    def _save(self) -> None:
        if self._state_path is None:
            return
        self._state_path.parent.mkdir(parents=True, exist_ok=True)
        body = {"version": _STATE_VERSION, "files": {u: list(s) for u, s in self._previous.items()}}
        fd, tmp = tempfile.mkstemp(dir=self._state_path.parent, prefix=".landing-state-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(body, fh, sort_keys=True)
            Path(tmp).replace(self._state_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
