"""Storable names: whatever a client called a file, its outputs and receipt can be written."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from landing.names import name_problem
from schemas.names import MAX_NAME_BYTES, output_stem, safe_segment

SHA = "0f" * 32
#: The longest suffix an output adds to its stem (claims tables after review).
LONGEST_SUFFIX = ".review-2147483647.claim_lines.parquet"


@given(st.text(min_size=0, max_size=300))
def test_every_name_gives_a_storable_output_name(name: str) -> None:
    stem = output_stem(name, SHA, "review-2147483647")
    full = stem.removesuffix(".review-2147483647") + LONGEST_SUFFIX
    assert name_problem(full) is None
    assert len(full.encode()) <= MAX_NAME_BYTES
    assert f".{SHA[:12]}" in stem


def test_control_characters_and_separators_are_spelled_out() -> None:
    assert output_stem("pay\nroll.csv", SHA) == f"pay_x0aroll.{SHA[:12]}"
    assert output_stem("a/b\\c.csv", SHA) == f"c.{SHA[:12]}"
    assert output_stem(".csv", SHA) == f"csv.{SHA[:12]}"  # never a hidden file
    assert safe_segment("\x00") == "_x00"


def test_a_long_name_keeps_a_recognisable_stem() -> None:
    name = "ü" * 125 + ".csv"  # 250 bytes of UTF-8
    stem = output_stem(name, SHA)
    assert stem.startswith("ü" * 50)
    assert len(stem.encode()) <= 150 + 13
