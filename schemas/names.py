"""Storable names: the one rule for turning any file name into a safe path segment.

A client's file name may hold control characters, a newline or 255 bytes of UTF-8; the
archive, the quarantine, the outbox outputs and the receipts all derive their names from it
with these functions, so a name the landing zone (or ``bpo process``) accepted always gets its
outputs and its receipt. Example::

    >>> safe_segment("pay\\nroll.csv")
    'pay_x0aroll.csv'
    >>> len(capped_name("x" * 250 + ".csv", 100).encode())
    100
"""

from __future__ import annotations

import unicodedata

#: The longest name most filesystems (ext4, SFTP servers, S3 key segments we write) accept.
MAX_NAME_BYTES = 255
#: Room kept for the stem of a file name in an output name (``<stem>.<sha12>.<label>.<ext>``).
STEM_BYTES = 150


def printable(name: str) -> str:
    """The name with control characters and undecodable bytes escaped, for logs and reasons."""
    return "".join(
        ch if unicodedata.category(ch) not in ("Cc", "Cs") else f"\\x{ord(ch):02x}" for ch in name
    )


def safe_segment(name: str, *, limit: int = 200) -> str:
    """A storable version of any name: escapes spelled out, separators replaced, no leading
    dot, at most ``limit`` bytes (cut on a character boundary)."""
    cleaned = printable(name).replace("/", "_").replace("\\", "_").lstrip(".") or "unnamed"
    encoded = cleaned.encode("utf-8")[:limit]
    return encoded.decode("utf-8", errors="ignore") or "unnamed"


def capped_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """``name`` within ``limit`` bytes, shortening the stem and keeping a short suffix."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix.encode("utf-8")) > 16:
        stem, suffix = name, ""
    tail = f".{suffix}" if suffix else ""
    room = max(limit - len(tail.encode("utf-8")), 1)
    short = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{short}{tail}"


def output_stem(source_name: str, sha256: str, label: str = "") -> str:
    """``<safe stem>.<sha256[:12]>[.<label>]``: the stem of every output a file produces.

    The stem of the source name is made safe and cut to :data:`STEM_BYTES`, so the longest
    output name (``<stem>.<sha12>.review-<id>.claim_lines.parquet``) stays under
    :data:`MAX_NAME_BYTES`.
    """
    base = source_name.replace("\\", "/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    stem = base[:dot] if dot > 0 else base
    safe = safe_segment(stem, limit=STEM_BYTES) if stem else "file"
    return f"{safe}.{sha256[:12]}" + (f".{label}" if label else "")
