from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from pydantic import ValidationError

from schemas.claim import CLAIM_FIELDS, CLAIM_SCALAR_SCHEMA, Claim, ServiceLine


def test_scalar_schema_derives_from_model() -> None:
    assert CLAIM_SCALAR_SCHEMA["total_charge"] == pl.Decimal(18, 2)
    assert CLAIM_SCALAR_SCHEMA["service_date_from"] == pl.Date()
    assert set(CLAIM_FIELDS) - {"lines", "diagnosis_codes"} <= set(CLAIM_SCALAR_SCHEMA)


def test_claim_is_frozen_and_strict() -> None:
    claim = Claim(
        claim_id="A1",
        total_charge=Decimal("10.00"),
        service_date_from=dt.date(2024, 1, 1),
        lines=(ServiceLine(procedure_code="99213", charge=Decimal("10.00")),),
    )
    with pytest.raises(ValidationError):
        Claim.model_validate({**claim.model_dump(), "unknown": 1})
    with pytest.raises(ValidationError):
        claim.claim_id = "B"  # type: ignore[misc]


def test_money_has_two_decimals() -> None:
    with pytest.raises(ValidationError):
        Claim(claim_id="A1", total_charge=Decimal("1.001"))
