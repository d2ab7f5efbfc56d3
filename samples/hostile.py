"""Hostile files made in code: small on disk, ruinous to read without budgets.

Each is a real file of its format (a workbook calamine opens, PDFs pdfplumber parses), built
in a bounded amount of memory by streaming the compressor, so tests and ``bench/fuzz.py`` can
make them in a second or two.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterable

_CHUNK = 1 << 20

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def xlsx_bomb(rows: int = 500_000, columns: int = 26) -> bytes:
    """A workbook of ``rows`` x ``columns`` numeric cells (defaults: 13 million cells,
    about 200 MB of sheet XML in a file of about 200 KB)."""
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    return xlsx_of([_SHEET_HEAD.encode(), *_repeat(row, rows * len(row)), _SHEET_TAIL.encode()])


def xlsx_of(sheet_xml: Iterable[bytes]) -> bytes:
    """A one-sheet workbook whose sheet XML is the concatenation of ``sheet_xml``."""
    entries = [
        ("[Content_Types].xml", [_CONTENT_TYPES.encode()]),
        ("_rels/.rels", [_RELS.encode()]),
        ("xl/workbook.xml", [_WORKBOOK.encode()]),
        ("xl/_rels/workbook.xml.rels", [_WORKBOOK_RELS.encode()]),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ]
    out = io.BytesIO()
    central = []
    for name, chunks in entries:
        raw, crc, size = _raw_deflate(chunks)
        offset = out.tell()
        fixed = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x21, crc, len(raw), size, len(name), 0)
        out.write(b"PK\x03\x04" + fixed + name.encode() + raw)
        central.append(
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fixed
            + struct.pack("<HHHII", 0, 0, 0, 0, offset)
            + name.encode()
        )
    at = out.tell()
    cd = b"".join(central)
    out.write(
        cd
        + b"PK\x05\x06"
        + struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(cd), at, 0)
    )
    return out.getvalue()


def _raw_deflate(chunks: Iterable[bytes]) -> tuple[bytes, int, int]:
    """Raw deflate data, CRC-32 and size of the concatenated ``chunks``; a chunk equal to the
    one before it costs no compression (the compressor is flushed to a clean state between
    chunks, so equal chunks compress to equal bytes)."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts: list[bytes] = []
    crc = size = 0
    last: tuple[bytes, bytes] | None = None
    for chunk in chunks:
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
        if last is not None and last[0] == chunk:
            parts.append(last[1])
            continue
        packed = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
        last = (chunk, packed)
        parts.append(packed)
    parts.append(z.flush())
    return b"".join(parts), crc, size


def _deflate(chunks: Iterable[bytes]) -> bytes:
    """zlib (FlateDecode) data of the concatenated ``chunks`` (see :func:`_raw_deflate`)."""
    adler = 1

    def counted() -> Iterable[bytes]:
        nonlocal adler
        for chunk in chunks:
            adler = zlib.adler32(chunk, adler)
            yield chunk

    raw, _crc, _size = _raw_deflate(counted())
    return b"\x78\xda" + raw + adler.to_bytes(4, "big")


def _repeat(piece: bytes, total: int) -> Iterable[bytes]:
    """``total`` bytes of ``piece`` repeated, in equal chunks of whole pieces (the last one
    shorter)."""
    block = piece * max(1, _CHUNK // len(piece))
    left = total
    while left > 0:
        yield block[:left]
        left -= len(block)


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of the numbered ``objects`` (1-based; object 1 the catalog), with its xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"", filter: bytes = b"FlateDecode") -> bytes:
    return (
        b"<< /Length %d /Filter /%s %s>>\nstream\n" % (len(data), filter, extra)
        + data
        + b"\nendstream"
    )


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _pages_pdf(
    content: bytes,
    pages: int,
    catalog_extra: bytes = b"",
    more: list[bytes] | None = None,
    filter: bytes = b"FlateDecode",
) -> bytes:
    """``pages`` pages that all draw the one content stream (object 3)."""
    first_page = 5 + len(more or [])
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        _stream(content, filter=filter),
        _FONT,
        *(more or []),
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> >>"
    ] * pages
    return pdf_of(objects)


