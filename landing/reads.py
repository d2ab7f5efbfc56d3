"""Reading a listed file without following a link swapped in after the listing.

The listing refuses links, but a client (or another tenant sharing a server) can replace a
listed file, or a folder on its way, by a link between the listing and the read. Each scheme
closes that gap its own way:

- ``file://``: every folder from the zone's root down and the file itself are opened with
  ``O_NOFOLLOW`` relative to the one above (``openat``), so no component can be a link; the
  opened file must be a regular file.
- ``sftp://``: SFTP cannot open without following, so the file is ``lstat``-ed (not a link,
  a regular file), its folder's ``realpath`` must be the folder itself (no link on the way),
  the opened handle's attributes must match what ``lstat`` saw, and after the read the path
  must still not be a link: a swap that races the open is refused.
- ``s3://``: there are no links; the key itself must be the listed key below the client's
  prefix (checked by the zone before any read).
"""

from __future__ import annotations

import os
import posixpath
import stat
from typing import Any

from fsspec import AbstractFileSystem

from landing.names import printable

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class LinkRefusedError(PermissionError):
    """What was listed as a file is (now) a link, or sits below one: it is not read."""


def _refuse(path: str) -> LinkRefusedError:
    return LinkRefusedError(
        f"{printable(path)!r} is (or lies below) a symbolic link or is not a regular file "
        "at read time; links are not followed: upload the file itself"
    )


def read_local(root: str, path: str, limit: int = -1) -> bytes:
    """``path`` (below ``root``) read with no link anywhere below ``root``; at most ``limit``
    bytes when it is not negative."""
    rel = posixpath.relpath(path, root)
    parts = rel.split("/")
    if rel.startswith("..") or not parts or "" in parts:
        raise _refuse(path)
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except (NotADirectoryError, OSError) as exc:
                if isinstance(exc, FileNotFoundError):
                    raise
                raise _refuse(path) from None
            os.close(fd)
            fd = nxt
        try:
            file_fd = os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
        except FileNotFoundError:
            raise
        except OSError:  # ELOOP: the last component is a link
            raise _refuse(path) from None
    finally:
        os.close(fd)
    try:
        if not stat.S_ISREG(os.fstat(file_fd).st_mode):
            raise _refuse(path)
        os.set_blocking(file_fd, True)
        with os.fdopen(file_fd, "rb", closefd=False) as fh:
            return fh.read(limit)
    finally:
        os.close(file_fd)


def _same(a: Any, b: Any) -> bool:
    return bool(
        (a.size, a.mtime, a.permissions, a.uid, a.gid)
        == (b.size, b.mtime, b.permissions, b.uid, b.gid)
    )


def read_sftp(fs: AbstractFileSystem, path: str, limit: int = -1) -> bytes:
    """``path`` read over SFTP, refusing links (see the module docstring); at most ``limit``
    bytes when it is not negative."""
    from fsspec.asyn import sync

    async def read() -> bytes:
        # sshfs keeps a pool of SFTP channels; its own cat_file follows links.
        async with fs._pool.get() as sftp:
            before = await sftp.lstat(path)
            if not stat.S_ISREG(before.permissions or 0):
                raise _refuse(path)
            parent = posixpath.dirname(path)
            if await sftp.realpath(parent) != parent:
                raise _refuse(path)
            async with sftp.open(path, "rb") as fh:
                opened = await fh.stat()
                if not _same(before, opened):
                    raise _refuse(path)
                data: bytes = await fh.read(limit)
            after = await sftp.lstat(path)
            if not stat.S_ISREG(after.permissions or 0):
                raise _refuse(path)
            return data

    try:
        result: bytes = sync(fs.loop, read)
    except LinkRefusedError:
        raise
    except Exception as exc:  # asyncssh's no-such-file as the FileNotFoundError callers expect
        from asyncssh.sftp import SFTPNoSuchFile

        if isinstance(exc, SFTPNoSuchFile):
            raise FileNotFoundError(path) from None
        raise
    return result
