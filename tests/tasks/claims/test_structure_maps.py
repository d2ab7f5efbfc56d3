"""pyx12's guide maps are parsed once per process and give the same findings when reused."""

from __future__ import annotations

import pytest
import pyx12.map_if

from samples.claims import ClaimSpec, interchange, transaction
from tasks.claims import structure


def _document(broken: bool) -> str:
    claims = [ClaimSpec(claim_id=f"PCN{n}", total="40.00") for n in range(3)]
    text = interchange([transaction(claims)])
    if broken:
        # A mandatory segment gone and an element over its length: findings to compare.
        text = text.replace("~CLM*PCN1", "~CLX*PCN1").replace("PCN2", "PCN2" + "9" * 60)
    return text


def test_maps_are_parsed_once_and_findings_stay_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    structure._cache_maps.cache_clear()
    parsed: list[str] = []
    parse = pyx12.map_if.load_map_file

    def counting(map_file: str, param: object, map_path: str | None = None) -> object:
        parsed.append(map_file)
        return parse(map_file, param, map_path)  # type: ignore[arg-type]

    monkeypatch.setattr(pyx12.map_if, "load_map_file", counting)
    first = structure.check_structure(_document(broken=True))
    maps = len(parsed)
    assert maps >= 2  # the control map and the guide's map
    clean = structure.check_structure(_document(broken=False))
    again = structure.check_structure(_document(broken=True))
    assert len(parsed) == maps  # nothing parsed a second time
    assert not first.skipped
    assert any(errors for _ack, errors, _ik5 in first.transactions.values())
    assert again == first
    assert all(ack == "A" for ack, _e, _i in clean.transactions.values())
    structure._cache_maps.cache_clear()
