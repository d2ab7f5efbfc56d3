"""The worked examples in docstrings run with the suite, so they stay true."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "billing", "landing", "readers", "review", "schemas", "store", "tasks")


def _modules_with_examples() -> list[str]:
    found = []
    for package in (*PACKAGES, "worktime"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and ">>>" in path.read_text(encoding="utf-8"):
                parts = path.relative_to(ROOT).with_suffix("").parts
                found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


MODULES = _modules_with_examples()


def test_examples_are_found() -> None:
    assert {"schemas.money", "schemas.formula", "billing.periods", "worktime"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
