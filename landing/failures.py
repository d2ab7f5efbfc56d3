"""How often taking a landed file failed for a system reason, so a file is parked, not
retried forever.

Counted per file URL and version (a re-upload starts afresh) in a small JSON file beside the
zone's listing state, because ``bpo ingest --once`` starts a fresh process each poll. A
success forgets the file's count.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from schemas.short_text import shorten

log = logging.getLogger(__name__)

_VERSION = 1


class FailureLog:
    """Failures by key (``<url>\\n<version>``), with the last error of each."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._counts: dict[str, dict[str, int | str]] = self._load()

    def record(self, key: str, error: str) -> int:
        """Count one more failure of ``key``; return how many there were in all."""
        entry = self._counts.setdefault(key, {"count": 0, "error": ""})
        entry["count"] = int(entry["count"]) + 1
        entry["error"] = shorten(error, 500)
        self._save()
        return int(entry["count"])

    def count(self, key: str) -> int:
        return int(self._counts.get(key, {}).get("count", 0))

    def forget(self, key: str) -> None:
        if self._counts.pop(key, None) is not None:
            self._save()

    def _load(self) -> dict[str, dict[str, int | str]]:
        if self._path is None or not self._path.exists():
            return {}
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
            if raw.get("version") != _VERSION:
                return {}
            return {
                str(k): {"count": int(v["count"]), "error": str(v.get("error", ""))}
                for k, v in raw["failures"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("failure counts %s are unreadable; starting afresh", self._path)
            return {}

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        body = {"version": _VERSION, "failures": self._counts}
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".landing-failures-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(body, fh, sort_keys=True)
            Path(tmp).replace(self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
