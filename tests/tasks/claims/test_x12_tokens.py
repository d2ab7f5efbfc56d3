from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samples.claims import simple_file
from schemas.claim_options import ClaimOptions
from schemas.config import ClientConfig
from tasks.claims.handler import ClaimsHandler
from tasks.claims.x12_tokens import Delimiters, join_segments, read_delimiters, split_segments
from tasks.doctype import ClientContext

CTX = ClientContext(
    ClientConfig(id="acme", name="Acme", claims=ClaimOptions(structure_check_max_bytes=0))
)
_DELIMS = list("*|^~:!#$%&+;<=>?@\\`{}\x1c\x1d\x1e\x1f")
_VALUE = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-", min_size=0, max_size=8)


def _isa(el: str, comp: str, term: str, rep: str) -> str:
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "S".ljust(15),
        "ZZ",
        "R".ljust(15),
        "240101",
        "1200",
        rep,
        "00501",
        "000000001",
        "0",
        "P",
        comp,
    ]
    return el.join(fields) + term


@settings(max_examples=150, deadline=None)
@given(
    delims=st.lists(st.sampled_from(_DELIMS), min_size=4, max_size=4, unique=True),
    segments=st.lists(
        st.tuples(st.sampled_from(["NM1", "CLM", "SV1", "HI", "LX"]), st.lists(_VALUE, max_size=6)),
        max_size=12,
    ),
    line_break=st.sampled_from(["", "\n", "\r\n"]),
)
def test_round_trip_with_random_delimiters(
    delims: list[str], segments: list[tuple[str, list[str]]], line_break: str
) -> None:
    el, comp, term, rep = delims
    text = _isa(el, comp, term, rep) + line_break
    body = [[sid, *values] for sid, values in segments]
    text += join_segments(body, Delimiters(el, comp, term, rep), line_break)
    found = read_delimiters(text)
    assert found == Delimiters(el, comp, term, rep)
    parsed = split_segments(text, found)
    assert [p.split(el) for p in parsed[1:]] == [[s.strip("\r\n") for s in b] for b in body]


def test_4010_has_no_repetition_separator() -> None:
    text = _isa("*", ":", "~", "U").replace("00501", "00401")
    found = read_delimiters(text)
    assert found is not None
    assert found.repetition is None


def test_text_that_merely_starts_with_isa_is_refused() -> None:
    assert read_delimiters("ISA is a word in this sentence" * 5) is None


@pytest.mark.parametrize(("rep", "clash"), [(":", "component"), ("*", "element"), ("~", "segment")])
def test_a_repetition_separator_equal_to_another_separator_is_refused(rep: str, clash: str) -> None:
    data = simple_file(rep=rep)
    batch = ClaimsHandler().extract(data, "claims.x12", CTX)
    assert batch.records.height == 0
    [issue] = batch.file_issues
    assert issue.code == "ENV-DELIMITERS-CLASH"
    assert f"also the {clash} separator" in issue.message


def test_distinct_separators_are_read() -> None:
    batch = ClaimsHandler().extract(simple_file(rep="^"), "claims.x12", CTX)
    assert batch.file_issues == ()
    assert batch.records.height == 1
