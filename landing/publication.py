"""Publish after commit: outputs wait in staging until the store backs them.

A run (or a review decision) writes through a :class:`StagingOutbox`; the caller records the
staged outputs in the same transaction as the records or decision they reflect
(:func:`record`), and :func:`publish_pending` moves them into the client's outbox after that
commit, receipts last. A crash before the commit leaves nothing published (the staging folder
is outside the client's folder); a crash after it leaves ``staged`` rows that the next run,
the next ingest poll or ``publish_pending`` with no filter publishes.

Example: a payroll run stages ``payroll/jan.<sha12>.ach`` under ``file-12``, commits its
records and ``files.stage = DONE`` with the publication rows, then renames the staged file
into ``<outbox>/acme/payroll/``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from landing.names import relative_parts
from landing.outbox import FsOutbox, StagedOutputMissingError
from store.db import transaction
from store.publications import (
    PendingOutput,
    StagedOutput,
    mark_published,
    pending_outputs,
    record_staged,
)

log = logging.getLogger(__name__)

OutboxFor = Callable[[str], FsOutbox]


def file_token(file_id: int) -> str:
    return f"file-{file_id}"


def review_token(item_id: int) -> str:
    return f"review-{item_id}"


class StagingOutbox:
    """The ``schemas.outbox.Outbox`` a run writes to: each file waits in the staging folder
    ``token`` and ``write`` returns the URL it will have once published."""

    def __init__(self, outbox: FsOutbox, token: str) -> None:
        self.outbox = outbox
        self.token = token
        self._staged: dict[str, StagedOutput] = {}
        self._lock = threading.Lock()

    @property
    def client_id(self) -> str:
        return self.outbox.client_id

    def write(self, relative_name: str, data: bytes) -> str:
        return self._stage(relative_name, data, "output")

    def write_receipt(self, relative_name: str, data: bytes) -> str:
        """Stage a receipt: published after every output of the same token."""
        return self._stage(relative_name, data, "receipt")

    def _stage(self, relative_name: str, data: bytes, kind: str) -> str:
        name = "/".join(relative_parts(relative_name))
        _settle(self.outbox, self.token)  # its folder's removal, if one is under way
        self.outbox.stage(self.token, name, data)
        with self._lock:
            self._staged[name] = StagedOutput(name, len(data), kind)
        return self.outbox.url_of(name)

    @property
    def staged(self) -> list[StagedOutput]:
        with self._lock:
            return list(self._staged.values())

    def names(self, kind: str = "output") -> list[str]:
        """Relative names staged so far, of one kind, in the order written."""
        return [s.name for s in self.staged if s.kind == kind]

    def discard(self) -> None:
        """Drop what an interrupted attempt left in this token's folder."""
        self.outbox.discard(self.token)
        with self._lock:
            self._staged.clear()


def record(
    session: Session,
    staging: StagingOutbox,
    *,
    owner: str,
    file_id: int | None = None,
    review_item_id: int | None = None,
) -> None:
    """Add the staged outputs to the publication ledger, in the caller's transaction."""
    record_staged(
        session,
        client_id=staging.client_id,
        token=staging.token,
        owner=owner,
        outputs=staging.staged,
        file_id=file_id,
        review_item_id=review_item_id,
    )


@dataclass
class PublishReport:
    """What :func:`publish_pending` moved, and what it could not find anywhere."""

    published: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def publish_pending(
    engine: Engine,
    outbox_for: OutboxFor,
    *,
    client_id: str | None = None,
    file_id: int | None = None,
    review_item_id: int | None = None,
    token: str | None = None,
) -> PublishReport:
    """Publish every committed output still in staging (filtered as asked), receipts last
    within each token; mark them published and remove their staging folder."""
    with transaction(engine) as session:
        pending = pending_outputs(
            session,
            client_id=client_id,
            file_id=file_id,
            review_item_id=review_item_id,
            token=token,
        )
    report = PublishReport()
    groups: dict[tuple[str, str], list[PendingOutput]] = {}
    for p in pending:
        groups.setdefault((p.client_id, p.token), []).append(p)
    for (cid, tok), outputs in groups.items():
        outbox = outbox_for(cid)
        done: list[int] = []
        for p in outputs:
            try:
                report.published.append(outbox.publish(tok, p.name))
                done.append(p.id)
            except StagedOutputMissingError as exc:
                log.error("cannot publish %s for %s: %s", p.name, cid, exc)
                report.missing.append(f"{cid}/{p.name}")
        with transaction(engine) as session:
            mark_published(session, done, at=dt.datetime.now(dt.UTC))
        if len(done) == len(outputs):
            _discard(outbox, tok)
    return report


#: The removals started inside :func:`deferred_discards`, by client and token.
_Discards = dict[tuple[str, str], Future[None]]
_discards: contextvars.ContextVar[tuple[ThreadPoolExecutor, _Discards] | None] = (
    contextvars.ContextVar("bpo_deferred_discards", default=None)
)


@contextmanager
def deferred_discards() -> Iterator[None]:
    """Inside, the emptied staging folders of published tokens are removed on a thread of
    their own while the caller goes on (a folder removal costs a small file's answer several
    milliseconds of file-system time); at exit every one has been removed. A token staged
    into again (the same held bytes twice) first waits for its removal. A folder left by a
    process that died meanwhile holds nothing the store still needs: its outputs are
    published and marked so."""
    with ThreadPoolExecutor(1, thread_name_prefix="bpo-discards") as thread:
        pending: _Discards = {}
        token = _discards.set((thread, pending))
        try:
            yield
        finally:
            _discards.reset(token)
    for future in pending.values():
        error = future.exception()
        if error is not None:
            log.warning("a staging folder was not removed: %s: %s", type(error).__name__, error)


def _discard(outbox: FsOutbox, token: str) -> None:
    deferred = _discards.get()
    if deferred is None:
        outbox.discard(token)
        return
    thread, pending = deferred
    _settle(outbox, token)
    pending[(outbox.client_id, token)] = thread.submit(outbox.discard, token)


def _settle(outbox: FsOutbox, token: str) -> None:
    """Wait for a removal of the staging folder ``token`` still under way."""
    deferred = _discards.get()
    if deferred is not None:
        started = deferred[1].pop((outbox.client_id, token), None)
        if started is not None:
            wait([started])
