"""Scanned pages and photographs into words with boxes and confidences (OCR).

The engine is RapidOCR on ONNX Runtime (``rapidocr-onnxruntime``): its detection, direction
and recognition models ship inside the package, so nothing is downloaded at run time. It is
imported on first use only (about a second and 100 MB), so reading a text PDF never pays for it.

Words come in the shape pdfplumber gives a text layer (``text, x0, x1, top, bottom``, PDF
points from the page's top-left corner) plus ``confidence`` (0..1), so the invoice field
finder reads a scan exactly as it reads a text PDF:

- a PDF page is rendered with pdfium at :data:`PDF_DPI`; pixels are turned back into points
  (``72 / dpi``), so boxes land where pdfplumber would put them;
- an image (PNG, JPEG, TIFF, one page per TIFF frame) is read at its own resolution when it
  states one, else scaled so its width is an A4 page's (595 pt): the finder's distances
  (a gap of a character height, a block two lines deep) are in points.

RapidOCR reports a line of text per box; each line is split into words at its spaces, each
word given a share of the box by its length (the line's confidence carries to its words).

Hostile input: an image over :data:`MAX_PIXELS` (a decompression bomb: a 50 kB PNG can claim
100,000 x 100,000 pixels) is refused from its header, before any pixel is decoded.
"""

from __future__ import annotations

import io
import math
import re
import statistics
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from schemas.file_magic import image_kind

__all__ = [
    "OcrPage",
    "OcrRefusal",
    "OcrWord",
    "image_kind",
    "image_pages",
    "pdf_pages",
    "points_per_pixel",
]

#: 200 dpi, chosen by measurement (``bench/eval_ocr.py --split tune``, scanner faults): of
#: 95 fields of 9 tuning files, 56 right at 200 dpi, 54 at 300 and 48 at 150. At 150 dpi
#: 8 pt type is ~17 px high and the recogniser drops spaces and misreads digits; 300 dpi adds
#: no detail it uses (its crops are scaled to 48 px high) and costs four times the pixels.
PDF_DPI = 200
#: Lines of text are found on a copy of the page at most this many pixels long (an A4 page
#: at 120 dpi); they are read from the page at its own resolution.
DETECT_SIDE = 1400
#: Below this skew (radians, about 0.2 degrees) boxes are taken as they are.
SKEW_MIN = 0.0035
#: ONNX Runtime threads per reading process (0: its default, one per core). One: a worker
#: reads pages in as many children as it has cores, and ORT's own threads then only contend
#: with them; measured on 3 tuning pages, one thread took 5.7-5.9 s of CPU a page against
#: 9.3-10.1 s with the default, the same words read (load average 5-9 on 2 cores).
ENGINE_THREADS = 1
#: An image may hold at most this many pixels (an A4 page at 600 dpi is 35 M).
MAX_PIXELS = 50_000_000
#: A4 width in points: the scale of an image that states no resolution.
A4_WIDTH_PT = 595.0


