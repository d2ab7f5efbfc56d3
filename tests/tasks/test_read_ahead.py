"""Reading ahead (``tasks.read_ahead``): a file's batch is the one read from its very bytes,
read once when it was read ahead, read in turn otherwise."""

from __future__ import annotations

import threading

import pytest

from readers.isolation import ReaderPool
from schemas.batch import ValidatedBatch
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from schemas.issue import Issue
from tasks.doctype import ClientContext
from tasks.read_ahead import ReadAhead

ACME = ClientContext(client=ClientConfig(id="acme", name="Acme"))
GLOBEX = ClientContext(client=ClientConfig(id="globex", name="Globex"))


class Reader:
    """An extraction step that names what it read, and counts its calls by thread."""

    def __init__(self, fails_on: bytes = b"") -> None:
        self.calls: list[tuple[bytes, str]] = []
        self.fails_on = fails_on
        self._lock = threading.Lock()

    def __call__(
        self,
        doc_type: DocType,
        data: bytes,
        name: str,
        ctx: ClientContext,
        pool: ReaderPool | None,
    ) -> ValidatedBatch:
        with self._lock:
            self.calls.append((data, threading.current_thread().name))
        if data == self.fails_on:
            raise ConnectionError("reading child unreachable")
        return ValidatedBatch.unreadable(Issue(code="READ", message=f"{ctx.client_id}:{data!r}"))


def read(ahead: ReadAhead, data: bytes, name: str = "a.csv", ctx: ClientContext = ACME) -> str:
    batch = ahead.extract(DocType.PAYROLL, data, name, ctx, None)
    return batch.file_issues[0].message


def test_a_file_read_ahead_is_read_once_and_its_batch_used_in_turn() -> None:
    reader = Reader()
    with ReadAhead(reader, depth=2) as ahead:
        ahead.start(DocType.PAYROLL, "a.csv", ACME, None, lambda: b"jan")
        ahead.start(DocType.PAYROLL, "a.csv", ACME, None, lambda: b"jan")  # once per file
        assert read(ahead, b"jan") == "acme:b'jan'"
    assert [thread.startswith("bpo-read-ahead") for _, thread in reader.calls] == [True]


def test_bytes_changed_since_the_read_ahead_are_read_again() -> None:
    reader = Reader()
    with ReadAhead(reader, depth=1) as ahead:
        ahead.start(DocType.PAYROLL, "a.csv", ACME, None, lambda: b"old")
        assert read(ahead, b"new") == "acme:b'new'"
    assert [data for data, _ in reader.calls] == [b"old", b"new"]


@pytest.mark.parametrize(
    ("name", "ctx"), [("b.csv", ACME), ("a.csv", GLOBEX)], ids=["other file", "other client"]
)
def test_a_result_is_only_for_the_file_and_client_it_was_read_for(
    name: str, ctx: ClientContext
) -> None:
    reader = Reader()
    with ReadAhead(reader, depth=1) as ahead:
        ahead.start(DocType.PAYROLL, "a.csv", ACME, None, lambda: b"jan")
        assert read(ahead, b"jan", name, ctx) == f"{ctx.client_id}:b'jan'"
    assert len(reader.calls) == 2


def test_a_read_ahead_that_failed_is_read_again_in_turn_where_its_error_is_raised() -> None:
    reader = Reader(fails_on=b"jan")
    with ReadAhead(reader, depth=1) as ahead:
        ahead.start(DocType.PAYROLL, "a.csv", ACME, None, lambda: b"jan")
        with pytest.raises(ConnectionError, match="unreachable"):
            read(ahead, b"jan")
    assert [thread.startswith("bpo-read-ahead") for _, thread in reader.calls] == [True, False]


def test_a_file_that_cannot_be_read_ahead_is_read_in_turn() -> None:
    reader = Reader()

    def gone() -> bytes:
        raise FileNotFoundError("taken by another run")

    with ReadAhead(reader, depth=1) as ahead:
        ahead.start(DocType.PAYROLL, "a.csv", ACME, None, gone)
        assert read(ahead, b"jan") == "acme:b'jan'"
    assert len(reader.calls) == 1


def test_a_result_is_used_once() -> None:
    reader = Reader()
    with ReadAhead(reader, depth=1) as ahead:
        ahead.start(DocType.PAYROLL, "a.csv", ACME, None, lambda: b"jan")
        read(ahead, b"jan")
        read(ahead, b"jan")
    assert len(reader.calls) == 2
