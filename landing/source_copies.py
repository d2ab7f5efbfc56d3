"""Copies of source documents for reviewers: what a page image is rendered from after the
landing zone archived (or a person moved) the file.

Kept under ``<state_dir>/sources/<client_id>/<sha256>``: content-addressed (the same bytes are
kept once), one folder per client (a copy is only ever looked up under the client of the item
asking), readable by the service's user alone. Only documents a person has to look at are kept:
PDFs and images with records in review. The reviewer page and the workers must share the state
folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from schemas.config import CLIENT_ID
from schemas.file_magic import image_kind

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def worth_keeping(data: bytes) -> bool:
    """Whether a reviewer would look at these bytes as pages (a PDF, a scanned image); tabular
    rows and X12 segments travel with their review items instead."""
    return data.lstrip()[:5] == b"%PDF-" or image_kind(data) is not None


def _path(state_dir: Path, client_id: str, sha256: str) -> Path:
    if not CLIENT_ID.match(client_id) or not _SHA256.match(sha256):
        raise ValueError(f"not a client id and sha256: {client_id!r}, {sha256!r}")
    return state_dir / "sources" / client_id / sha256


def keep(state_dir: Path, client_id: str, sha256: str, data: bytes) -> Path:
    """Keep ``data`` (whose sha256 is ``sha256``) for the client's reviewers; idempotent."""
    target = _path(state_dir, client_id, sha256)
    if target.exists() and target.stat().st_size == len(data):
        return target
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = target.with_name(f".{sha256}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    tmp.replace(target)
    return target


def read(state_dir: Path, client_id: str, sha256: str) -> bytes | None:
    """The kept copy, or None when there is none."""
    target = _path(state_dir, client_id, sha256)
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None
