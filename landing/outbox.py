"""``FsOutbox``: the ``tasks.doctype.Outbox`` a client's answers are written to.

Everything lands under ``<outbox>/<client_id>/``; a name that would leave that folder is
refused, and writing the same bytes again changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from schemas.config import CLIENT_ID
from schemas.landing_options import LandingCredentials
from landing.filesystems import open_filesystem
from landing.names import UnsafeNameError, relative_parts
from landing.retry import Connection, FilesystemFactory, RetryPolicy
from landing.urls import parse_location
from landing.writes import same_bytes, write_atomic


class FsOutbox:
    """One client's outbox on ``file://``, ``sftp://`` or ``s3://``."""

    def __init__(
        self,
        outbox_url: str,
        client_id: str,
        credentials: LandingCredentials | None = None,
        *,
        base_dir: Path | None = None,
        retry: RetryPolicy | None = None,
        filesystem_factory: FilesystemFactory = open_filesystem,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not CLIENT_ID.match(client_id):
            raise UnsafeNameError(f"{client_id!r} is not a valid client id")
        self.client_id = client_id
        self.folder = parse_location(outbox_url, base_dir=base_dir).child(client_id)
        self._conn = Connection(
            self.folder,
            credentials or LandingCredentials(),
            retry=retry or RetryPolicy(),
            factory=filesystem_factory,
            sleep=sleep,
        )

    def write(self, relative_name: str, data: bytes) -> str:
        """Write ``<outbox>/<client_id>/<relative_name>`` atomically; return its URL.

        Raises:
            UnsafeNameError: the name is absolute, climbs out with ``..`` or is not storable.
        """
        target = self.folder.child(*relative_parts(relative_name))
        if not self.folder.contains(target.path):  # pragma: no cover - relative_parts guards
            raise UnsafeNameError(f"{relative_name!r} leaves the client's outbox")
        if not same_bytes(self._conn, target.path, data):
            write_atomic(self._conn, target.path, data)
        return target.url
