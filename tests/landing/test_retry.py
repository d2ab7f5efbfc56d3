"""Which errors are worth another try (``landing.retry.is_transient``), whichever client
library raised them."""

from __future__ import annotations

import asyncssh
import pytest

from landing.filesystems import HostKeyMismatchError
from landing.retry import is_transient


def _chained(outer: Exception, cause: BaseException) -> Exception:
    outer.__cause__ = cause
    return outer


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (ConnectionResetError("reset by peer"), True),
        (TimeoutError("read timed out"), True),
        (asyncssh.sftp.SFTPConnectionLost("connection lost"), True),
        (asyncssh.ConnectionLost("connection lost"), True),
        (_chained(RuntimeError("listing failed"), ConnectionResetError("reset")), True),
        (HostKeyMismatchError("host key changed"), False),
        (PermissionError("login refused"), False),
        (ValueError("not a number"), False),
    ],
)
def test_dropped_connections_are_retried_and_nothing_else(
    exc: BaseException, transient: bool
) -> None:
    assert is_transient(exc) is transient
