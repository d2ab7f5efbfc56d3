"""Image files known by their first bytes (never by their name): PNG, JPEG, TIFF."""

from __future__ import annotations

from typing import Literal

ImageKind = Literal["png", "jpeg", "tiff"]

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_TIFF = (b"II*\x00", b"MM\x00*")


def image_kind(data: bytes) -> ImageKind | None:
    """``png``, ``jpeg`` or ``tiff`` from the magic bytes; None for anything else."""
    if data.startswith(_PNG):
        return "png"
    if data.startswith(_JPEG):
        return "jpeg"
    if data.startswith(_TIFF):
        return "tiff"
    return None
