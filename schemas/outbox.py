"""Where a client's answers are written: the contract landing zones implement and doc types use."""

from __future__ import annotations

from typing import Protocol


class Outbox(Protocol):
    """Where a file's outputs go: ``<outbox>/<client_id>/<relative_name>``."""

    def write(self, relative_name: str, data: bytes) -> str:
        """Write atomically (same name, same bytes: a re-run changes nothing); return its URL."""
        ...
