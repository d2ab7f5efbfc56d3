"""What the reviewer sees: the column-wise payroll fields equal the row-by-row answer."""

from __future__ import annotations

import io
import json

import polars as pl
import pytest

from samples.payroll import payroll_frame, plant_errors
from schemas.batch import RECORD_INDEX
from schemas.config import ClientConfig
from schemas.payroll import PAYROLL_COLUMNS
from tasks import review_fields
from tasks.doctype import ClientContext
from tasks.payroll.handler import PayrollHandler
from tasks.review_fields import merged_fields_json, reasons_json
from tests.factories import payroll_csv, payroll_rows

CTX = ClientContext(client=ClientConfig(id="acme", name="Acme"))


def flagged_of(data: bytes) -> pl.DataFrame:
    batch = PayrollHandler().extract(data, "b.csv", CTX)
    reasons = batch.issues.group_by(RECORD_INDEX, maintain_order=True).agg(
        pl.struct("code", "field", "message").alias("reasons")
    )
    return batch.records.join(reasons, on=RECORD_INDEX).sort(RECORD_INDEX)


def test_payroll_fields_match_the_row_by_row_merge() -> None:
    buf = io.BytesIO()
    plant_errors(payroll_frame(400), every=7).write_csv(buf)
    rows = payroll_rows(4)
    rows[0]["pay_date"] = "2026-02-31"
    rows[1]["gross_pay"] = "lots"
    rows[2]["employee_name"] = 'Zoë "Z" O\'Neil, Jr.\\'
    rows[2]["net_pay"] = "1.00"
    rows[3]["regular_hours"] = ""
    for data in (buf.getvalue(), payroll_csv(rows)):
        flagged = flagged_of(data)
        assert flagged.height > 0
        handler = PayrollHandler()
        ours = [json.loads(f) for f in handler.review_fields(flagged)]
        rowwise = [
            json.loads(f)
            for f in merged_fields_json(
                handler.record_json(flagged), flagged.get_column("raw").to_list()
            )
        ]
        assert ours == rowwise


def test_fields_of_many_records_are_encoded_in_pieces_with_the_same_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    buf = io.BytesIO()
    plant_errors(payroll_frame(300), every=3).write_csv(buf)
    flagged = flagged_of(buf.getvalue())
    whole = review_fields.flat_fields_json(flagged, PAYROLL_COLUMNS)
    monkeypatch.setattr(review_fields, "_FIELDS_CHUNK", 7)
    pieces = review_fields.flat_fields_json(flagged, PAYROLL_COLUMNS)
    assert flagged.height > 7 * 3
    assert pieces.to_list() == whole.to_list()


def test_reasons_are_json_arrays_in_order() -> None:
    reasons = pl.Series(
        "reasons",
        [
            [{"code": "PAY-A", "field": "x", "message": 'say "hi", ünï\n'}],
            [
                {"code": "PAY-B", "field": "y", "message": "one"},
                {"code": "PAY-C", "field": None, "message": "two"},
            ],
            None,
        ],
    )
    assert [json.loads(r) for r in reasons_json(reasons)] == [
        [{"code": "PAY-A", "field": "x", "message": 'say "hi", ünï\n'}],
        [
            {"code": "PAY-B", "field": "y", "message": "one"},
            {"code": "PAY-C", "field": None, "message": "two"},
        ],
        [],
    ]
