"""Open the fsspec filesystem for a location, with its credentials and a pinned SFTP host key.

Filesystems are built with ``skip_instance_cache`` so a connection dropped under one zone is
never handed back by fsspec's cache; ``Connection`` rebuilds them instead.
"""

from __future__ import annotations

from typing import Any

from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem

from landing.urls import Location
from schemas.landing_options import LandingCredentials

SFTP_CONNECT_TIMEOUT_SECONDS = 15


class HostKeyMismatchError(ConnectionError):
    """The SFTP server's host key is not the pinned one: possibly a man in the middle."""


def open_filesystem(location: Location, credentials: LandingCredentials) -> AbstractFileSystem:
    """A fresh filesystem for ``location``.

    Raises:
        HostKeyMismatchError: the SFTP server presented a key other than the pinned one.
        ValueError: the pinned host key or the private key cannot be parsed.
    """
    if location.scheme == "file":
        return LocalFileSystem(skip_instance_cache=True)
    if location.scheme == "s3":
        return _open_s3(credentials)
    return _open_sftp(location, credentials)


def _open_s3(credentials: LandingCredentials) -> AbstractFileSystem:
    from s3fs import S3FileSystem

    options: dict[str, Any] = {
        "skip_instance_cache": True,
        "use_listings_cache": False,
    }
    if credentials.aws_access_key_id and credentials.aws_secret_access_key:
        options["key"] = credentials.aws_access_key_id
        options["secret"] = credentials.aws_secret_access_key.get_secret_value()
        if credentials.aws_session_token is not None:
            options["token"] = credentials.aws_session_token.get_secret_value()
    if credentials.s3_endpoint_url:
        options["endpoint_url"] = credentials.s3_endpoint_url
    fs: AbstractFileSystem = S3FileSystem(**options)
    return fs


def _known_hosts(credentials: LandingCredentials) -> Any:
    """The pinned key as asyncssh's (trusted, CA, revoked) triple; else ``~/.ssh/known_hosts``."""
    import asyncssh

    if credentials.host_key is None:
        return ()
    try:
        key = asyncssh.import_public_key(credentials.host_key.strip())
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise ValueError(f"pinned SFTP host key is not an OpenSSH public key: {exc}") from None
    return ([key], [], [])


def _open_sftp(location: Location, credentials: LandingCredentials) -> AbstractFileSystem:
    import asyncssh  # with the first SFTP zone: other commands need not load it
    from sshfs import SSHFileSystem

    client_keys = None
    if credentials.private_key is not None:
        passphrase = (
            None
            if credentials.key_passphrase is None
            else credentials.key_passphrase.get_secret_value()
        )
        try:
            client_keys = [
                asyncssh.import_private_key(credentials.private_key.get_secret_value(), passphrase)
            ]
        except (asyncssh.KeyImportError, ValueError) as exc:
            raise ValueError(f"SFTP private key cannot be read: {exc}") from None
    where = f"{location.host}:{location.port or 22}"
    try:
        fs: AbstractFileSystem = SSHFileSystem(
            location.host,
            port=location.port or 22,
            username=credentials.username or location.username,
            password=(
                None if credentials.password is None else credentials.password.get_secret_value()
            ),
            client_keys=client_keys,
            agent_path=None,
            known_hosts=_known_hosts(credentials),
            connect_timeout=SFTP_CONNECT_TIMEOUT_SECONDS,
            skip_instance_cache=True,
        )
    except asyncssh.HostKeyNotVerifiable as exc:
        pinned = "the pinned host_key" if credentials.host_key else "~/.ssh/known_hosts"
        raise HostKeyMismatchError(
            f"SFTP server {where} presented a host key that does not match {pinned}; "
            f"refusing to connect. If the server's key really changed, update host_key in "
            f"bpo.toml after checking its fingerprint with the server's operator ({exc.reason})"
        ) from None
    except (asyncssh.PermissionDenied, PermissionError):  # sshfs re-raises the latter
        raise PermissionError(
            f"SFTP login to {where} refused: check the user and the *_SFTP_PASSWORD or "
            "*_SFTP_KEY environment variables"
        ) from None
    return fs
