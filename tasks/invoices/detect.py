"""What a file is, from its first bytes (the name's extension is only a hint)."""

from __future__ import annotations

from typing import Literal

from schemas.file_magic import image_kind

Format = Literal["pdf", "image", "xml", "json", "csv", "empty", "unknown"]


def sniff(data: bytes, name: str = "") -> Format:
    if not data.strip():
        return "empty"
    head = data[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text: sniff what it says
        return sniff(head.decode("utf-16", "replace").encode("utf-8"), name)
    if b"%PDF-" in head:
        return "pdf"
    if image_kind(data) is not None:
        return "image"  # PNG, JPEG or TIFF by their magic bytes, whatever the name says
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "xml"
    if text[:1] in (b"{", b"["):
        return "json"
    if b"\x00" in head:
        return "unknown"
    first_line = text.split(b"\n", 1)[0]
    if first_line.count(b",") + first_line.count(b";") + first_line.count(b"\t") >= 2:
        return "csv"
    if name.lower().endswith(".csv"):
        return "csv"
    return "unknown"
