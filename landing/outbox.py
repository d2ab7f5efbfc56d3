"""``FsOutbox``: a client's outbox, where its answers are staged and then published.

Everything a client reads lands under ``<outbox>/<client_id>/``; a name that would leave that
folder is refused, and writing the same bytes again changes nothing. Outputs of a run are first
*staged* under ``<outbox>/.staging/<client_id>/<token>/`` (outside the client's folder, on the
same server, so publishing is a rename, not a copy) and *published* into the client's folder
only after the store committed what they reflect (see ``landing.publication``).
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable
from pathlib import Path

from fsspec import AbstractFileSystem

from landing.filesystems import open_filesystem
from landing.names import UnsafeNameError, relative_parts
from landing.retry import Connection, FilesystemFactory, RetryPolicy
from landing.urls import parse_location
from landing.writes import move, same_bytes, write_atomic
from schemas.config import CLIENT_ID
from schemas.landing_options import LandingCredentials

#: The folder beside the clients' folders where outputs wait for their commit.
STAGING = ".staging"
#: Temporary names ``write_atomic`` uses while writing; never an answer.
_TEMP_SUFFIX = ".tmp"


class StagedOutputMissingError(FileNotFoundError):
    """A committed output is neither in staging nor in the outbox."""


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
        root = parse_location(outbox_url, base_dir=base_dir)
        self.folder = root.child(client_id)
        self.staging = root.child(STAGING, client_id)
        self._conn = Connection(
            self.folder,
            credentials or LandingCredentials(),
            retry=retry or RetryPolicy(),
            factory=filesystem_factory,
            sleep=sleep,
        )

    def _target(self, relative_name: str) -> str:
        target = self.folder.child(*relative_parts(relative_name))
        if not self.folder.contains(target.path):  # pragma: no cover - relative_parts guards
            raise UnsafeNameError(f"{relative_name!r} leaves the client's outbox")
        return target.path

    def url_of(self, relative_name: str) -> str:
        """Where ``relative_name`` is (or will be, once published) in the client's outbox."""
        return self.folder.url_of(self._target(relative_name))

    def write(self, relative_name: str, data: bytes) -> str:
        """Write ``<outbox>/<client_id>/<relative_name>`` atomically, now; return its URL.

        For what needs no commit first (finance's exports of a closed period); a run's
        outputs go through :meth:`stage` and :meth:`publish`.

        Raises:
            UnsafeNameError: the name is absolute, climbs out with ``..`` or is not storable.
        """
        path = self._target(relative_name)
        if not same_bytes(self._conn, path, data):
            write_atomic(self._conn, path, data)
        return self.folder.url_of(path)

    def _staged(self, token: str, relative_name: str) -> str:
        return self.staging.child(token, *relative_parts(relative_name)).path

    def stage(self, token: str, relative_name: str, data: bytes) -> None:
        """Write an output into the staging folder ``token``, out of the client's sight."""
        self._target(relative_name)  # the same name checks as the published file
        write_atomic(self._conn, self._staged(token, relative_name), data)

    def publish(self, token: str, relative_name: str) -> str:
        """Move a staged output into the client's folder (a rename on one server); return its
        URL. Publishing again after a move that landed is a no-op.

        Raises:
            StagedOutputMissingError: neither the staged file nor the published one exists.
        """
        target = self._target(relative_name)
        staged = self._staged(token, relative_name)

        def where(fs: AbstractFileSystem) -> tuple[bool, bool]:
            return bool(fs.exists(staged)), bool(fs.exists(target))

        has_staged, has_target = self._conn.call(where, what="check")
        if has_staged:
            move(self._conn, staged, self._conn, target)
        elif not has_target:
            raise StagedOutputMissingError(
                f"{relative_name} is neither staged ({token}) nor in {self.folder.url}"
            )
        return self.folder.url_of(target)

    def discard(self, token: str) -> None:
        """Remove the staging folder ``token`` and what is left in it."""
        path = self.staging.child(token).path

        def remove(fs: AbstractFileSystem) -> None:
            try:
                if self.staging.scheme == "s3":  # no folders: one object at a time
                    for found in fs.find(path):
                        fs.rm_file(found)
                elif fs.exists(path):
                    fs.rm(path, recursive=True)
            except FileNotFoundError:
                return

        self._conn.call(remove, what="discard")

    def published(self) -> dict[str, int]:
        """Every file in the client's folder, by relative name, with its size."""
        root = self.folder.path.rstrip("/")

        def walk(fs: AbstractFileSystem) -> dict[str, int]:
            try:
                found = fs.find(root, detail=True)
            except FileNotFoundError:
                return {}
            out: dict[str, int] = {}
            for path, info in found.items():
                rel = posixpath.relpath(str(path).rstrip("/"), root)
                base = posixpath.basename(rel)
                if base.startswith(".") and base.endswith(_TEMP_SUFFIX):
                    continue  # an atomic write in progress
                if info.get("type") == "directory":
                    continue
                out[rel] = int(info.get("size") or 0)
            return out

        return self._conn.call(walk, what="list")
