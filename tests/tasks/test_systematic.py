"""Exception storms: one rule failing on a large share of a file's records holds the file."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.batch import RECORD_INDEX, RECORD_KEY, ValidatedBatch, issues_frame
from schemas.issue import Issue, Severity
from tasks.systematic import CODE, systematic_error

SHARE, MIN_ROWS = Decimal("0.20"), 20


def batch(total: int, failing: dict[str, list[int]], severity: Severity = Severity.REVIEW):
    """``total`` records; ``failing`` maps a code to the record indexes it fails on."""
    records = pl.DataFrame(
        {RECORD_INDEX: pl.Series(range(total), dtype=pl.UInt32), RECORD_KEY: [""] * total}
    )
    rows = [
        (i, Issue(code=code, field="x", message="m", severity=severity))
        for code, indexes in failing.items()
        for i in indexes
    ]
    return ValidatedBatch(records=records, issues=issues_frame(rows))


def hold(b: ValidatedBatch) -> Issue | None:
    return systematic_error(b, hold_share=SHARE, hold_min_rows=MIN_ROWS)


def test_a_forty_percent_broken_batch_is_held_naming_rule_share_and_examples() -> None:
    broken = sorted({*range(1, 210, 5), *range(3, 210, 5)})  # 84 of 210 rows: 40%
    issue = hold(batch(210, {"PAY-ROUTING-CHECKSUM": broken, "PAY-NET-MISMATCH": [0, 3]}))
    assert issue is not None
    assert issue.code == CODE
    assert issue.message.startswith("PAY-ROUTING-CHECKSUM fails on 84 of 210 rows (40.0%)")
    assert "e.g. rows 2, 4, 7, 9, 12." in issue.message  # 1-based, five at most


def test_a_one_percent_broken_batch_is_processed() -> None:
    assert hold(batch(210, {"PAY-ROUTING-CHECKSUM": [4, 90]})) is None


def test_few_rows_never_hold_however_large_their_share() -> None:
    assert hold(batch(10, {"PAY-REQUIRED": list(range(10))})) is None
    assert hold(batch(20, {"PAY-REQUIRED": list(range(20))})) is not None


def test_records_a_rule_rejected_outright_do_not_count() -> None:
    rejected = batch(100, {"CLM-GROUP-REJECTED": list(range(100))}, Severity.REJECT)
    assert hold(rejected) is None


def test_the_rule_failing_most_rows_is_named_and_each_row_counts_once() -> None:
    twice = batch(100, {"PAY-A": list(range(30)) * 2, "PAY-B": list(range(50, 75))})
    issue = hold(twice)
    assert issue is not None
    assert issue.message.startswith("PAY-A fails on 30 of 100 rows (30.0%)")


def test_the_override_is_named() -> None:
    issue = systematic_error(
        batch(50, {"PAY-X": list(range(25))}),
        hold_share=SHARE,
        hold_min_rows=MIN_ROWS,
        how_to_override="run it with --accept-systematic",
    )
    assert issue is not None
    assert issue.message.endswith("or run it with --accept-systematic.")


@settings(max_examples=80, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=300),
    data=st.data(),
    share=st.sampled_from([Decimal("0.2"), Decimal("0.5"), Decimal("0.05")]),
    min_rows=st.integers(min_value=1, max_value=40),
)
def test_held_exactly_when_share_and_count_both_reach_their_bounds(
    total: int, data: st.DataObject, share: Decimal, min_rows: int
) -> None:
    failing = data.draw(st.sets(st.integers(min_value=0, max_value=total - 1)))
    b = batch(total, {"PAY-X": sorted(failing)})
    held = systematic_error(b, hold_share=share, hold_min_rows=min_rows) is not None
    expected = len(failing) >= min_rows and Decimal(len(failing)) / total >= share
    assert held is expected


@pytest.mark.parametrize("total", [0, 5])
def test_a_batch_without_issues_is_never_held(total: int) -> None:
    assert hold(batch(total, {})) is None