@dataclass(frozen=True)
class OcrWord:
    """One word as read: the keys of a pdfplumber word, plus the engine's confidence."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "x0": self.x0,
            "x1": self.x1,
            "top": self.top,
            "bottom": self.bottom,
            "confidence": self.confidence,
            "upright": True,
        }


@dataclass(frozen=True)
class OcrPage:
    number: int  # 1-based
    width: float  # points
    height: float
    words: tuple[OcrWord, ...]


@dataclass(frozen=True)
class OcrRefusal:
    """Why the bytes cannot be read as pages: ``too-large`` (pixel budget), ``too-many-pages``,
    ``unreadable`` (not an image or PDF the readers can decode)."""

    reason: Literal["too-large", "too-many-pages", "unreadable"]
    message: str


_ENGINE: Any = None
_ENGINE_LOCK = threading.Lock()


def _engine() -> Any:
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]

            # Invoices are upright (a page turned by 90 or 180 degrees is rare and shows as no
            # text): the direction classifier is skipped, a tenth of the time saved.
            threads = {"intra_op_num_threads": ENGINE_THREADS} if ENGINE_THREADS else {}
            _ENGINE = RapidOCR(use_cls=False, **threads)
        return _ENGINE


def _recognise(rgb: Any) -> list[tuple[Any, str, float]]:
    """``(quad, text, score)`` per line of text in ``rgb`` (pixels of the image as given).

    Lines are found on a copy at most :data:`DETECT_SIDE` pixels long (the detector's cost
    grows with the pixels, its boxes do not need fine detail) and read from crops of the full
    image (the recogniser does). Engines without that split are called whole."""
    engine = _engine()
    needed = ("text_det", "text_rec", "sorted_boxes", "get_crop_img_list", "text_score")
    if not all(hasattr(engine, name) for name in needed):
        result, _ = engine(rgb)
        return [(quad, str(text), float(score)) for quad, text, score in result or []]
    import cv2
    import numpy as np

    height, width = rgb.shape[:2]
    shrink = min(1.0, DETECT_SIDE / max(height, width))
    small = (
        cv2.resize(rgb, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
        if shrink < 1.0
        else rgb
    )
    boxes, _ = engine.text_det(small)
    if boxes is None or len(boxes) == 0:
        return []
    quads = [np.asarray(q, dtype=np.float32) / shrink for q in engine.sorted_boxes(boxes)]
    read, _ = engine.text_rec(engine.get_crop_img_list(rgb, quads), False)
    return [
        (quad.tolist(), str(text), float(score))
        for quad, (text, score) in zip(quads, read, strict=True)
        if float(score) >= engine.text_score and str(text).strip()
    ]


def split_line(
    text: str, box: tuple[float, float, float, float], confidence: float
) -> list[OcrWord]:
    """A recognised line of text split into words, each with its share of the box by length."""
    x0, top, x1, bottom = box
    tokens = text.split()
    if not tokens:
        return []
    # Characters of the line including one space between words: a space is a character wide.
    chars = sum(len(t) for t in tokens) + len(tokens) - 1
    unit = (x1 - x0) / max(chars, 1)
    out: list[OcrWord] = []
    pos = 0
    for token in tokens:
        start = x0 + pos * unit
        word = fix_digits(token)
        out.append(OcrWord(word, start, start + len(token) * unit, top, bottom, confidence))
        pos += len(token) + 1
    return out


#: The recogniser drops the space between Latin words now and then (``12March2026``,
#: ``AcmeSupplies``): put it back where a lowercase run meets a capitalised word or a number
#: meets a word. Identifiers (``NF26100``, ``INV-2026-1``, ``GmbH``, ``McKay``) keep their shape:
#: a split needs two lowercase letters before a capital followed by lowercase, or a word of
#: three lowercase letters beside digits.
_SPACES = (
    re.compile(r"(?<=[a-z\u00df-\u00ff]{2})(?=[A-Z\u00c0-\u00de][a-z\u00df-\u00ff])"),
    re.compile(r"(?<=\d)(?=[A-Z\u00c0-\u00de]?[a-z\u00df-\u00ff]{3})"),
    re.compile(r"(?<=[a-z\u00df-\u00ff]{3})(?=\d)"),
    re.compile(r"(?<=[a-z\u00df-\u00ff]{3})(?=[A-Z]{2,}\b)"),  # FrischdienstAG
    # inkl.USt, Nr.F-2026-1, Str.42 (two letters before the dot: z.B., S.r.l. stay)
    re.compile(r"(?<=[A-Za-z\u00c0-\u00ff][a-z\u00df-\u00ff]\.)(?=[A-Z\u00c0-\u00de\d])"),
    re.compile(r"(?<=mbH)(?=[A-Z\u00c0-\u00de][a-z\u00df-\u00ff])"),  # GmbHEcke
    re.compile(r"(?<=[\u00b0\u00ba])(?=[A-Za-z])"),  # N\u00b0de facture
)
#: A bar or dot between address parts, glued to its neighbours (``AG|Kaiserstrasse 9``,
#: ``GmbH\u00b7Ecke 12``): a word of its own again.
_BAR = re.compile(r"\s*([|\u00b7\u2022])\s*")


#: ... and now and then puts one after a decimal separator (``345. 00``).
_SPLIT_DECIMALS = re.compile(r"(?<=\d[.,]) (?=\d{2}\b)")
#: A speck read as a point or comma inside the year of a date (``13/11/20.17``).
_STRAY_IN_YEAR = re.compile(r"(?<![\d/-])(\d{1,2}([/-])\d{1,2}\2\d{2})[.,'](\d{2})\b")


#: Letters the recogniser reads for digits inside a number (``1O5,00``, ``l2.50``).
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
#: A number of digits, separators and look-alikes (a sign or currency sign around it kept).
_NUMBERISH = re.compile(r"(?P<lead>[-+(]?[$€£]?)(?P<body>[\dOoIl|][\dOoIl|.,']*)(?P<tail>[-)%]?)")
#: Groups of three after a first group, then two decimals, with one separator throughout
#: (``1.234.56``): the comma before the cents was read as a point (or the reverse).
_ONE_SEPARATOR = re.compile(r"\d{1,3}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*(?P=sep)\d{2}")


def fix_digits(token: str) -> str:
    """A number as printed, from what the recogniser read: ``1O5,0O`` -> ``105,00``,
    ``l2.50`` -> ``12.50``, ``1.234.56`` -> ``1.234,56``. A token is a number when its
    characters are digits, separators and look-alikes with more digits than look-alikes and
    the look-alikes next to a digit or separator; a word (``Old``, ``DE12``, ``ID``) stays."""
    m = _NUMBERISH.fullmatch(token)
    if m is None:
        return token
    body = m["body"]
    digits = sum(ch.isdigit() for ch in body)
    alike = sum(ch in "OoIl|" for ch in body)
    if digits < 2 or alike >= digits:
        return token
    if alike:
        body = body.translate(_LOOKALIKES)
    if _ONE_SEPARATOR.fullmatch(body):
        decimal = "," if body[-3] == "." else "."
        body = body[:-3] + decimal + body[-2:]
    return m["lead"] + body + m["tail"]


#: Signs the recogniser (trained on Chinese and Latin text) gives for Latin ones: full-width
#: forms (``\uff1a`` for ``:``) are folded by NFKC; the euro sign read as "element of".
_SIGNS = str.maketrans({"\u2208": "\u20ac"})


def respace(text: str) -> str:
    """``12March2026`` -> ``12 March 2026``, ``InvoiceDate:`` -> ``Invoice Date:``,
    ``345. 00`` -> ``345.00``, ``Nr\uff1aR8`` -> ``Nr:R8``, ``0,02\u2208`` -> ``0,02\u20ac``,
    ``inkl.USt`` -> ``inkl. USt``, ``13/11/20.17`` -> ``13/11/2017``."""
    text = unicodedata.normalize("NFKC", text).translate(_SIGNS)
    for pattern in _SPACES:
        text = pattern.sub(" ", text)
    text = _STRAY_IN_YEAR.sub(r"\1\3", _SPLIT_DECIMALS.sub("", text))
    return _BAR.sub(r" \1 ", text).strip()


def _skew(quads: list[list[tuple[float, float]]]) -> float:
    """The page's skew in radians: the median slope of the long text boxes' top edges."""
    angles = []
    for q in quads:
        (x0, y0), (x1, y1) = q[0], q[1]
        if x1 - x0 > 3 * abs(q[3][1] - q[0][1]):
            angles.append(math.atan2(y1 - y0, x1 - x0))
    return statistics.median(angles) if angles else 0.0


def ocr_image(image: Any, points_per_pixel: float) -> list[OcrWord]:
    """The words of one page image (a PIL image), in points (``points_per_pixel``).

    A skewed scan (a page fed a degree or two askew) is straightened on the boxes, not the
    pixels: every box is turned back by the page's skew about the image's centre, so the words
    of one printed line share one line again."""
    import numpy as np

    rgb = np.asarray(image.convert("RGB"))
    found = [
        ([(float(p[0]), float(p[1])) for p in quad], text, score)
        for quad, text, score in _recognise(rgb)
    ]
    angle = _skew([q for q, _, _ in found])
    cx, cy = image.width / 2, image.height / 2
    cos, sin = math.cos(-angle), math.sin(-angle)
    words: list[OcrWord] = []
    for quad, text, score in found:
        if abs(angle) > SKEW_MIN:
            quad = [
                (cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos)
                for x, y in quad
            ]
        xs = [x for x, _ in quad]
        ys = [y for _, y in quad]
        box = (
            min(xs) * points_per_pixel,
            min(ys) * points_per_pixel,
            max(xs) * points_per_pixel,
            max(ys) * points_per_pixel,
        )
        words.extend(split_line(respace(text), box, max(0.0, min(1.0, score))))
    return _join_decimals(words)


_INTEGER_PART = re.compile(r"-?[\d.,']*\d[.,]")
_CENTS = re.compile(r"\d{2}")


def _join_decimals(words: list[OcrWord]) -> list[OcrWord]:
    """``345.`` and ``00`` detected as two boxes side by side are one amount."""
    out = list(words)
    for cents in [w for w in words if _CENTS.fullmatch(w.text)]:
        height = cents.bottom - cents.top
        for i, prev in enumerate(out):
            if (
                _INTEGER_PART.fullmatch(prev.text)
                and abs((prev.top + prev.bottom) - (cents.top + cents.bottom)) < height
                and -0.5 * height <= cents.x0 - prev.x1 < height
            ):
                out[i] = OcrWord(
                    fix_digits(prev.text + cents.text),
                    prev.x0,
                    cents.x1,
                    min(prev.top, cents.top),
                    max(prev.bottom, cents.bottom),
                    min(prev.confidence, cents.confidence),
                )
                out.remove(cents)
                break
    return out


def pdf_pages(data: bytes, max_pages: int, dpi: int = PDF_DPI) -> list[OcrPage] | OcrRefusal:
    """Every page of a PDF, rendered at ``dpi`` and read."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    from readers.pdf_pages import PDFIUM_LOCK

    images: list[tuple[Any, float, float]] = []
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            return OcrRefusal("unreadable", f"the PDF cannot be rendered ({exc})")
        try:
            if len(doc) > max_pages:
                return OcrRefusal(
                    "too-many-pages", f"{len(doc)} pages, more than the {max_pages} allowed"
                )
            for index in range(len(doc)):
                page = doc[index]
                width, height = (float(v) for v in page.get_size())
                if width * height * (dpi / 72) ** 2 > MAX_PIXELS:
                    return OcrRefusal(
                        "too-large",
                        f"page {index + 1} is too large to render ({width}x{height} pt)",
                    )
                images.append((page.render(scale=dpi / 72).to_pil(), width, height))
        finally:
            doc.close()
    return [
        OcrPage(i, w, h, tuple(ocr_image(img, 72 / dpi)))
        for i, (img, w, h) in enumerate(images, start=1)
    ]


