"""Reading a client's file where it can be limited and killed: a small pool of child processes.

Each child is started by ``forkserver`` (``spawn`` where there is none), so it inherits no lock
or thread of the worker (Prefect runs threads beside the flows), and is reused from file to
file, so a small file does not pay for a process start or for importing Polars and the PDF
readers. Before each job the child lowers its own limits: address space (``RLIMIT_AS``, the
memory budget) and CPU time (``RLIMIT_CPU``, counted from what it has already used), and it
reads under the file's :class:`schemas.limits.ReadingLimits` (:func:`readers.budget.reading_under`).
The parent waits at most the wall-clock budget and kills the child past it.

Whatever happens in the child, the parent gets a :class:`Reply`: the value, a budget passed,
an exception, or how the child died. The worker never dies with it.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from readers.budget import BudgetExceededError, reading_under
from schemas.limits import ReadingLimits
from schemas.short_text import shorten

#: A child whose resident memory is above this after a job is retired (a fresh one is cheap
#: beside memory an allocator keeps after a large file).
RETIRE_RSS_BYTES = 768 * 1024 * 1024
#: A child is also retired after this many jobs, whatever its size.
RETIRE_AFTER_JOBS = 500


@dataclass(frozen=True)
class Reply:
    """What came back from a child: ``kind`` is ``ok`` (``value``), ``budget`` (``budget``),
    ``memory`` (a MemoryError), ``error`` (``error``: an exception's type and text),
    ``timeout`` (the wall-clock budget passed and the child was killed) or ``died``
    (``signal``/``exitcode``: the child ended without an answer)."""

    kind: str
    value: Any = None
    budget: BudgetExceededError | None = None
    error: str = ""
    signal: str = ""
    exitcode: int | None = None
    seconds: float = 0.0


def _rss_bytes() -> int:
    try:
        statm = Path("/proc/self/statm").read_text(encoding="ascii")
        return int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux
        return 0


def _apply(limits: ReadingLimits) -> None:
    """Lower this process's soft limits for the next job (hard limits stay, so a later job
    may raise them again)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limits.max_memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard < 0 else min(cap, hard), hard))
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    want = spent + limits.max_cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (want if hard < 0 else min(want, hard), hard))


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the child
    """The child's loop: one job at a time until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a child stops
    jobs = 0
    while True:
        try:
            fn, args, limits = conn.recv()
        except (EOFError, OSError):
            return
        jobs += 1
        _apply(limits)
        try:
            with reading_under(limits):
                reply: tuple[str, Any] = ("ok", fn(*args))
        except BudgetExceededError as exc:
            reply = ("budget", exc)
        except MemoryError:
            reply = ("memory", None)
        except Exception as exc:
            reply = ("error", f"{type(exc).__name__}: {shorten(str(exc), 300)}")
        retire = jobs >= RETIRE_AFTER_JOBS or _rss_bytes() > RETIRE_RSS_BYTES
        try:
            conn.send((*reply, retire))
        except MemoryError:
            conn.send(("memory", None, True))
        except Exception as exc:
            conn.send(("error", f"the result could not be sent back: {type(exc).__name__}", True))
        del reply
        if retire:
            return


class _Child:
    def __init__(self, ctx: Any) -> None:
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()

    def alive(self) -> bool:
        return bool(self.process.is_alive())

    def stop(self) -> None:
        """Kill the child now and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    def ended(self) -> Reply:
        """Why the child ended without an answer (it has, or is about to)."""
        self.process.join(timeout=5)
        code = self.process.exitcode
        self.stop()
        name = ""
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
        return Reply("died", signal=name, exitcode=code)


class ReaderPool:
    """At most ``size`` children reading at once; idle ones wait, warm, for the next file."""

    def __init__(self, size: int = 2, *, preload: Sequence[str] = (), method: str | None = None):
        methods = multiprocessing.get_all_start_methods()
        method = method or ("forkserver" if "forkserver" in methods else "spawn")
        self._ctx = multiprocessing.get_context(method)
        if method == "forkserver" and preload:
            self._ctx.set_forkserver_preload(list(preload))
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def _take(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.alive():
                    return child
                child.stop()
        return _Child(self._ctx)

    def warm(self) -> None:
        """Start the children now (the first file then pays no start-up)."""
        started = [self._take() for _ in range(self.size - len(self._idle))]
        with self._lock:
            self._idle.extend(started)

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...], limits: ReadingLimits) -> Reply:
        """``fn(*args)`` in a child under ``limits``; never raises for what the child does."""
        with self._slots:
            child = self._take()
            start = time.monotonic()
            try:
                child.conn.send((fn, args, limits))
            except (BrokenPipeError, ConnectionResetError, EOFError):
                return child.ended()
            if not child.conn.poll(limits.max_wall_seconds):
                child.stop()
                return Reply("timeout", seconds=time.monotonic() - start)
            try:
                kind, value, retire = child.conn.recv()
            except (EOFError, OSError):
                return child.ended()
            seconds = time.monotonic() - start
            if retire:
                child.process.join(timeout=5)
                child.stop()
            else:
                with self._lock:
                    self._idle.append(child)
        if kind == "ok":
            return Reply("ok", value=value, seconds=seconds)
        if kind == "budget":
            return Reply("budget", budget=value, seconds=seconds)
        if kind == "memory":
            return Reply("memory", seconds=seconds)
        return Reply("error", error=str(value), seconds=seconds)

    def close(self) -> None:
        """Stop every idle child (a running job's child is stopped by its caller)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.stop()
