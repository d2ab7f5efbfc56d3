"""Bytes between the landing zone and a processing run: a private staged copy, read once.

A file taken from a zone is copied under ``<state_dir>/staging/<client_id>/`` with a name of
its own, so two runs of the same bytes never share (and never delete) each other's copy. Its
sha256 is computed once, when the run reads it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileBytes:
    """A file's content and its sha256 (the file's identity for idempotent ingest)."""

    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def read_file(path: str | Path) -> FileBytes:
    """The bytes of a local file and their sha256."""
    data = Path(path).read_bytes()
    return FileBytes(data, hashlib.sha256(data).hexdigest())


def stage(state_dir: Path, client_id: str, data: bytes) -> Path:
    """Write ``data`` to a new private file under the state folder; return its absolute path."""
    folder = state_dir / "staging" / client_id
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / uuid.uuid4().hex
    staged.write_bytes(data)
    return staged.resolve()


def discard(path: Path) -> None:
    """Remove a staged copy (a no-op when it is gone already)."""
    path.unlink(missing_ok=True)
