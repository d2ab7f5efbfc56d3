"""Reasons shortened for lists and events end at a word, with an ellipsis."""

from __future__ import annotations

import pytest

from schemas.short_text import ELLIPSIS, shorten

REASON = (
    "FILE-UNREADABLE: The file could not be read (ValueError: could not convert string to"
    " float: 'abc'); nothing was read: quarantined for a person to look at."
)


@pytest.mark.parametrize("limit", range(20, len(REASON)))
def test_a_shortened_reason_ends_at_a_word_with_an_ellipsis(limit: int) -> None:
    short = shorten(REASON, limit)
    assert len(short) <= limit
    assert short.endswith(ELLIPSIS)
    kept = short[: -len(ELLIPSIS)]
    assert REASON.startswith(kept)
    # The next character of the reason after what was kept starts no word cut in two.
    following = REASON[len(kept) : len(kept) + 1]
    assert following in {" ", ",", ";", ":", "("} or not kept[-1:].isalnum()
    assert not kept.endswith((" ", ",", ":"))


def test_a_reason_that_fits_is_kept_whole() -> None:
    assert shorten(REASON, len(REASON)) == REASON
    assert shorten("", 5) == ""


def test_a_single_long_token_is_cut_inside_rather_than_dropped() -> None:
    url = "file:///landing/acme/payroll/" + "x" * 200 + ".csv"
    short = shorten(f"refused {url}", 80)
    assert len(short) == 80
    assert short.startswith("refused file:///landing/acme/payroll/xxx")
