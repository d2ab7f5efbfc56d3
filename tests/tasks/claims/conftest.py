from __future__ import annotations

import pytest

from schemas.claim_options import ClaimOptions
from schemas.config import ClientConfig
from tasks.claims.handler import ClaimsHandler
from tasks.doctype import ClientContext


@pytest.fixture
def handler() -> ClaimsHandler:
    return ClaimsHandler()


@pytest.fixture
def ctx() -> ClientContext:
    return ClientContext(ClientConfig(id="acme", name="Acme"))


@pytest.fixture
def fast_ctx() -> ClientContext:
    """No pyx12 structure check: our own envelope and claim edits only."""
    options = ClaimOptions(structure_check_max_bytes=0)
    return ClientContext(ClientConfig(id="acme", name="Acme", claims=options))
