from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / ".." / "shared" / "corpus"


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "pyx12").is_dir(), reason="shared corpus absent")
def test_eval_claims_small() -> None:
    spec = importlib.util.spec_from_file_location("eval_claims", REPO / "bench" / "eval_claims.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_claims"] = module
    spec.loader.exec_module(module)
    result = module.main(limit=8)
    linux = result["linuxforhealth"]
    assert linux["extracted"] == linux["clm"]
    assert linux["exact"] == linux["files"]
    assert result["pyx12"]["flagged"] == result["pyx12"]["broken"]