def pdf_operator_bomb(operators: int = 100_000, pages: int = 4) -> bytes:
    """``pages`` pages sharing one content stream of ``operators`` drawing operators
    (about 245 KB for the defaults)."""
    line = b"1 0 0 1 0 0 cm\n"  # one operator per line
    body = b"q\n" + line * (operators - 2) + b"Q\n"
    return _pages_pdf(_deflate([body]), pages)


def pdf_stream_bomb(decoded_bytes: int = 400 * 1024 * 1024) -> bytes:
    """One page whose content stream decodes to ``decoded_bytes`` (about 400 KB on disk)."""
    return _pages_pdf(_deflate(_repeat(b" ", decoded_bytes)), 1)


def lzw_encode(data: bytes) -> bytes:
    """``data`` compressed as PDF's LZWDecode filter reads it (9 to 12-bit codes, most
    significant bit first, early change, a clear code before the table fills)."""
    bits, count = 0, 0
    out = bytearray()

    def emit(code: int, width: int) -> None:
        nonlocal bits, count
        bits, count = (bits << width) | code, count + width
        while count >= 8:
            count -= 8
            out.append((bits >> count) & 0xFF)
        bits &= (1 << count) - 1

    table = {bytes((i,)): i for i in range(256)}
    width, next_code = 9, 258
    emit(256, width)
    word = b""
    for byte in data:
        longer = word + bytes((byte,))
        if longer in table:
            word = longer
            continue
        emit(table[word], width)
        table[longer] = next_code
        next_code += 1
        width = 9 if next_code < 512 else 10 if next_code < 1024 else 11 if next_code < 2048 else 12
        if next_code >= 4093:  # start a fresh table before codes outgrow 12 bits
            emit(256, width)
            table = {bytes((i,)): i for i in range(256)}
            width, next_code = 9, 258
        word = bytes((byte,))
    if word:
        emit(table[word], width)
    emit(257, width)
    if count:
        out.append((bits << (8 - count)) & 0xFF)
    return bytes(out)


def run_length_encode(data: bytes) -> bytes:
    """``data`` as PDF's RunLengthDecode filter reads it: runs of a repeated byte as
    (257 - n, byte) pairs, other bytes copied in pieces of at most 128."""
    out = bytearray()
    i = 0
    while i < len(data):
        run = 1
        while i + run < len(data) and run < 128 and data[i + run] == data[i]:
            run += 1
        if run > 1:
            out += bytes((257 - run, data[i]))
        else:
            out += bytes((0, data[i]))
        i += run
    return bytes(out + b"\x80")


def pdf_filter_bomb(filter: str, decoded_bytes: int) -> bytes:
    """One page whose content stream, compressed with ``LZWDecode`` or ``RunLengthDecode``,
    decodes to ``decoded_bytes`` of spaces."""
    spaces = b" " * decoded_bytes
    if filter == "LZWDecode":
        return _pages_pdf(lzw_encode(spaces), 1, filter=b"LZWDecode")
    return _pages_pdf(run_length_encode(spaces), 1, filter=b"RunLengthDecode")


def facturx_bomb(decoded_bytes: int = 300 * 1024 * 1024) -> bytes:
    """A one-page PDF whose embedded ``factur-x.xml`` decodes to ``decoded_bytes``."""
    page = _deflate([b"BT /F1 12 Tf 72 720 Td (Invoice) Tj ET\n"])
    xml = _deflate(
        [
            b'<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:'
            b'data:standard:CrossIndustryInvoice:100">',
            *_repeat(b" ", decoded_bytes),
        ]
    )
    attachment = _stream(xml, b"/Type /EmbeddedFile /Subtype /text#2Fxml ")
    spec = (
        b"<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F 5 0 R >>"
        b" /AFRelationship /Data >>"
    )
    names = b"/Names << /EmbeddedFiles << /Names [(factur-x.xml) 6 0 R] >> >> /AF [6 0 R] "
    return _pages_pdf(page, 1, names, [attachment, spec])


def xml_depth_bomb(depth: int = 100_000) -> bytes:
    """A UBL-looking invoice nested ``depth`` elements deep."""
    head = (
        b'<?xml version="1.0"?>'
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
    )
    return head + b"<a>" * depth + b"</a>" * depth + b"</Invoice>"
