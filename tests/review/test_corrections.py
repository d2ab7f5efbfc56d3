"""Corrections applied to canonical fields and re-validated by the doc type's own rules."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from review.corrections import Correction, apply_corrections, completed_frame, revalidate
from samples.payroll import BAD_ROUTING, payroll_frame
from schemas.config import ClientConfig
from tasks.doctype import ClientContext
from tasks.registry import handler_for

CTX = ClientContext(client=ClientConfig(id="acme", name="Acme"))


def _row(**overrides: Any) -> dict[str, Any]:
    return {**payroll_frame(3).row(1, named=True), **overrides}


def test_apply_handles_nested_paths_and_unknown_fields() -> None:
    fields: dict[str, Any] = {"total": "1.00", "lines": [{"amount": "1.00"}, {"amount": "2.00"}]}
    out, changes, problems = apply_corrections(
        fields,
        [
            Correction("lines[1].amount", "3.00"),
            Correction("total", ""),
            Correction("nope", "x"),
            Correction("lines[7].amount", "1"),
        ],
    )
    assert out["lines"][1]["amount"] == "3.00"
    assert out["total"] is None
    assert fields["lines"][1]["amount"] == "2.00"  # the input is not mutated
    assert changes == [("lines[1].amount", "2.00", "3.00"), ("total", "1.00", None)]
    assert [p.field for p in problems] == ["nope", "lines[7].amount"]


def test_a_correction_that_fixes_the_rule_passes() -> None:
    applied = revalidate(
        handler_for("payroll"),
        CTX,
        _row(routing_number=BAD_ROUTING),
        [Correction("routing_number", "091000019")],
    )
    assert applied.ok
    assert applied.fields["routing_number"] == "091000019"
    assert applied.changes == [("routing_number", BAD_ROUTING, "091000019")]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("routing_number", "123", "PAY-ROUTING"),
        ("net_pay", "1.00", "PAY-NET-MISMATCH"),
        ("account_number", "", "PAY-REQUIRED"),
        ("bonus", "5", "REVIEW-UNKNOWN-FIELD"),
    ],
)
def test_a_correction_that_still_breaks_a_rule_is_refused(
    field: str, value: str, code: str
) -> None:
    applied = revalidate(handler_for("payroll"), CTX, _row(), [Correction(field, value)])
    assert not applied.ok
    assert any(i.code.startswith(code) for i in applied.issues), applied.issues


def test_completed_frame_keeps_the_record_index() -> None:
    frame, writable = completed_frame("payroll", _row(), CTX, record_index=41, record_key="E1")
    assert writable
    assert frame.get_column("record_index").to_list() == [41]
    assert frame.schema["record_index"] == pl.UInt32
    units = handler_for("payroll").billable_units(frame)
    assert units.rows() == [(41, "payroll_payment", 1)]
