"""A seeded subset of ``bench/fuzz.py`` (issue 15): 200 broken copies of valid payroll,
invoice and claim files through the body of ``bpo process`` (as a batch run of small files
answers them: the steps' plain functions, a flow run per 100 cases, the warm reading pool),
each answered within its budget, nothing escaping, the worker alive, reconcile balanced.

The budgets are 5 s (wall and CPU): a case that needs more (a PDF whose text is broken goes
to OCR) is stopped and answered at its budget, as in production at 180 s."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from app.root import App
from schemas.limits import ReadingLimits

ROOT = Path(__file__).resolve().parents[1]


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_fuzz", ROOT / "bench" / "fuzz.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_fuzz"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _prefect(prefect_harness: None) -> None:
    return None


def test_two_hundred_fuzz_cases_are_all_answered_within_budget(runtime: App) -> None:
    fuzz = _fuzz()
    limits = ReadingLimits(max_wall_seconds=5, max_cpu_seconds=5)
    app = App(
        settings=runtime.settings,
        config=runtime.config.model_copy(update={"limits": limits}),
        engine=runtime.engine,
    )
    try:
        tally = fuzz.run_cases(app, "acme", ["payroll", "invoices", "claims"], 67, seed=15)
    finally:
        if app.reader_pool is not None:
            app.reader_pool.close()
    assert tally.cases == 201
    assert tally.ok, (tally.escaped[:3], tally.over_time, tally.unbalanced)
    statuses = {status for (_t, status, _r) in tally.answers}
    assert statuses <= {"processed", "duplicate", "quarantined"}
    assert "quarantined" in statuses
    assert "processed" in statuses
