"""Writing and moving bytes on any landing filesystem without leaving half-written files."""

from __future__ import annotations

import posixpath
import uuid

from fsspec import AbstractFileSystem

from landing.retry import Connection


def write_atomic(conn: Connection, path: str, data: bytes) -> None:
    """Write ``data`` at ``path`` so a reader sees the old file or the whole new one.

    S3 puts are atomic already; elsewhere write a hidden temporary name beside it and rename
    (POSIX rename on SFTP, ``os.rename`` locally), which replaces an existing file.
    """
    if conn.location.scheme == "s3":
        conn.call(lambda fs: fs.pipe_file(path, data), what="write")
        return
    parent, name = posixpath.split(path)
    tmp = posixpath.join(parent, f".{name[:200]}.{uuid.uuid4().hex[:12]}.tmp")

    def write(fs: AbstractFileSystem) -> None:
        fs.makedirs(parent, exist_ok=True)
        try:
            fs.pipe_file(tmp, data)
            fs.mv(tmp, path)
        except BaseException:
            if fs.exists(tmp):
                fs.rm_file(tmp)
            raise

    conn.call(write, what="write")


def same_bytes(conn: Connection, path: str, data: bytes) -> bool:
    """Whether ``path`` exists with exactly ``data`` (size first, so most misses are cheap)."""

    def check(fs: AbstractFileSystem) -> bool:
        try:
            if int(fs.info(path).get("size") or 0) != len(data):
                return False
            return bool(fs.cat_file(path) == data)
        except FileNotFoundError:
            return False

    return conn.call(check, what="compare")


def move(
    src: Connection, src_path: str, dst: Connection, dst_path: str, *, recursive: bool = False
) -> None:
    """Move a file (or a folder with ``recursive``) between two places.

    On one server it is a rename (POSIX rename on SFTP, copy + delete on S3, ``os.rename``
    locally); between servers the bytes are copied, then the source deleted. A retry after
    a move that did land finds the source gone and the target present, and counts as done.
    """
    if src is dst and recursive and src.location.scheme == "s3":
        # S3 has no folders: move each object below the prefix, then nothing is left.
        for path in src.call(lambda fs: list(fs.find(src_path)), what="list"):
            rel = posixpath.relpath(path, src_path)
            move(src, path, dst, posixpath.join(dst_path, rel))
        return
    if src is dst:

        def rename(fs: AbstractFileSystem) -> None:
            try:
                if src.location.scheme == "s3":
                    # Copy, then delete this one key. s3fs's mv deletes through the bulk
                    # DeleteObjects call, whose XML body cannot carry a key with a control
                    # character: real S3 servers answer MalformedXML and the object stays.
                    fs.copy(src_path, dst_path)
                    fs.rm_file(src_path)
                    return
                fs.makedirs(posixpath.dirname(dst_path), exist_ok=True)
                fs.mv(src_path, dst_path, recursive=recursive)
            except FileNotFoundError:
                if fs.exists(src_path) or not fs.exists(dst_path):
                    raise

        src.call(rename, what="move")
        return
    files: list[str] = (
        src.call(lambda fs: list(fs.find(src_path)), what="list") if recursive else [src_path]
    )
    for path in files:
        data = _read(src, path)
        rel = posixpath.relpath(path, src_path) if recursive else ""
        write_atomic(dst, posixpath.normpath(posixpath.join(dst_path, rel)), data)
    _delete(src, src_path, files, recursive=recursive)


def _delete(conn: Connection, path: str, files: list[str], *, recursive: bool) -> None:
    """Remove what was moved: on S3 one object at a time (see ``move``)."""
    if conn.location.scheme != "s3":
        conn.call(lambda fs: fs.rm(path, recursive=recursive), what="delete")
        return

    def remove_each(fs: AbstractFileSystem) -> None:
        for key in files:
            try:
                fs.rm_file(key)
            except FileNotFoundError:
                continue  # removed by the retry of a call that did land

    conn.call(remove_each, what="delete")


def _read(conn: Connection, path: str) -> bytes:
    return conn.call(lambda fs: bytes(fs.cat_file(path)), what="read")
