"""FsOutbox and receipts on every scheme: atomic, idempotent, confined to the client."""

from __future__ import annotations

import json

import pytest

import landing.outbox as outbox_module
import landing.writes as writes_module
from landing.names import UnsafeNameError
from landing.outbox import FsOutbox
from landing.receipt import write_receipt
from landing.retry import Connection
from schemas.doc_type import DocType
from schemas.outbox import Outbox
from schemas.outcome import FileOutcome
from schemas.receipt import Receipt
from tests.landing.landing_backends import FAST_RETRY, Backend


def outbox(backend: Backend, client: str = "acme") -> FsOutbox:
    return FsOutbox(backend.url("outbox"), client, backend.credentials, retry=FAST_RETRY)


def test_writes_are_atomic_and_idempotent(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    box: Outbox = outbox(backend)
    writes: list[str] = []
    real = writes_module.write_atomic

    def counting(conn: Connection, path: str, data: bytes) -> None:
        writes.append(path)
        real(conn, path, data)

    monkeypatch.setattr(outbox_module, "write_atomic", counting)
    url = box.write("ach/payroll.ach", b"101 ...")
    assert url == backend.url("outbox/acme/ach/payroll.ach")
    assert box.write("ach/payroll.ach", b"101 ...") == url
    assert len(writes) == 1
    assert backend.files("outbox") == ["outbox/acme/ach/payroll.ach"]  # no temp files left
    box.write("ach/payroll.ach", b"101 corrected")
    assert backend.get("outbox/acme/ach/payroll.ach") == b"101 corrected"
    assert len(writes) == 2


@pytest.mark.parametrize(
    "name", ["../globex/x.csv", "/etc/passwd", "a/../../globex/x", "", "bad\x00name", "a/\tb"]
)
def test_names_that_leave_the_client_folder_are_refused(backend: Backend, name: str) -> None:
    with pytest.raises(UnsafeNameError):
        outbox(backend).write(name, b"x")
    assert backend.files("outbox") == []


def test_receipt_json_and_text(backend: Backend) -> None:
    receipt = Receipt(
        client_id="acme",
        name="batch 7.csv",
        sha256="ab" * 32,
        doc_type=DocType.PAYROLL,
        status=FileOutcome.PROCESSED,
        records=5,
        completed=3,
        in_review=1,
        rejected=1,
        outputs=("ach/batch.ach",),
    )
    box = outbox(backend)
    json_url, text_url = write_receipt(box, receipt)
    assert json_url == backend.url(f"outbox/acme/receipts/batch 7.csv.{'ab' * 6}.json")
    assert text_url.endswith(".txt")
    rel = f"outbox/acme/receipts/batch 7.csv.{'ab' * 6}"
    assert Receipt.model_validate(json.loads(backend.get(f"{rel}.json"))) == receipt
    text = backend.get(f"{rel}.txt").decode()
    assert "Status: processed" in text
    assert "completed 3, in review 1, rejected 1" in text
    assert write_receipt(box, receipt) == (json_url, text_url)