def points_per_pixel(frame: Any, width: int) -> float:
    """An image's scale in points: from the resolution it states, else an A4 page's width
    over ``width`` (its upright width in pixels)."""
    dpi = frame.info.get("dpi")
    stated = float(dpi[0]) if isinstance(dpi, tuple) and dpi else 0.0
    return 72 / stated if 50 <= stated <= 1200 else A4_WIDTH_PT / max(width, 1)


def _frames(image: Any, max_pages: int) -> Iterator[Any]:
    for index in range(min(getattr(image, "n_frames", 1), max_pages)):
        image.seek(index)
        yield image


def image_pages(data: bytes, max_pages: int) -> list[OcrPage] | OcrRefusal:
    """Every page of a PNG, JPEG or TIFF (one per frame), read; refused over the pixel budget
    before a pixel is decoded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return OcrRefusal("too-large", "the image claims more pixels than may be decoded")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return OcrRefusal("unreadable", f"the image cannot be decoded ({type(exc).__name__})")
    with image:
        frames = getattr(image, "n_frames", 1)
        if frames > max_pages:
            return OcrRefusal(
                "too-many-pages", f"{frames} pages, more than the {max_pages} allowed"
            )
        pages: list[OcrPage] = []
        try:
            for number, frame in enumerate(_frames(image, max_pages), start=1):
                width, height = frame.size
                if width * height * frames > MAX_PIXELS or width < 1 or height < 1:
                    return OcrRefusal(
                        "too-large",
                        f"{width}x{height} pixels x {frames} pages is over the budget of"
                        f" {MAX_PIXELS:,} pixels",
                    )
                upright = ImageOps.exif_transpose(frame)
                scale = points_per_pixel(frame, upright.width)
                words = ocr_image(upright, scale)
                pages.append(
                    OcrPage(number, upright.width * scale, upright.height * scale, tuple(words))
                )
        except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt pixel data
            return OcrRefusal("unreadable", f"the image cannot be decoded ({type(exc).__name__})")
    return pages
