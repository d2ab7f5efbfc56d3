"""Scanned invoices for the demo, tests and the OCR evaluation: a PDF page rendered to an
image as a scanner would give it (a resolution, a slight skew, speckle noise), saved as PNG,
JPEG or TIFF, or wrapped back into an image-only PDF."""

from __future__ import annotations

import io
import random
from typing import Any, Literal

ImageFormat = Literal["png", "jpeg", "tiff"]


def render_page(pdf: bytes, *, dpi: int = 200, page: int = 0) -> Any:
    """One page of ``pdf`` as a greyscale PIL image at ``dpi``."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[page].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        doc.close()


def degrade(
    image: Any,
    *,
    rotate: float = 0.0,
    noise: float = 0.0,
    seed: int = 7,
    blur: float = 0.0,
    paper: int = 255,
    jpeg: int = 0,
) -> Any:
    """A scanner's faults: grey paper (white printed as ``paper``, 0-255), a soft focus
    (Gaussian ``blur`` radius in pixels), turned by ``rotate`` degrees (paper-coloured fill),
    ``noise`` share of pixels flipped to random grey (speckle), reproducibly for ``seed``, and
    JPEG artefacts (saved and read back at quality ``jpeg``, 0 for none)."""
    from PIL import Image, ImageFilter

    out = image
    if paper < 255:
        out = out.point(lambda v: v * paper // 255)
    if blur > 0:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if rotate:
        out = out.rotate(rotate, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=paper)
    if noise > 0:
        rng = random.Random(seed)
        px = out.load()
        width, height = out.size
        for _ in range(int(width * height * noise)):
            px[rng.randrange(width), rng.randrange(height)] = rng.randrange(0, 256)
    if jpeg:
        buf = io.BytesIO()
        out.save(buf, format="JPEG", quality=jpeg)
        out = Image.open(io.BytesIO(buf.getvalue()))
        out.load()
    return out


def save_image(image: Any, fmt: ImageFormat, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    extra: dict[str, Any] = {"dpi": (dpi, dpi)} if dpi else {}
    if fmt == "jpeg":
        extra["quality"] = 85
    if fmt == "tiff":
        extra["compression"] = "tiff_deflate"
    image.save(buf, format=fmt.upper(), **extra)
    return buf.getvalue()


def image_pdf(image: Any, dpi: int) -> bytes:
    """An image-only PDF (no text layer) of ``image`` scanned at ``dpi``."""
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="PDF", resolution=float(dpi))
    return buf.getvalue()


def scan(
    pdf: bytes,
    *,
    fmt: ImageFormat | Literal["pdf"] = "png",
    dpi: int = 200,
    rotate: float = 0.0,
    noise: float = 0.0,
    seed: int = 7,
) -> bytes:
    """The first page of ``pdf`` as a scan: an image file, or an image-only PDF."""
    image = degrade(render_page(pdf, dpi=dpi), rotate=rotate, noise=noise, seed=seed)
    return image_pdf(image, dpi) if fmt == "pdf" else save_image(image, fmt, dpi)


#: An office scanner's faults: grey paper, soft focus, a page fed askew, speckle, JPEG.
SCANNER: dict[str, Any] = {"rotate": 1.5, "noise": 0.002, "blur": 0.7, "paper": 225, "jpeg": 60}


def scanned_pdf(data: bytes, *, dpi: int, max_pages: int = 4, **faults: Any) -> bytes:
    """The PDF's pages (at most ``max_pages``) as an image-only PDF with ``faults`` (see
    :func:`degrade`; each page its own speckle)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        images = [
            degrade(doc[i].render(scale=dpi / 72).to_pil().convert("L"), seed=i, **faults)
            for i in range(min(len(doc), max_pages))
        ]
    finally:
        doc.close()
    if len(images) == 1:
        return image_pdf(images[0], dpi)
    buf = io.BytesIO()
    first, *rest = [im.convert("RGB") for im in images]
    first.save(buf, format="PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return buf.getvalue()
