"""Findings 1 and 6 of issue 15 as the readers see them: bombs made in code stop at a budget,
in seconds (reading them in full takes minutes), with the budget and the figure named."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from readers.budget import TOO_COMPLEX, TOO_LARGE, BudgetExceededError, reading_under
from readers.pdf_budget import check_pdf, count_operators
from readers.tabular import TableError, read_xlsx_sheets
from readers.xml_budget import check_xml
from samples.hostile import (
    facturx_bomb,
    pdf_operator_bomb,
    pdf_stream_bomb,
    xlsx_bomb,
    xlsx_of,
    xml_depth_bomb,
)
from schemas.config import BpoConfig
from schemas.limits import ReadingLimits
from tasks.claims.x12_tokens import Delimiters, split_segments


def _stopped(call: object, *args: object, seconds: float = 30.0) -> BudgetExceededError:
    start = time.monotonic()
    with pytest.raises(BudgetExceededError) as caught:
        call(*args)  # type: ignore[operator]
    assert time.monotonic() - start < seconds
    return caught.value


def test_xlsx_bomb_of_one_megabyte_stops_at_the_cell_budget() -> None:
    bomb = xlsx_bomb()
    assert len(bomb) < 2_000_000
    exc = _stopped(read_xlsx_sheets, bomb)
    assert (exc.code, exc.budget) == (TOO_LARGE, "max_cells")
    assert "max_cells" in exc.message
    assert "10,000,000" in exc.message


def test_xlsx_unpacked_size_budget_counts_actual_bytes() -> None:
    bomb = xlsx_of([b"<worksheet><sheetData>", b" " * 3_000_000, b"</sheetData></worksheet>"])
    with reading_under(ReadingLimits(max_decompressed_bytes=2_000_000)):
        exc = _stopped(read_xlsx_sheets, bomb)
    assert exc.budget == "max_decompressed_bytes"


def _lying_xlsx(declared: int) -> bytes:
    """A workbook whose sheet's headers (local and central) declare ``declared`` bytes."""
    out = io.BytesIO()
    sheet = b"<worksheet><sheetData>" + b" " * 100_000 + b"</sheetData></worksheet>"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    data = bytearray(out.getvalue())
    name = b"xl/worksheets/sheet1.xml"
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    assert data[local + 30 : local + 30 + len(name)] == name
    data[local + 22 : local + 26] = declared.to_bytes(4, "little")
    data[central + 24 : central + 28] = declared.to_bytes(4, "little")
    return bytes(data)


def test_xlsx_whose_entry_lies_about_its_size_is_malformed() -> None:
    with pytest.raises(TableError) as caught:
        read_xlsx_sheets(_lying_xlsx(10))
    assert caught.value.code == "FILE-MALFORMED"


def test_xlsx_rows_and_cell_length_budgets() -> None:
    sheet = [
        b"<worksheet><sheetData>",
        b"<row><c><v>1</v></c></row>" * 50,
        b"</sheetData></worksheet>",
    ]
    with reading_under(ReadingLimits(max_rows=20)):
        assert _stopped(read_xlsx_sheets, xlsx_of(sheet)).budget == "max_rows"
    long_cell = b'<row><c t="inlineStr"><is><t>' + b"x" * 500 + b"</t></is></c></row>"
    with reading_under(ReadingLimits(max_cell_chars=100)):
        exc = _stopped(
            read_xlsx_sheets,
            xlsx_of([b"<worksheet><sheetData>", long_cell, b"</sheetData></worksheet>"]),
        )
    assert (exc.budget, exc.figure) == ("max_cell_chars", "500")


def test_pdf_pages_sharing_a_100k_operator_stream_stop_at_the_operator_budget() -> None:
    bomb = pdf_operator_bomb()
    assert len(bomb) < 300_000
    exc = _stopped(check_pdf, bomb, seconds=5)
    assert (exc.code, exc.budget) == (TOO_COMPLEX, "max_operators_per_page")
    assert "page 1" in exc.message
    assert "100,000" in exc.message


