"""The source beside the fields: PDF pages with boxes, the claim's X12 segments, or the row as
it was sent (``review.source_view`` builds them); and the page images, behind the same access
check as the item itself."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from access.sessions import SignedIn
from landing import source_copies
from readers.budget import BudgetExceededError, reading_under
from readers.pdf_pages import (
    PdfPagesError,
    Word,
    page_sizes,
    render_png,
    within_budget,
    words,
)
from review import acting
from review.source_view import PageView, parse_sources, pdf_pages, sent_row, x12_segments
from schemas.pii import PII_FIELDS
from store.db import transaction
from store.models import File, ReviewItem
from tasks.extraction import reply_issue
from web.auth import require
from web.pages import client_or_404, state

router = APIRouter()
T = TypeVar("T")


@dataclass
class _Cache:
    """A few documents' derived data (page images, words), most recently used kept."""

    size: int = 32
    entries: OrderedDict[tuple[str, str], Any] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple[str, str]) -> Any:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        return None

    def put(self, key: tuple[str, str], value: Any) -> Any:
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


_CACHE = _Cache()


@dataclass(frozen=True)
class Panel:
    kind: str  # pdf | x12 | row | none
    pages: list[PageView] = field(default_factory=list)
    segments: list[Any] = field(default_factory=list)
    cells: list[Any] = field(default_factory=list)
    note: str | None = None


def _document(request: Request, item: ReviewItem) -> tuple[File, bytes | None]:
    app = state(request).app
    with transaction(app.engine) as session:
        file = session.get(File, item.file_id)
    assert file is not None
    return file, source_copies.read(app.state_dir, item.client_id, file.sha256)


def _read_pdf(
    request: Request, item: ReviewItem, call: Callable[..., T], data: bytes, *args: object
) -> T:
    """``call(data, *args)`` in a reading child under the client's reading budgets, as the
    file was read when it was processed: the budget pre-scan first, then pdfium or
    pdfplumber with the child's memory, CPU and wall-clock limits. A document over a budget,
    or one the child fails or dies on, raises :class:`PdfPagesError` naming why (the page is
    refused, the web process goes on)."""
    app = state(request).app
    limits = app.config.limits_for(item.client_id)
    pool = app.reader_pool
    if pool is None:
        try:
            with reading_under(limits):
                return within_budget(call, data, *args)
        except BudgetExceededError as exc:
            raise PdfPagesError(exc.message) from None
    reply = pool.run(within_budget, (call, data, *args), limits)
    if reply.kind == "ok":
        return reply.value  # type: ignore[no-any-return]
    if reply.kind == "error" and reply.error.startswith(f"{PdfPagesError.__name__}: "):
        raise PdfPagesError(reply.error.split(": ", 1)[1])
    raise PdfPagesError(reply_issue(reply, limits).message)


def _sizes(request: Request, item: ReviewItem, sha256: str, data: bytes) -> list[Any]:
    """The document's page sizes (raises :class:`PdfPagesError` when it cannot be shown)."""
    cached = _CACHE.get((sha256, "sizes"))
    if cached is None:
        cached = _CACHE.put((sha256, "sizes"), _read_pdf(request, item, page_sizes, data))
    return list(cached)


def _words(request: Request, item: ReviewItem, sha256: str, data: bytes) -> list[Word] | None:
    cached = _CACHE.get((sha256, "words"))
    if cached is not None:
        return list(cached)
    try:
        found = _read_pdf(request, item, words, data)
    except PdfPagesError:
        return None
    return list(_CACHE.put((sha256, "words"), found))


def source_panel(request: Request, item: ReviewItem, view: dict[str, Any]) -> Panel:
    """What the item page shows beside the fields."""
    flagged = {str(r.get("field") or "") for r in view["reasons"]} - {""}
    file, data = _document(request, item)
    if data is not None:
        try:
            sizes = _sizes(request, item, file.sha256, data)
        except PdfPagesError as exc:
            return Panel("none", note=f"The document cannot be shown: {exc}")
        pages = pdf_pages(
            sizes,
            fields=item.fields,
            sources=parse_sources(item.sources),
            flagged=flagged,
            words=_words(request, item, file.sha256, data),
            pii=PII_FIELDS.get(item.doc_type, frozenset()),
        )
        return Panel("pdf", pages=pages)
    segments = x12_segments(item.raw, flagged)
    if segments is not None:
        return Panel("x12", segments=segments)
    client = state(request).app.config.clients.get(item.client_id)
    cells = sent_row(item.raw, doc_type=item.doc_type, client=client, flagged=flagged)
    if cells is not None:
        return Panel("row", cells=cells)
    return Panel("none", note=f"No copy of {file.name} is kept for review.")


@router.get("/clients/{client_id}/items/{item_id}/source/{page}.png")
async def page_image(
    request: Request,
    client_id: str,
    item_id: int,
    page: int,
    who: Annotated[SignedIn, Depends(require)],
) -> Response:
    client_or_404(request, who.actor, client_id)
    with transaction(state(request).app.engine) as session:
        try:
            item = acting.visible_item(session, who.actor, item_id, client_id)
        except acting.HiddenError:
            raise HTTPException(404, "no such item") from None
    file, data = _document(request, item)
    if data is None:
        raise HTTPException(404, "no copy of the document is kept")
    key = (file.sha256, f"page-{page}")
    png = _CACHE.get(key)
    if png is None:
        try:
            sizes = await run_in_threadpool(_sizes, request, item, file.sha256, data)
        except PdfPagesError as exc:
            raise HTTPException(422, f"The document cannot be shown: {exc}") from None
        if not 0 <= page < len(sizes):
            raise HTTPException(404, "no such page")
        try:
            rendered = await run_in_threadpool(_read_pdf, request, item, render_png, data, page)
        except PdfPagesError as exc:
            raise HTTPException(422, f"The page cannot be shown: {exc}") from None
        png = _CACHE.put(key, rendered)
    return Response(
        png,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=300"},
    )
