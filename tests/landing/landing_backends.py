"""A scheme's landing layout (file, sftp or s3) with direct access for arranging and checking."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fsspec import AbstractFileSystem

from landing.filesystems import open_filesystem
from landing.retry import RetryPolicy
from landing.urls import Location
from landing.zone import LandingZone
from schemas.landing_options import LandingCredentials
from tests.servers import SftpServer, SftpUser

FIXED_NOW = datetime(2025, 3, 7, 12, 30, tzinfo=UTC)
FAST_RETRY = RetryPolicy(attempts=4, base_delay_seconds=0.01, max_delay_seconds=0.05)
CLIENTS = ("acme", "globex")


@dataclass
class Backend:
    """A scheme's landing layout plus direct access for arranging and checking files.

    ``local`` is the folder behind ``file://`` and behind the SFTP login's chroot; S3 objects
    are arranged through boto3, never through the code under test.
    """

    scheme: str
    base_url: str
    credentials: LandingCredentials
    local: Path | None = None
    s3: Any = None
    bucket: str = ""
    sftp: SftpServer | None = None

    def url(self, rel: str = "") -> str:
        return f"{self.base_url}/{rel}" if rel else self.base_url

    def put(self, rel: str, data: bytes) -> None:
        if self.local is not None:
            path = self.local / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        else:
            self.s3.put_object(Bucket=self.bucket, Key=rel, Body=data)

    def get(self, rel: str) -> bytes:
        if self.local is not None:
            return (self.local / rel).read_bytes()
        return bytes(self.s3.get_object(Bucket=self.bucket, Key=rel)["Body"].read())

    def files(self, prefix: str) -> list[str]:
        """Relative paths of every file below ``prefix`` (links included, not followed)."""
        if self.local is not None:
            base = self.local / prefix
            if not base.exists():
                return []
            return sorted(
                p.relative_to(self.local).as_posix()
                for p in base.rglob("*")
                if p.is_file() or p.is_symlink()
            )
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{prefix}/"
        )
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def zone(self, **kwargs: Any) -> LandingZone:
        options: dict[str, Any] = {
            "archive_url": self.url("archive"),
            "quarantine_url": self.url("quarantine"),
            "clients": CLIENTS,
            "credentials": self.credentials,
            "retry": FAST_RETRY,
            "clock": lambda: FIXED_NOW,
        }
        root_url = kwargs.pop("root_url", self.url("landing"))
        options.update(kwargs)
        return LandingZone(root_url, **options)

    def drop_next_read(self) -> Callable[[Location, LandingCredentials], AbstractFileSystem]:
        """Make the next read fail as a dropped connection; return the factory to use.

        On SFTP the server aborts the connection; elsewhere the first filesystem opened
        raises ``ConnectionResetError`` from its first ``cat_file``.
        """
        if self.sftp is not None:
            self.sftp.faults.drop_reads = 1
            return open_filesystem
        if self.scheme == "sftp":
            import pytest

            pytest.skip("dropping a read mid-download needs the asyncssh test server")
        opened: list[AbstractFileSystem] = []

        def factory(location: Location, creds: LandingCredentials) -> AbstractFileSystem:
            fs = open_filesystem(location, creds)
            if not opened:
                real = fs.cat_file

                def flaky(path: str, *args: Any, **kw: Any) -> Any:
                    fs.cat_file = real
                    real(path, *args, **kw)  # start the download, then lose it
                    raise ConnectionResetError("connection reset by peer")

                fs.cat_file = flaky
            opened.append(fs)
            return fs

        return factory

    def reads_dropped(self) -> int:
        return self.sftp.faults.reads_dropped if self.sftp is not None else 1


def new_sftp_user(server: SftpServer, root: Path, **kwargs: Any) -> str:
    name = f"u{uuid.uuid4().hex[:10]}"
    root.mkdir(parents=True, exist_ok=True)
    server.add_user(SftpUser(name=name, root=root, **kwargs))
    return name
