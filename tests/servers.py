"""Real servers for tests, on 127.0.0.1 and random ports: an asyncssh SFTP server with a
chroot per user (password and key logins) and moto's S3 server.

Use the fixtures (``sftp_server``, ``s3_server``, ``s3_bucket``) from a ``conftest.py`` with
``from tests.servers import s3_bucket, s3_server, sftp_server  # noqa: F401``, or the classes
directly as context managers.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh
import boto3  # type: ignore[import-untyped]
import pytest
from moto.server import ThreadedMotoServer

LOOPBACK = "127.0.0.1"
S3_KEY_ID = "testing"
S3_SECRET = "testing"  # moto accepts any key; nothing secret here


@dataclass
class SftpUser:
    """One login: ``root`` is the folder the user sees as ``/``."""

    name: str
    root: Path
    password: str | None = None
    #: OpenSSH public key text allowed to log in as this user.
    public_key: str | None = None


@dataclass
class _Faults:
    """Connections to drop: each read request while ``drop_reads > 0`` aborts the connection."""

    drop_reads: int = 0
    reads_dropped: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        with self.lock:
            if self.drop_reads <= 0:
                return False
            self.drop_reads -= 1
            self.reads_dropped += 1
            return True


class _Auth(asyncssh.SSHServer):
    def __init__(self, users: dict[str, SftpUser]) -> None:
        self._users = users

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        user = self._users.get(username)
        if user is None or user.password is None:
            return False
        return hmac.compare_digest(user.password.encode(), password.encode())

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        user = self._users.get(username)
        if user is None or user.public_key is None:
            return False
        allowed = asyncssh.import_public_key(user.public_key)
        return bool(allowed.public_data == key.public_data)


class SftpServer:
    """An asyncssh SFTP server in a background thread with its own event loop."""

    def __init__(self, users: list[SftpUser], host_key: asyncssh.SSHKey | None = None) -> None:
        self.users = {u.name: u for u in users}
        self.host_key = host_key or asyncssh.generate_private_key("ssh-ed25519")
        self.faults = _Faults()
        self.host = LOOPBACK
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncssh.SSHAcceptor | None = None

    @property
    def host_public_key(self) -> str:
        """The server's key in OpenSSH format, as a config pins it."""
        return bytes(self.host_key.export_public_key("openssh")).decode().strip()

    def url(self, user: str, path: str = "/") -> str:
        return f"sftp://{user}@{self.host}:{self.port}{path}"

    def add_user(self, user: SftpUser) -> None:
        self.users[user.name] = user

    def start(self) -> SftpServer:
        self._thread.start()
        faults, users = self.faults, self.users

        class _Sftp(asyncssh.SFTPServer):
            def __init__(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
                root = users[chan.get_extra_info("username")].root
                super().__init__(chan, chroot=str(root).encode())

            def read(self, file_obj: object, offset: int, size: int) -> Any:
                if faults.take():
                    self.connection.abort()
                    raise asyncssh.sftp.SFTPConnectionLost("connection dropped by test")
                return super().read(file_obj, offset, size)

        async def listen() -> asyncssh.SSHAcceptor:
            return await asyncssh.create_server(
                lambda: _Auth(users),
                self.host,
                0,
                server_host_keys=[self.host_key],
                sftp_factory=_Sftp,
                allow_scp=False,
            )

        self._server = asyncio.run_coroutine_threadsafe(listen(), self._loop).result(10)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        server = self._server
        if server is not None:

            async def close() -> None:
                server.close()
                await server.wait_closed()

            asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> SftpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class S3Server:
    """moto's S3 in a thread on 127.0.0.1; every test makes its own bucket."""

    def __init__(self) -> None:
        self._server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
        self.endpoint_url = ""

    def start(self) -> S3Server:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        self._server.stop()

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=S3_KEY_ID,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        )

    def new_bucket(self) -> str:
        name = f"bpo-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def sftp_server() -> Iterator[SftpServer]:
    """A running SFTP server with no users yet; tests add theirs with ``add_user``."""
    with SftpServer([]) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with S3Server() as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A fresh, empty bucket on the session's S3 server."""
    return s3_server.new_bucket()
