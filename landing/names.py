"""Which names the landing zone accepts, and safe joins below a folder.

A name is refused when a person should look at it (traversal, control characters, too long); it is
skipped silently when it is an upload in progress (``.part``, ``.tmp``, ``.filepart``,
``.crdownload``) or a dot-file.
"""

from __future__ import annotations

import unicodedata

from schemas.names import MAX_NAME_BYTES, capped_name, printable, safe_segment

__all__ = [
    "DONE_SUFFIX",
    "MAX_NAME_BYTES",
    "PARTIAL_SUFFIXES",
    "UnsafeNameError",
    "is_skipped",
    "name_problem",
    "prefixed_name",
    "printable",
    "relative_parts",
    "safe_segment",
]
PARTIAL_SUFFIXES = (".part", ".tmp", ".filepart", ".crdownload")
DONE_SUFFIX = ".done"


class UnsafeNameError(ValueError):
    """A relative name that would leave its folder or cannot be stored safely."""


def is_skipped(name: str) -> bool:
    """Dot-files and uploads in progress: not ours to take yet, nothing to report."""
    return name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES)


def name_problem(name: str) -> str | None:
    """Why one path segment is unsafe, in words a person can act on; None when it is fine."""
    shown = printable(name)
    if name in ("", ".", ".."):
        return f"name {shown!r} is a path traversal, not a file name"
    if "/" in name or "\\" in name:
        return f"name {shown!r} contains a path separator"
    if "\x00" in name:
        return f"name {shown!r} contains a NUL byte"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return f"name {shown!r} contains control characters; rename it with printable characters"
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return f"name {shown!r} is not valid UTF-8"
    if size > MAX_NAME_BYTES:
        return f"name is {size} bytes long; names may be at most {MAX_NAME_BYTES} bytes"
    return None


def relative_parts(relative_name: str) -> tuple[str, ...]:
    """Split a relative name like ``receipts/x.json`` into checked segments.

    Raises:
        UnsafeNameError: the name is absolute, empty, climbs out (``..``) or has a bad segment.
    """
    if relative_name.startswith(("/", "\\")) or (
        len(relative_name) > 1 and relative_name[1] == ":"
    ):
        raise UnsafeNameError(f"{printable(relative_name)!r} is absolute; give a relative name")
    parts = tuple(p for p in relative_name.split("/") if p not in ("", "."))
    if not parts:
        raise UnsafeNameError("empty name")
    for part in parts:
        problem = name_problem(part)
        if problem is not None:
            raise UnsafeNameError(problem)
    return parts


def prefixed_name(prefix: str, name: str) -> str:
    """``<prefix>-<name>`` kept within the byte limit by shortening the stem, not the suffix."""
    return capped_name(f"{prefix}-{name}", MAX_NAME_BYTES)
