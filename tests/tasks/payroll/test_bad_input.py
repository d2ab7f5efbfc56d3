"""Hostile and sloppy payroll files: each gets a clear answer, none crashes the run."""

from __future__ import annotations

import io

import polars as pl
import pytest

from schemas.config import ClientConfig
from schemas.payroll import PAYROLL_COLUMNS
from tasks.doctype import ClientContext
from tasks.payroll.extract import extract_payroll
from tests.factories import payroll_csv, payroll_rows

CTX = ClientContext(client=ClientConfig(id="acme", name="Acme"))


def extract(data: bytes, ctx: ClientContext = CTX):  # type: ignore[no-untyped-def]
    return extract_payroll(data, "batch.csv", ctx)


def file_codes(data: bytes) -> list[str]:
    return [i.code for i in extract(data).file_issues]


def test_empty_file() -> None:
    assert file_codes(b"") == ["FILE-EMPTY"]


def test_blank_lines_only() -> None:
    assert file_codes(b"\n\n  \n") == ["FILE-EMPTY"]


def test_blank_rows_between_payments_are_dropped_and_a_row_missing_its_first_cell_kept() -> None:
    lines = payroll_csv(payroll_rows(3)).decode().splitlines()
    first_blank = "," + lines[2].split(",", 1)[1]  # the employee_id left empty
    blank = "," * (len(PAYROLL_COLUMNS) - 1)
    data = "\n".join([lines[0], lines[1], blank, " , ,", first_blank, lines[3], ""]).encode()
    batch = extract(data)
    assert batch.records.height == 3
    assert batch.records.get_column("employee_id").to_list() == [
        lines[1].split(",")[0],
        None,
        lines[3].split(",")[0],
    ]
    missing = batch.issues.filter(pl.col("field") == "employee_id").get_column("code")
    assert "PAY-REQUIRED" in missing.to_list()


def test_header_only() -> None:
    assert file_codes(",".join(PAYROLL_COLUMNS).encode() + b"\n") == ["PAY-NO-RECORDS"]


def test_binary_garbage() -> None:
    assert file_codes(b"\x00\x01\x02garbage\x00" * 100) == ["FILE-NOT-TABULAR"]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_other_delimiters_are_sniffed(sep: str) -> None:
    batch = extract(payroll_csv(payroll_rows(5), sep=sep))
    assert batch.file_issues == ()
    assert batch.issues.height == 0
    assert batch.records.height == 5
    assert batch.meta["delimiter"] == sep


def test_a_nacha_bank_file_instead_of_the_register() -> None:
    import datetime as dt

    from schemas.payroll_options import AchOriginator
    from tasks.payroll.nacha import build_ppd_file

    good = extract(payroll_csv(payroll_rows(4)))
    ach = build_ppd_file(
        good.valid_records(), AchOriginator(), created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    batch = extract(ach)
    assert batch.records.height == 0
    (issue,) = batch.file_issues
    assert issue.code == "PAY-NACHA-FILE"
    assert "1 batch, 4 entries" in issue.message
    assert "structure is sound" in issue.message
    broken = extract(ach[: len(ach) // 2])
    assert "fails the NACHA checks: ACH-RECORD-ORDER" in broken.file_issues[0].message


def test_cp1252_bytes() -> None:
    data = payroll_csv(payroll_rows(3, employee_name="José Müller"), encoding="cp1252")
    batch = extract(data)
    assert batch.meta["encoding"] == "cp1252"
    assert batch.records.get_column("employee_name")[0] == "José Müller"
    assert batch.issues.height == 0


def test_utf8_bom() -> None:
    batch = extract(b"\xef\xbb\xbf" + payroll_csv(payroll_rows(3)))
    assert batch.meta["encoding"] == "utf-8-sig"
    assert batch.issues.height == 0


def test_missing_required_column() -> None:
    frame = pl.DataFrame(payroll_rows(2)).drop("routing_number")
    buf = io.BytesIO()
    frame.write_csv(buf)
    batch = extract(buf.getvalue())
    assert [i.code for i in batch.file_issues] == ["PAY-MISSING-COLUMN"]
    assert "routing_number" in batch.file_issues[0].message
    assert batch.records.height == 0


def test_unknown_extra_columns_are_ignored_and_reported() -> None:
    frame = pl.DataFrame(payroll_rows(2)).with_columns(pl.lit("x").alias("Cost Center"))
    buf = io.BytesIO()
    frame.write_csv(buf)
    batch = extract(buf.getvalue())
    assert batch.issues.height == 0
    assert batch.meta["ignored_columns"] == ["Cost Center"]


def test_thousands_separators_and_currency_signs() -> None:
    rows = payroll_rows(2)
    r = rows[0]
    rows[0] = {
        **r,
        "gross_pay": f"${float(r['gross_pay']):,.2f}".replace("$", "$ "),
        "net_pay": f"USD {r['net_pay']}",
    }
    batch = extract(payroll_csv(rows))
    assert batch.issues.height == 0, batch.issues
    assert str(batch.records.get_column("gross_pay")[0]) == r["gross_pay"]


def test_text_in_a_numeric_cell_flags_only_its_row() -> None:
    batch = extract(payroll_csv(payroll_rows(4, medicare="twelve")))
    assert set(batch.issues.get_column("record_index")) == {0}
    assert "PAY-NOT-A-NUMBER" in batch.issues.get_column("code").to_list()
    assert batch.records.height == 4


def test_duplicate_header_names() -> None:
    header = ",".join([*PAYROLL_COLUMNS, "net_pay"]).encode()
    assert file_codes(header + b"\n" + b"x," * len(PAYROLL_COLUMNS) + b"y\n") == [
        "PAY-DUPLICATE-HEADER"
    ]


def test_client_column_mapping() -> None:
    client = ClientConfig(
        id="g", name="G", payroll={"columns": {"Emp #": "employee_id", "Take Home": "net_pay"}}
    )
    frame = pl.DataFrame(payroll_rows(3)).rename({"employee_id": "Emp #", "net_pay": "Take Home"})
    buf = io.BytesIO()
    frame.write_csv(buf)
    batch = extract(buf.getvalue(), ClientContext(client=client))
    assert batch.issues.height == 0
    assert batch.records.get_column("record_key")[0] == "E0000000"


def test_xlsx_with_several_sheets_takes_the_payroll_sheet(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    rows = pl.DataFrame(payroll_rows(4))
    with xlsxwriter.Workbook(path) as wb:
        pl.DataFrame({"note": ["cover sheet"]}).write_excel(wb, worksheet="Cover")
        rows.write_excel(wb, worksheet="Payroll")
        pl.DataFrame({"a": [1]}).write_excel(wb, worksheet="Other")
    batch = extract(path.read_bytes())
    assert batch.meta["sheets"] == ["Payroll"]
    assert batch.records.height == 4
    assert batch.issues.height == 0, batch.issues


def test_truncated_xlsx() -> None:
    buf = io.BytesIO()
    pl.DataFrame(payroll_rows(3)).write_excel(buf)
    assert file_codes(buf.getvalue()[:300])[0] in {"FILE-MALFORMED", "FILE-NOT-TABULAR"}


@pytest.mark.slow
def test_a_100_mb_file() -> None:
    from samples.payroll import payroll_frame, plant_errors

    frame = plant_errors(payroll_frame(720_000), every=1000)
    buf = io.BytesIO()
    frame.write_csv(buf)
    data = buf.getvalue()
    assert len(data) > 100_000_000
    batch = extract(data)
    assert batch.records.height == 720_000
    assert batch.issues.get_column("record_index").n_unique() == 720
