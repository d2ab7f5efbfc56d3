from __future__ import annotations

import pytest

from schemas.config import ClientConfig
from tasks.doctype import ClientContext
from tasks.invoices.handler import InvoiceHandler


@pytest.fixture
def handler() -> InvoiceHandler:
    return InvoiceHandler()


@pytest.fixture
def ctx() -> ClientContext:
    return ClientContext(ClientConfig(id="acme", name="Acme", currency="USD"))