def test_pdf_page_stream_decoding_to_400_mb_stops_at_the_stream_budget() -> None:
    bomb = pdf_stream_bomb()
    assert len(bomb) < 1_000_000
    exc = _stopped(check_pdf, bomb, seconds=5)
    assert (exc.code, exc.budget) == (TOO_LARGE, "max_stream_bytes")


def test_facturx_attachment_decoding_to_300_mb_stops_at_the_attachment_budget() -> None:
    exc = _stopped(check_pdf, facturx_bomb(), seconds=5)
    assert (exc.code, exc.budget) == (TOO_LARGE, "max_attachment_bytes")


def test_pdf_page_budget() -> None:
    with reading_under(ReadingLimits(max_pages=3)):
        assert _stopped(check_pdf, pdf_operator_bomb(operators=10, pages=5)).budget == "max_pages"


def test_ordinary_pdf_and_broken_pdf_pass_the_prescan() -> None:
    check_pdf(pdf_operator_bomb(operators=500, pages=3))
    check_pdf(b"%PDF-1.4 not really")
    check_pdf(pdf_operator_bomb(operators=500, pages=3)[:200])


def test_operators_are_counted_outside_strings_and_names() -> None:
    content = b"BT /F1 12 Tf 72 720 Td (Hello world Tj re) Tj [(a) 3 (b)] TJ ET q 1 0 0 1 0 0 cm Q"
    assert count_operators(content) == 9  # BT Tf Td Tj TJ ET q cm Q


def test_xml_depth_and_size_budgets() -> None:
    assert _stopped(check_xml, xml_depth_bomb()).budget == "max_xml_depth"
    with reading_under(ReadingLimits(max_xml_bytes=100)):
        assert _stopped(check_xml, b"<a>" + b" " * 200 + b"</a>").budget == "max_xml_bytes"
    check_xml(b"<a><b/></a>")
    check_xml(b"<a><b></a>")  # malformed: left to the parser


def test_x12_segment_budget() -> None:
    d = Delimiters(element="*", component=":", segment="~", repetition="^")
    with reading_under(ReadingLimits(max_segments=10)):
        assert _stopped(split_segments, "ST*837~" * 11, d).budget == "max_segments"
        assert len(split_segments("ST*837~" * 10, d)) == 10


def test_client_limits_override_only_what_they_name() -> None:
    config = BpoConfig.model_validate(
        {
            "limits": {"max_rows": 10, "max_pages": 7},
            "clients": {"acme": {"name": "Acme", "limits": {"max_rows": 99}}, "b": {"name": "B"}},
        }
    )
    assert (config.limits_for("acme").max_rows, config.limits_for("acme").max_pages) == (99, 7)
    assert config.limits_for("b").max_rows == 10
    with pytest.raises(ValueError, match="max_rowz"):
        BpoConfig.model_validate({"limits": {"max_rowz": 1}})


@pytest.mark.parametrize("filter", ["LZWDecode", "RunLengthDecode"])
def test_pdf_streams_of_every_compression_count_against_the_stream_budget(filter: str) -> None:
    from samples.hostile import pdf_filter_bomb

    bomb = pdf_filter_bomb(filter, 1_000_000)
    assert len(bomb) < 40_000
    with reading_under(ReadingLimits(max_stream_bytes=200_000)):
        exc = _stopped(check_pdf, bomb)
    assert (exc.code, exc.budget) == (TOO_LARGE, "max_stream_bytes")
    with reading_under(ReadingLimits(max_stream_bytes=200_000, max_decompressed_bytes=100_000)):
        exc = _stopped(check_pdf, bomb)
    assert exc.budget == "max_decompressed_bytes"
    with reading_under(ReadingLimits(max_stream_bytes=2_000_000)):
        check_pdf(bomb)  # within the budget: left to the reader
