"""Reading the next small files of a batch while the current one is answered.

A batch run answers its files one after the other (``flows.small_files``); reading a 20-row
file in a reading child costs about as much as everything else its answer does (the store,
the outputs, the receipt), and the child would sit idle while the run waits on the store.
:class:`ReadAhead` starts the extraction of the next files (their bytes read from the landing
zone on a thread of its own, extracted by the step's own function, so in a reading child under
the client's budgets) and hands each result to the file's extraction step when its turn comes.

A result is used only for the very bytes it was read from: the step compares the sha256 of
the bytes the file was registered with, so a file replaced since it was read ahead is read
again, and a read-ahead that failed is simply done again in turn (where its error is
answered as it always is). Nothing read ahead is written anywhere, so a run that dies leaves
nothing of it behind.

Example: files ``a``, ``b``, ``c`` with two reading children: while ``a`` is registered and
extracted, ``b`` and ``c`` are being read; while ``a`` is routed, metered and published, their
batches are ready, and ``a``'s turn to read ``d`` has started.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

from readers.isolation import ReaderPool
from schemas.batch import ValidatedBatch
from schemas.doc_type import DocType
from tasks.doctype import ClientContext

#: The extraction step: ``(doc_type, data, name, ctx, pool) -> batch``.
Extract = Callable[[DocType, bytes, str, ClientContext, ReaderPool | None], ValidatedBatch]


@dataclass(frozen=True)
class _Read:
    """What one read-ahead found: the bytes' sha256 and their batch."""

    sha256: str
    batch: ValidatedBatch


def _key(doc_type: DocType, name: str, ctx: ClientContext) -> tuple[str, str, str]:
    return (ctx.client_id, doc_type.value, name)


def _read(read: Callable[[], bytes], extract: Callable[[bytes], ValidatedBatch]) -> _Read:
    data = read()
    return _Read(hashlib.sha256(data).hexdigest(), extract(data))


class ReadAhead:
    """Extractions started before their turn, ``depth`` at a time (the reading children's
    number keeps them all busy); use as a context manager: at exit, what has not started is
    dropped and what runs is waited for."""

    def __init__(self, extract: Extract, depth: int) -> None:
        self._extract = extract
        #: Files read ahead at once (0: none, each is read in turn).
        self.depth = max(depth, 0)
        self._threads = ThreadPoolExecutor(max(depth, 1), thread_name_prefix="bpo-read-ahead")
        self._started: dict[tuple[str, str, str], Future[_Read]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            self._started.clear()

    def start(
        self,
        doc_type: DocType,
        name: str,
        ctx: ClientContext,
        pool: ReaderPool | None,
        read: Callable[[], bytes],
    ) -> None:
        """Read (``read()``) and extract a file ahead of its turn (once per file)."""
        key = _key(doc_type, name, ctx)
        with self._lock:
            if key in self._started:
                return
            self._started[key] = self._threads.submit(
                _read, read, lambda data: self._extract(doc_type, data, name, ctx, pool)
            )

    def extract(
        self,
        doc_type: DocType,
        data: bytes,
        name: str,
        ctx: ClientContext,
        pool: ReaderPool | None,
    ) -> ValidatedBatch:
        """The extraction step: what was read ahead of these very bytes, else read now."""
        with self._lock:
            started = self._started.pop(_key(doc_type, name, ctx), None)
        if started is not None and not started.cancelled():
            try:
                ahead = started.result()
            except Exception:  # read again in turn, where a failure is answered as usual
                ahead = None
            if ahead is not None and ahead.sha256 == hashlib.sha256(data).hexdigest():
                return ahead.batch
        return self._extract(doc_type, data, name, ctx, pool)
