"""Retries for dropped connections: which errors are worth another try, and how long to wait.

A transient error drops the filesystem (an SFTP connection that died stays dead) and the next
attempt opens a new one. Anything else, including a host-key mismatch, fails at once.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fsspec import AbstractFileSystem
from fsspec.exceptions import FSTimeoutError

from landing.filesystems import HostKeyMismatchError, open_filesystem
from landing.urls import Location
from schemas.landing_options import LandingCredentials

log = logging.getLogger(__name__)

T = TypeVar("T")
FilesystemFactory = Callable[[Location, LandingCredentials], AbstractFileSystem]


def _transient_types() -> tuple[type[BaseException], ...]:
    """The errors of a dropped connection, from the client libraries loaded so far: one not
    imported (``asyncssh`` before the first SFTP zone, ``botocore`` before the first S3 one)
    cannot have raised anything, and importing it here would cost every command its import."""
    types: list[type[BaseException]] = [ConnectionError, TimeoutError, FSTimeoutError]
    asyncssh = sys.modules.get("asyncssh")
    if asyncssh is not None:
        types += [
            asyncssh.ConnectionLost,
            asyncssh.ChannelOpenError,
            asyncssh.sftp.SFTPConnectionLost,
            asyncssh.sftp.SFTPNoConnection,
        ]
    boto = sys.modules.get("botocore.exceptions")
    if boto is not None:
        types += [boto.ConnectionError, boto.HTTPClientError]
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None:
        types += [aiohttp.ClientConnectionError, aiohttp.ClientPayloadError]
    return tuple(types)


def is_transient(exc: BaseException) -> bool:
    """A dropped or refused connection or a timeout, here or anywhere in the cause chain."""
    seen: BaseException | None = exc
    transient = _transient_types()
    while seen is not None:
        if isinstance(seen, HostKeyMismatchError | PermissionError):
            return False
        if isinstance(seen, transient):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 8.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff after failed attempt number ``attempt`` (0-based)."""
        return float(min(self.max_delay_seconds, self.base_delay_seconds * 2**attempt))


class Connection:
    """One location's filesystem, opened lazily and reopened after a transient error."""

    def __init__(
        self,
        location: Location,
        credentials: LandingCredentials,
        *,
        retry: RetryPolicy,
        factory: FilesystemFactory = open_filesystem,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.location = location
        self.credentials = credentials
        self._retry = retry
        self._factory = factory
        self._sleep = sleep
        self._fs: AbstractFileSystem | None = None

    @property
    def fs(self) -> AbstractFileSystem:
        if self._fs is None:
            self._fs = self._factory(self.location, self.credentials)
        return self._fs

    def reset(self) -> None:
        self._fs = None

    def call(self, op: Callable[[AbstractFileSystem], T], *, what: str) -> T:
        """Run ``op`` on the filesystem, retrying transient failures with backoff."""
        for attempt in range(self._retry.attempts):
            try:
                return op(self.fs)
            except Exception as exc:
                if not is_transient(exc) or attempt + 1 >= self._retry.attempts:
                    raise
                delay = self._retry.delay(attempt)
                log.warning(
                    "%s on %s failed (%s: %s); retrying in %.1fs",
                    what,
                    self.location.url,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                self.reset()
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
