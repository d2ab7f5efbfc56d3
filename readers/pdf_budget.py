"""The budget check of a PDF, before pdfplumber or pdfium parse a page of it.

pdfplumber interprets every drawing operator of a page in Python: a 245 KB PDF whose pages
share one content stream of 100,000 operators takes minutes, a page stream of 400 KB can
decode to 400 MB, and an embedded Factur-X attachment can decode to gigabytes. This pre-scan
walks the page tree and the embedded files with pdfminer's object parser only, decodes each
content stream and attachment with a cap (never past its budget; Flate, LZW and RunLength
alike), and counts the operators of each page (those of the form XObjects it draws included)
with one regular expression, at a small fraction of what interpreting them costs.

A PDF the pre-scan cannot parse is left to the PDF reader, which reports why it is broken:
this module only ever raises :class:`readers.budget.BudgetExceededError`.
"""

from __future__ import annotations

import io
import re
import zlib
from collections import Counter
from typing import Any

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1

from readers.budget import BudgetExceededError, active_limits, exceeded

#: Strings, hex strings and inline image data hold bytes that look like operators.
_NOT_OPERATORS = re.compile(rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\bID\s.*?\bEI\b", re.S)
#: A PDF operator: a bare keyword (``BT``, ``Tj``, ``re``, ``'``, ``"``, ``T*``) that is not a
#: name (``/F1``) or part of a number.
_OPERATOR = re.compile(rb"(?<![^\s\[\]()<>{}%])[A-Za-z'\"][A-Za-z0-9*'\"]*")
_DRAW = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")
_FORM_DEPTH = 4


def count_operators(content: bytes) -> int:
    """Operators in a decoded content stream (strings and inline images skipped)."""
    return sum(1 for _ in _OPERATOR.finditer(_NOT_OPERATORS.sub(b" ", content)))


class _Scan:
    def __init__(self) -> None:
        self.limits = active_limits()
        self.decoded = 0
        self.ops: dict[int, int] = {}

    def inflate(self, stream: PDFStream, budget: str, what: str) -> bytes:
        """The stream's bytes decoded, never more than ``budget`` allows."""
        cap = min(getattr(self.limits, budget), self.limits.max_decompressed_bytes - self.decoded)
        data = stream.rawdata if stream.rawdata is not None else stream.data or b""
        for f, _params in stream.get_filters():
            name = getattr(f, "name", f)
            if name in ("FlateDecode", "Fl"):
                inflater = zlib.decompressobj()
                try:
                    out = inflater.decompress(data, cap + 1)
                except zlib.error:
                    out = b""  # broken data: the reader reports it
                data = out
            elif name in ("LZWDecode", "LZW"):
                data = _lzw(data, cap + 1)
            elif name in ("RunLengthDecode", "RL"):
                data = _run_length(data, cap + 1)
            elif name in ("ASCIIHexDecode", "AHx", "ASCII85Decode", "A85"):
                data = _pdfminer_decode(stream, data, f)
            else:
                break  # images and rare filters: the memory budget of the process bounds them
            if len(data) > cap:
                break
        if len(data) > cap:
            which = budget if len(data) > getattr(self.limits, budget) else "max_decompressed_bytes"
            raise exceeded(which, len(data), what, at_least=True)
        self.decoded += len(data)
        return data

    def stream_ops(self, ref: Any, resources: Any = None, depth: int = 0) -> int:
        """Operators a content stream (or form XObject, with the forms it draws) executes;
        ``resources``: the page's, for a content stream that has none of its own."""
        key = getattr(ref, "objid", None) or id(ref)
        if key in self.ops:
            return self.ops[key]
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream):
            return 0
        self.ops[key] = 0  # a form that draws itself counts once
        content = self.inflate(stream, "max_stream_bytes", "A page's content stream")
        total = count_operators(content)
        own = resolve1(stream.attrs.get("Resources"))
        if depth < _FORM_DEPTH:
            total += self.drawn(content, own if isinstance(own, dict) else resources, depth)
        self.ops[key] = total
        return total

    def drawn(self, content: bytes, resources: Any, depth: int) -> int:
        """Operators of the form XObjects ``content`` draws, once per drawing."""
        calls = Counter(m.group(1) for m in _DRAW.finditer(content))
        xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
        if not calls or not isinstance(xobjects, dict):
            return 0
        total = 0
        for name, times in calls.items():
            ref = xobjects.get(name.decode("latin-1"))
            xobject = resolve1(ref)
            if isinstance(xobject, PDFStream) and _name(xobject.attrs.get("Subtype")) == "Form":
                total += times * self.stream_ops(ref, None, depth + 1)
        return total


