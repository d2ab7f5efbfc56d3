"""One money parser: the scalar reader and the vectorised columns agree, and nothing raises."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.money import amount_columns, currency_of, decimal_places, parse_amount

AMOUNT_CHARS = "0123456789.,-+()$€£ EURUSDabc'\u00a0\u2212"


@st.composite
def written_amounts(draw: st.DrawFn) -> str:
    """Amounts as people and exports write them, plus near misses."""
    cents = draw(st.integers(min_value=-(10**12), max_value=10**12))
    value = Decimal(cents).scaleb(-2)
    style = draw(st.sampled_from(["plain", "us", "eu", "paren", "trailing", "symbol", "code"]))
    body = f"{abs(value):,.2f}"
    if style == "plain":
        return str(value)
    if style == "eu":
        body = body.replace(",", "_").replace(".", ",").replace("_", ".")
    text = body if value >= 0 else f"-{body}"
    if style == "paren":
        return f"({body})"
    if style == "trailing":
        return f"{body}-"
    if style == "symbol":
        return f"${text}"
    if style == "code":
        return f"EUR {text}"
    return text


@given(st.lists(st.one_of(written_amounts(), st.text(AMOUNT_CHARS, max_size=16)), max_size=40))
@settings(max_examples=200, deadline=None)
def test_vectorised_columns_read_what_the_scalar_parser_reads(texts: list[str]) -> None:
    frame = pl.DataFrame({"a": texts}, schema={"a": pl.String})
    got = amount_columns(frame, ["a"], "__n").get_column("a__n").to_list()
    want = [parse_amount(t) for t in texts]
    assert [None if g is None else Decimal(g) for g in got] == want


@given(written_amounts())
def test_written_amounts_read_back_exactly(text: str) -> None:
    value = parse_amount(text)
    assert value is not None
    assert decimal_places(value) <= 2


@given(st.text(max_size=80))
def test_any_text_is_an_amount_or_none(text: str) -> None:
    value = parse_amount(text)
    assert value is None or value.is_finite()
    assert parse_amount(text, style="plain") is None or "," not in text


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        ("1.234", "decimal_comma", "1234"),
        ("1,234", "decimal_comma", "1.234"),
        ("1.234", "decimal_point", "1.234"),
        ("12.345", "plain", "12.345"),
        ("1e3", "plain", None),
        ("NaN", "written", None),
        ("1" * 60, "written", None),
        ("ABC 12", "written", None),
    ],
)
def test_styles(text: str, style: str, expected: str | None) -> None:
    value = parse_amount(text, style=style)  # type: ignore[arg-type]
    assert value == (None if expected is None else Decimal(expected))


def test_max_places_refuses_amounts_that_would_need_rounding() -> None:
    assert parse_amount("12.345", style="plain", max_places=2) is None
    assert parse_amount("12.340", style="plain", max_places=2) == Decimal("12.340")


def test_currency_of_reads_codes_and_symbols() -> None:
    assert [currency_of(t) for t in ("EUR 832.49", "£832.49", "¥832", "832.49", "ABC 1")] == [
        "EUR",
        "GBP",
        "JPY",
        None,
        None,
    ]
