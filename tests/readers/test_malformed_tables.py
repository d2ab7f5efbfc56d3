"""Malformed delimited files of every tabular doc type get an answer, never an exception.

Each shape a careless or hostile client sends is generated from a valid file of the doc type:
title lines above the header, an unterminated quote, a row with one field too many (an
unquoted comma) or too few, a row in another delimiter, binary garbage after the first 4 KiB,
truncated UTF-16, a NUL byte after the first 4 KiB. A row that does not fit the header goes to
review as ``ROW-SHAPE`` and the rest of the file is processed; bytes that are not text
quarantine the file with the offset of the first bad byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.batch import ValidatedBatch
from schemas.claim_options import ClaimOptions
from schemas.config import ClientConfig
from tasks.claims.handler import ClaimsHandler
from tasks.doctype import ClientContext, DocHandler
from tasks.invoices.handler import InvoiceHandler
from tasks.payroll.handler import PayrollHandler
from tests.factories import payroll_csv, payroll_rows

ROWS = 60  # enough rows for a file beyond 4 KiB


def _claims_csv(n: int) -> bytes:
    head = (
        "claim_id,billing_npi,rendering_npi,payer_id,member_id,total_charge,diagnosis_codes,"
        "procedure_code,modifiers,charge,units,service_date,diagnosis_pointers"
    )
    rows = [
        f"C{i:04d},1234567893,,P1,M{i:08d},40.00,E11.65;I10,99213,25,40.00,1,2024-01-05,1"
        for i in range(n)
    ]
    return ("\n".join([head, *rows]) + "\n").encode()


def _invoices_csv(n: int) -> bytes:
    rows = [
        {
            "invoice_number": f"INV-{i:04d}",
            "invoice_date": "2026-03-01",
            "vendor_name": "Acme Supplies",
            "buyer_name": "Globex",
            "currency": "USD",
            "subtotal": "30.00",
            "tax_total": "0.00",
            "total": "30.00",
            "description": "Widgets",
            "quantity": "3",
            "unit_price": "10.00",
            "amount": "30.00",
        }
        for i in range(n)
    ]
    return pl.DataFrame(rows).write_csv().encode()


@dataclass(frozen=True)
class DocCase:
    name: str
    handler: DocHandler
    ctx: ClientContext
    make: Callable[[int], bytes]


DOCS = [
    DocCase(
        "payroll",
        PayrollHandler(),
        ClientContext(ClientConfig(id="acme", name="Acme")),
        lambda n: payroll_csv(payroll_rows(n)),
    ),
    DocCase(
        "claims",
        ClaimsHandler(),
        ClientContext(
            ClientConfig(id="acme", name="Acme", claims=ClaimOptions(structure_check_max_bytes=0))
        ),
        _claims_csv,
    ),
    DocCase(
        "invoices",
        InvoiceHandler(),
        ClientContext(ClientConfig(id="acme", name="Acme", currency="USD")),
        _invoices_csv,
    ),
]


def _lines(data: bytes) -> list[str]:
    return data.decode().rstrip("\n").split("\n")


def _join(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


BAD_ROW = 5  # 0-based data row made ragged


def one_field_too_many(data: bytes) -> bytes:
    lines = _lines(data)
    first, rest = lines[1 + BAD_ROW].split(",", 1)
    lines[1 + BAD_ROW] = f'{first},=HYPERLINK("http://x","y"),{rest}'
    return _join(lines)


def one_field_too_few(data: bytes) -> bytes:
    lines = _lines(data)
    lines[1 + BAD_ROW] = lines[1 + BAD_ROW].rsplit(",", 1)[0]
    return _join(lines)


def unterminated_quote(data: bytes) -> bytes:
    lines = _lines(data)
    first, rest = lines[1 + BAD_ROW].split(",", 1)
    lines[1 + BAD_ROW] = f'{first},"{rest}'
    return _join(lines)


def other_delimiter(data: bytes) -> bytes:
    lines = _lines(data)
    lines[1 + BAD_ROW] = lines[1 + BAD_ROW].replace(",", ";")
    return _join(lines)


RAGGED = [one_field_too_many, one_field_too_few, unterminated_quote, other_delimiter]


def extract(doc: DocCase, data: bytes) -> ValidatedBatch:
    return doc.handler.extract(data, f"batch.{doc.name}.csv", doc.ctx)


def shape_rows(batch: ValidatedBatch) -> list[int]:
    return sorted(
        batch.issues.filter(pl.col("code") == "ROW-SHAPE").get_column("record_index").unique()
    )


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_the_valid_file_has_no_shape_issue(doc: DocCase) -> None:
    batch = extract(doc, doc.make(ROWS))
    assert batch.file_issues == ()
    assert batch.records.height == ROWS
    assert shape_rows(batch) == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
@pytest.mark.parametrize("shape", RAGGED, ids=lambda f: f.__name__)
def test_a_ragged_row_goes_to_review_and_the_rest_is_processed(
    doc: DocCase, shape: Callable[[bytes], bytes]
) -> None:
    batch = extract(doc, shape(doc.make(ROWS)))
    assert batch.file_issues == ()
    assert batch.records.height == ROWS
    assert shape_rows(batch) == [BAD_ROW]
    [message] = batch.issues.filter(pl.col("code") == "ROW-SHAPE").get_column("message")
    assert f"Line {BAD_ROW + 2}:" in message


def test_the_ragged_rows_text_is_masked() -> None:
    rows = payroll_rows(3)
    data = one_field_too_many(payroll_csv(rows) + payroll_csv(payroll_rows(5)).split(b"\n", 1)[1])
    batch = extract(DOCS[0], data)
    [message] = batch.issues.filter(pl.col("code") == "ROW-SHAPE").get_column("message")
    account = str(payroll_rows(5)[BAD_ROW - 3]["account_number"])
    assert account not in message
    assert account[-4:] in message


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
@pytest.mark.parametrize("titles", [["Payroll register"], ["Report, March 2026", "Acme Corp", ""]])
def test_title_lines_above_the_header_are_skipped(doc: DocCase, titles: list[str]) -> None:
    data = "\n".join(titles).encode() + b"\n" + doc.make(ROWS)
    batch = extract(doc, data)
    assert batch.file_issues == ()
    assert batch.records.height == ROWS
    assert shape_rows(batch) == []


def test_payroll_notes_the_title_lines_it_skipped() -> None:
    data = b"Payroll register, March 2026\nAcme Corp\n" + payroll_csv(payroll_rows(3))
    assert extract(DOCS[0], data).meta["title_lines"] == 2


def _garbage_after_4k(data: bytes) -> bytes:
    return data + bytes(b for b in range(0x80, 0x100)) * 8


def _nul_after_4k(data: bytes) -> bytes:
    lines = _lines(data)
    lines[-2] = lines[-2][:3] + "\x00" + lines[-2][3:]
    return _join(lines)


def _truncated_utf16(data: bytes) -> bytes:
    return data.decode().encode("utf-16")[:-1]


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
@pytest.mark.parametrize(
    "shape", [_garbage_after_4k, _nul_after_4k, _truncated_utf16], ids=lambda f: f.__name__
)
def test_bytes_that_are_not_text_quarantine_the_file_with_the_offset(
    doc: DocCase, shape: Callable[[bytes], bytes]
) -> None:
    data = shape(doc.make(ROWS))
    assert len(data) > 4096
    batch = extract(doc, data)
    assert batch.records.height == 0
    [issue] = batch.file_issues
    assert issue.code == "FILE-ENCODING"
    assert "byte offset" in issue.message


def test_the_offset_is_the_first_bad_byte() -> None:
    data = _nul_after_4k(payroll_csv(payroll_rows(ROWS)))
    [issue] = extract(DOCS[0], data).file_issues
    offset = data.index(b"\x00")
    assert f"byte offset {offset} " in issue.message


def test_cp1252_text_is_still_read() -> None:
    rows = payroll_rows(3, employee_name="Zoë Müller")
    data = payroll_csv(rows).decode().encode("cp1252")
    batch = extract(DOCS[0], data)
    assert batch.file_issues == ()
    assert batch.meta["encoding"] == "cp1252"
    assert "Zoë Müller" in batch.records.get_column("employee_name").to_list()


def _answered(batch: ValidatedBatch) -> bool:
    """Records to process, or a file issue that quarantines the file: an answer either way."""
    return batch.records.height > 0 or len(batch.file_issues) > 0


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048))
def test_any_bytes_get_an_answer(doc: DocCase, data: bytes) -> None:
    assert _answered(extract(doc, data))


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=4000),
    junk=st.binary(min_size=1, max_size=64),
    at=st.integers(min_value=0, max_value=4000),
)
def test_a_valid_file_spliced_with_any_bytes_gets_an_answer(
    doc: DocCase, cut: int, junk: bytes, at: int
) -> None:
    good = doc.make(ROWS)
    data = good[: at % len(good)] + junk + good[at % len(good) : len(good) - cut % len(good)]
    assert _answered(extract(doc, data))


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
@pytest.mark.parametrize("extra", ["x", ""])
def test_a_row_too_long_and_one_too_short_do_not_cancel_out(doc: DocCase, extra: str) -> None:
    """The delimiter count of the file is right, yet two rows are ragged."""
    lines = _lines(doc.make(ROWS))
    lines[1 + BAD_ROW] = lines[1 + BAD_ROW] + "," + extra
    lines[2 + BAD_ROW] = lines[2 + BAD_ROW].rsplit(",", 1)[0]
    batch = extract(doc, _join(lines))
    assert batch.records.height == ROWS
    assert shape_rows(batch) == [BAD_ROW, BAD_ROW + 1]