def _name(value: Any) -> str:
    return str(getattr(resolve1(value), "name", value))


def _lzw(data: bytes, cap: int) -> bytes:
    """LZW data decoded, stopping once more than ``cap`` bytes came out (an LZW stream
    expands about a thousand times at most, so each step is small)."""
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    for piece in LZWDecoder(io.BytesIO(data)).run():
        out += piece
        if len(out) >= cap:
            break
    return bytes(out)


def _run_length(data: bytes, cap: int) -> bytes:
    """RunLength data decoded (PDF 32000 7.4.5), stopping once ``cap`` bytes came out."""
    out = bytearray()
    i, end = 0, len(data)
    while i < end and len(out) < cap:
        length = data[i]
        if length == 128:
            break
        if length < 128:
            out += data[i + 1 : i + 2 + length]
            i += 2 + length
        else:
            out += data[i + 1 : i + 2] * (257 - length)
            i += 2
    return bytes(out)


def _pdfminer_decode(stream: PDFStream, data: bytes, f: Any) -> bytes:
    from pdfminer.ascii85 import ascii85decode, asciihexdecode

    name = getattr(f, "name", f)
    return asciihexdecode(data) if name in ("ASCIIHexDecode", "AHx") else ascii85decode(data)


def check_pdf(data: bytes) -> None:
    """Raise :class:`BudgetExceededError` when the PDF is over its pages, content-stream,
    operators-per-page or attachment budget; parse errors are left to the reader."""
    try:
        _check(data)
    except BudgetExceededError:
        raise
    except Exception:
        return


def _check(data: bytes) -> None:
    scan = _Scan()
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    _attachments(document, scan)
    for number, page in enumerate(PDFPage.create_pages(document), start=1):
        if number > scan.limits.max_pages:
            raise exceeded("max_pages", number, "Pages of the PDF", at_least=True)
        contents = page.attrs.get("Contents")
        refs = resolve1(contents)
        refs = refs if isinstance(refs, list) else [contents]
        resources = resolve1(page.resources)
        ops = sum(scan.stream_ops(ref, resources) for ref in refs)
        if ops > scan.limits.max_operators_per_page:
            raise exceeded(
                "max_operators_per_page", ops, f"Drawing operators on page {number} of the PDF"
            )


def _attachments(document: PDFDocument, scan: _Scan) -> None:
    """Every embedded file (the name tree of ``/EmbeddedFiles`` and ``/AF``) within budget."""
    catalog = document.catalog
    specs: list[Any] = []
    names = resolve1(catalog.get("Names"))
    if isinstance(names, dict):
        _name_tree(resolve1(names.get("EmbeddedFiles")), specs, 0)
    af = resolve1(catalog.get("AF"))
    if isinstance(af, list):
        specs.extend(af)
    seen: set[int] = set()
    for spec in specs:
        spec = resolve1(spec)
        ef = resolve1(spec.get("EF")) if isinstance(spec, dict) else None
        if not isinstance(ef, dict):
            continue
        for ref in ef.values():
            stream = resolve1(ref)
            key = getattr(ref, "objid", id(stream))
            if isinstance(stream, PDFStream) and key not in seen:
                seen.add(key)
                scan.inflate(stream, "max_attachment_bytes", "An attachment embedded in the PDF")


def _name_tree(node: Any, out: list[Any], depth: int) -> None:
    if not isinstance(node, dict) or depth > 16:
        return
    pairs = resolve1(node.get("Names"))
    if isinstance(pairs, list):
        out.extend(pairs[1::2])
    kids = resolve1(node.get("Kids"))
    if isinstance(kids, list):
        for kid in kids:
            _name_tree(resolve1(kid), out, depth + 1)
