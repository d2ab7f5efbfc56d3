"""Client bytes to UTF-8 text, or the byte offset where they stop being text.

Accepted: UTF-8 (with or without a BOM), UTF-16 with a BOM, and Windows-1252 (what spreadsheets
on Western systems write). Refused, with the offset of the first bad byte: bytes no accepted
encoding decodes (truncated UTF-16, an undefined cp1252 byte) and control characters other
than TAB, LF and CR (a NUL or binary garbage anywhere in the file, not only its first 4 KiB).
A trailing Ctrl-Z (the end-of-file mark of old DOS tools) is dropped.

>>> decode_table_bytes(b"a,b\\r\\n1,2\\r\\n").encoding
'utf-8'
>>> decode_table_bytes(b"a,b\\n1,\\x002\\n")
Traceback (most recent call last):
...
readers.text_encoding.UndecodableError: control byte 0x00 at byte offset 6 (line 2)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
#: Control characters no table of text contains: C0 except TAB, LF, CR; DEL.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL_BYTES.match(bytes([b])))
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UndecodableError(ValueError):
    """The bytes are not text in an encoding we accept; ``offset`` is the first bad byte."""

    def __init__(self, what: str, offset: int, line: int) -> None:
        super().__init__(f"{what} at byte offset {offset} (line {line})")
        self.offset = offset


@dataclass(frozen=True)
class DecodedText:
    """``body`` is UTF-8 without a BOM; ``encoding`` what the client's bytes were."""

    body: bytes
    encoding: str


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _control_in_bytes(data: bytes, start: int) -> None:
    if not data.translate(None, _NOT_CONTROL):  # one C pass; the search only when needed
        return
    found = _CONTROL_BYTES.search(data)
    if found is not None:
        offset = found.start()
        raise UndecodableError(
            f"control byte 0x{data[offset]:02x}", start + offset, _line_of(data, offset)
        )


def _utf16(data: bytes) -> DecodedText:
    codec = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
    try:
        text = data[2:].decode(codec)
    except UnicodeDecodeError as exc:
        line = data[2 : 2 + exc.start].decode(codec, "replace").count("\n") + 1
        raise UndecodableError(f"invalid UTF-16 ({exc.reason})", 2 + exc.start, line) from None
    found = _CONTROL_CHARS.search(text)
    if found is not None:
        head = text[: found.start()]
        offset = 2 + len(head.encode(codec))
        raise UndecodableError(
            f"control character U+{ord(found.group()):04X}", offset, head.count("\n") + 1
        )
    return DecodedText(text.encode("utf-8"), "utf-16")


def decode_table_bytes(data: bytes, *, check_utf8: bool = True) -> DecodedText:
    """UTF-8 text of ``data``, or :class:`UndecodableError` naming the first bad byte.

    ``check_utf8=False`` takes bytes without a BOM as UTF-8 unchecked (control characters are
    still refused): for a reader that validates UTF-8 itself and asks again when it fails.
    """
    if data.startswith(_UTF16_BOMS):
        return _utf16(data)
    start = 3 if data.startswith(_UTF8_BOM) else 0
    body = data[start:]
    if body.endswith(b"\x1a"):
        body = body[:-1]
    _control_in_bytes(body, start)
    if not check_utf8:
        return DecodedText(body, "utf-8-sig" if start else "utf-8")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError as exc:
            offset = exc.start
            raise UndecodableError(
                f"byte 0x{body[offset]:02x} is neither UTF-8 nor Windows-1252 text",
                start + offset,
                _line_of(body, offset),
            ) from utf8_error
        return DecodedText(text.encode("utf-8"), "cp1252")
    return DecodedText(body, "utf-8-sig" if start else "utf-8")
