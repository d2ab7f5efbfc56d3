"""Landing URLs (``file://``, ``sftp://``, ``s3://``) parsed into one comparable shape.

``file://./landing`` is relative to the config's folder; ``sftp://user@host:port/path`` never
carries a password (it comes from the environment); ``s3://bucket/prefix``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

Scheme = Literal["file", "sftp", "s3"]


@dataclass(frozen=True)
class Location:
    """Where a folder lives; ``path`` is what the scheme's fsspec filesystem expects.

    ``file``: an absolute POSIX path; ``sftp``: an absolute path on the server (``/`` is the
    login's root, the chroot on a jailed server); ``s3``: ``bucket/prefix`` without slashes at
    either end.
    """

    scheme: Scheme
    path: str
    host: str = ""
    port: int | None = None
    username: str | None = None

    def child(self, *parts: str) -> Location:
        return replace(self, path=posixpath.join(self.path, *parts))

    def url_of(self, path: str) -> str:
        """The URL of an fsspec path on this location's server."""
        if self.scheme == "file":
            return f"file://{path}"
        if self.scheme == "s3":
            return f"s3://{path}"
        user = f"{self.username}@" if self.username else ""
        port = f":{self.port}" if self.port else ""
        return f"sftp://{user}{self.host}{port}{path}"

    @property
    def url(self) -> str:
        return self.url_of(self.path)

    def contains(self, path: str) -> bool:
        """Whether ``path`` is strictly below this folder, compared as written.

        No normalisation: on S3 ``a/../b`` is a literal key below ``a/``, and a name with
        ``..`` is refused by the listing, never resolved.
        """
        root = self.path.rstrip("/")
        return path.startswith(f"{root}/") and len(path) > len(root) + 1

    def server(self) -> tuple[str, str, int | None, str | None]:
        """What identifies one connection: two locations with equal servers share one."""
        return (self.scheme, self.host, self.port, self.username)


def parse_location(url: str, *, base_dir: Path | None = None) -> Location:
    """Parse a landing URL; a bare path means a local folder.

    Raises:
        ValueError: an unsupported scheme, a password in the URL, or an S3 URL with no bucket.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("", "file"):
        if scheme == "":
            raw = url
        elif parts.netloc in ("", "localhost"):
            raw = parts.path
        else:  # file://./landing: the "netloc" is the start of a relative path
            raw = parts.netloc + parts.path
        path = Path(raw)
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        return Location("file", posixpath.normpath(path.resolve().as_posix()))
    if scheme == "sftp":
        if parts.password is not None:
            raise ValueError(
                "put the SFTP password in the <PREFIX>_SFTP_PASSWORD environment variable, "
                "not in the URL"
            )
        if not parts.hostname:
            raise ValueError(f"SFTP URL {url!r} has no host")
        remote = posixpath.normpath("/" + parts.path.lstrip("/"))
        return Location("sftp", remote, parts.hostname, parts.port, parts.username)
    if scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"S3 URL {url!r} has no bucket")
        prefix = posixpath.normpath("/" + parts.path).strip("/")
        return Location("s3", f"{parts.netloc}/{prefix}".rstrip("/"))
    raise ValueError(f"landing URL {url!r}: use file://, sftp:// or s3://")
