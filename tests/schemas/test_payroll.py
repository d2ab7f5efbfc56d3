from __future__ import annotations

import polars as pl
import pytest
from pydantic import ValidationError

from samples.payroll import payroll_frame
from schemas.frames import polars_schema
from schemas.payroll import (
    ACCOUNT_TYPES,
    MONEY_COLUMNS,
    PAY_TYPES,
    PAYROLL_COLUMNS,
    PAYROLL_REQUIRED,
    PAYROLL_SCHEMA,
    PayrollEntry,
)


def test_polars_schema_is_derived_from_the_model() -> None:
    assert list(PAYROLL_SCHEMA) == list(PayrollEntry.model_fields)
    assert PAYROLL_SCHEMA["pay_date"] == pl.Date()
    assert PAYROLL_SCHEMA["net_pay"] == pl.Decimal(18, 2)
    assert PAYROLL_SCHEMA["hourly_rate"] == pl.Decimal(12, 4)
    assert PAYROLL_SCHEMA["employee_id"] == pl.String()
    assert "hourly_rate" not in PAYROLL_REQUIRED
    # Salaried staff leave the rate and both hours blank; the pay type is optional.
    optional = {"hourly_rate", "regular_hours", "overtime_hours", "pay_type"}
    assert set(PAYROLL_REQUIRED) == set(PAYROLL_COLUMNS) - optional
    assert ACCOUNT_TYPES == ("checking", "savings")
    assert PAY_TYPES == ("hourly", "salaried")
    assert "net_pay" in MONEY_COLUMNS
    assert "regular_hours" not in MONEY_COLUMNS


def test_generated_rows_satisfy_the_model() -> None:
    for row in payroll_frame(50).rows(named=True):
        PayrollEntry.model_validate({k: v for k, v in row.items() if v is not None})


def test_model_rejects_a_float_free_bad_routing() -> None:
    row = payroll_frame(1).row(0, named=True)
    with pytest.raises(ValidationError):
        PayrollEntry.model_validate({**row, "routing_number": "12345"})


def test_polars_schema_rejects_unsupported_types() -> None:
    from pydantic import BaseModel

    class Odd(BaseModel):
        x: list[int]

    with pytest.raises(TypeError):
        polars_schema(Odd)
