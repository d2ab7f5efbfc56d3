"""The one formula guard: what it defuses, and the same answer in Python and in Polars."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.formula import defuse, formula_expr, formula_safe, is_formula


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        " =1+1",
        "\t=1+1",
        "\u00a0@SUM(1+1)",
        "+A1",
        "-cmd|' /C calc'!A0",
        "@x",
        "\r=1",
        "\tx",
        "-",
    ],
)
def test_formulas_are_defused(text: str) -> None:
    assert is_formula(text)
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("text", ["Smith", "-12.50", "+1,234", " -3", "12", "", "a=b", "O'Brien"])
def test_plain_values_pass(text: str) -> None:
    assert not is_formula(text)
    assert defuse(text) == text


@given(st.lists(st.one_of(st.none(), st.text(" \t\r\n=+-@0123456789.,abc\u00a0"))))
def test_polars_and_python_agree(values: list[str | None]) -> None:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    flags = frame.select(formula_expr("v")).to_series().to_list()
    assert flags == [v is not None and is_formula(v) for v in values]
    safe = formula_safe(frame).get_column("v").to_list()
    assert safe == [None if v is None else defuse(v) for v in values]
