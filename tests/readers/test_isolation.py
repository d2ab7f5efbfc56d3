"""The reading children: a file's reader is limited and killed from outside, and the worker
and the pool go on (invariant 9)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from readers.isolation import ReaderPool
from schemas.limits import ReadingLimits


@pytest.fixture(scope="module")
def pool() -> Iterator[ReaderPool]:
    readers = ReaderPool(1)
    yield readers
    readers.close()


def _alive(pool: ReaderPool) -> None:
    reply = pool.run(len, (b"still here",), ReadingLimits())
    assert (reply.kind, reply.value) == ("ok", 10)


def test_a_value_comes_back(pool: ReaderPool) -> None:
    assert pool.run(sorted, ([3, 1, 2],), ReadingLimits()).value == [1, 2, 3]


def test_wall_clock_budget_kills_the_child(pool: ReaderPool) -> None:
    start = time.monotonic()
    reply = pool.run(time.sleep, (30,), ReadingLimits(max_wall_seconds=1))
    assert reply.kind == "timeout"
    assert time.monotonic() - start < 10
    _alive(pool)


def test_cpu_budget_stops_the_child(pool: ReaderPool) -> None:
    reply = pool.run(sum, (range(10**12),), ReadingLimits(max_cpu_seconds=1, max_wall_seconds=60))
    assert (reply.kind, reply.signal) == ("died", "SIGXCPU")
    _alive(pool)


def test_memory_budget_refuses_the_allocation(pool: ReaderPool) -> None:
    reply = pool.run(bytearray, (4 * 1024**3,), ReadingLimits(max_memory_bytes=1024**3))
    assert reply.kind == "memory"
    _alive(pool)


def test_a_child_that_dies_is_answered(pool: ReaderPool) -> None:
    reply = pool.run(os.abort, (), ReadingLimits())
    assert (reply.kind, reply.signal) == ("died", "SIGABRT")
    _alive(pool)


def test_an_exception_is_answered(pool: ReaderPool) -> None:
    reply = pool.run(int, ("not a number",), ReadingLimits())
    assert reply.kind == "error"
    assert reply.error.startswith("ValueError")
    _alive(pool)


def test_the_child_is_reused(pool: ReaderPool) -> None:
    first = pool.run(os.getpid, (), ReadingLimits()).value
    assert pool.run(os.getpid, (), ReadingLimits()).value == first != os.getpid()


def test_a_long_exception_text_is_shortened_at_a_word(pool: ReaderPool) -> None:
    import datetime as dt

    from schemas.short_text import ELLIPSIS
    from tasks.extraction import _answer

    words = "amount column " * 60  # quoted whole in the error's text: 840 characters
    reply = pool.run(dt.date.fromisoformat, (words,), ReadingLimits())
    assert reply.kind == "error"
    assert reply.error.endswith(f"amount{ELLIPSIS}") or reply.error.endswith(f"column{ELLIPSIS}")
    assert len(reply.error) <= len("ValueError: ") + 300
    (issue,) = _answer(reply, ReadingLimits()).file_issues
    assert issue.code == "FILE-UNREADABLE"
    assert f"column{ELLIPSIS}" in issue.message or f"amount{ELLIPSIS}" in issue.message
    _alive(pool)
