"""Extraction under the reading budgets, through a reading child: bombs of findings 1 and 6
and any reader failure become the file's answer, never a crash or a failed run."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

import pytest

from readers.isolation import ReaderPool
from samples.hostile import facturx_bomb, pdf_operator_bomb, pdf_stream_bomb, xlsx_bomb
from samples.payroll import csv_bytes, payroll_frame
from samples.supplier_template import series, template_pdf
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from schemas.limits import ReadingLimits
from tasks.doctype import ClientContext
from tasks.extraction import PRELOAD, extract_file
from tasks.invoices.memory import learn
from tasks.invoices.pages import document_pages


@pytest.fixture(scope="module")
def pool() -> Iterator[ReaderPool]:
    readers = ReaderPool(1, preload=PRELOAD)
    yield readers
    readers.close()


def _ctx(**limits: int) -> ClientContext:
    return ClientContext(ClientConfig(id="acme", name="Acme"), limits=ReadingLimits(**limits))


def _codes(
    doc_type: DocType, data: bytes, name: str, pool: ReaderPool | None, **limits: int
) -> tuple[list[str], str, float]:
    start = time.monotonic()
    batch = extract_file(doc_type, data, name, _ctx(**limits), pool)
    assert batch.records.height == 0
    return (
        [i.code for i in batch.file_issues],
        batch.file_issues[0].message,
        time.monotonic() - start,
    )


@pytest.mark.parametrize(
    ("doc_type", "name", "make", "code", "budget"),
    [
        (DocType.PAYROLL, "bomb.xlsx", xlsx_bomb, "FILE-TOO-LARGE", "max_cells"),
        (
            DocType.INVOICES,
            "ops.pdf",
            pdf_operator_bomb,
            "FILE-TOO-COMPLEX",
            "max_operators_per_page",
        ),
        (DocType.INVOICES, "stream.pdf", pdf_stream_bomb, "FILE-TOO-LARGE", "max_stream_bytes"),
        (DocType.INVOICES, "fx.pdf", facturx_bomb, "FILE-TOO-LARGE", "max_attachment_bytes"),
    ],
)
def test_bombs_are_answered_within_their_budget(
    pool: ReaderPool, doc_type: DocType, name: str, make: object, code: str, budget: str
) -> None:
    codes, message, seconds = _codes(doc_type, make(), name, pool)  # type: ignore[operator]
    assert codes == [code]
    assert budget in message
    assert seconds < 20


def test_file_size_budget_is_checked_before_reading(pool: ReaderPool) -> None:
    codes, message, _ = _codes(
        DocType.CLAIMS, b"ISA" + b" " * 5000, "x.837", pool, max_file_bytes=1000
    )
    assert codes == ["FILE-TOO-LARGE"]
    assert "max_file_bytes" in message


def test_a_reader_past_its_wall_clock_is_killed_and_the_next_file_is_read(pool: ReaderPool) -> None:
    slow = pdf_operator_bomb(operators=40_000, pages=40)
    codes, message, seconds = _codes(DocType.INVOICES, slow, "slow.pdf", pool, max_wall_seconds=2)
    assert codes == ["FILE-TOO-COMPLEX"]
    assert "max_wall_seconds" in message
    assert seconds < 10
    ok = extract_file(DocType.PAYROLL, csv_bytes(payroll_frame(5)), "p.csv", _ctx(), pool)
    assert ok.records.height == 5


def test_in_process_path_keeps_the_reader_budgets() -> None:
    codes, message, _ = _codes(DocType.INVOICES, pdf_operator_bomb(), "ops.pdf", None)
    assert codes == ["FILE-TOO-COMPLEX"]
    assert "max_operators_per_page" in message


def test_records_budget_holds_for_every_format(pool: ReaderPool) -> None:
    codes, message, _ = _codes(
        DocType.PAYROLL, csv_bytes(payroll_frame(30)), "p.csv", pool, max_rows=20
    )
    assert codes == ["FILE-TOO-LARGE"]
    assert "max_rows" in message


def test_the_supplier_memory_reaches_the_reading_child(pool: ReaderPool) -> None:
    """The child has no database: what reviewers taught is read in the worker and sent along,
    so a supplier's next invoice is read with it under the budgets too."""
    first, second = series(2)
    data = template_pdf(first)
    truth = first.truth()
    memory = learn(
        client_id="acme",
        fields=truth,
        corrected=list(truth),
        pages=document_pages(data, 10),
        source_item=5,
        learned_by="ann",
        at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    assert memory
    ctx = ClientContext(
        ClientConfig(id="acme", name="Acme", currency="EUR"), memory_loader=lambda: memory
    )
    taught = extract_file(DocType.INVOICES, template_pdf(second), "nf-2.pdf", ctx, pool)
    (row,) = taught.records.to_dicts()
    learned = json.loads(row["raw"])["learned_from"]
    assert learned
    assert set(learned.values()) == {"review item 5"}
    for field in learned:
        assert str(row[field]) == str(second.truth()[field]), field

    untaught = extract_file(DocType.INVOICES, template_pdf(second), "nf-2.pdf", _ctx(), pool)
    (row,) = untaught.records.to_dicts()
    assert "learned_from" not in json.loads(row["raw"])
