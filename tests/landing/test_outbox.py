"""FsOutbox and receipts on every scheme: atomic, idempotent, confined to the client."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import landing.outbox as outbox_module
import landing.writes as writes_module
from landing.names import UnsafeNameError
from landing.outbox import FsOutbox, StagedOutputMissingError
from landing.publication import StagingOutbox
from landing.receipt import stage_receipt
from landing.retry import Connection
from schemas.doc_type import DocType
from schemas.outbox import Outbox
from schemas.outcome import FileOutcome
from schemas.receipt import Receipt, RecordInReview, RecordRejected
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
        processed_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        records_in_review=(
            RecordInReview(
                record_key="E7",
                codes=("PAY-ROUTING-CHECKSUM",),
                due=dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.UTC),
            ),
        ),
        records_rejected=(RecordRejected(record_key="E9", codes=("PAY-NEGATIVE-NET",)),),
    )
    box = outbox(backend)
    staging = StagingOutbox(box, "file-1")
    names = stage_receipt(staging, receipt)
    rel = f"receipts/batch 7.csv.{'ab' * 6}"
    assert names == [f"{rel}.json", f"{rel}.txt"]
    assert backend.files("outbox/acme") == []  # staged: out of the client's sight
    urls = [box.publish("file-1", n) for n in names]
    assert urls == [backend.url(f"outbox/acme/{n}") for n in names]
    assert Receipt.model_validate(json.loads(backend.get(f"outbox/acme/{rel}.json"))) == receipt
    text = backend.get(f"outbox/acme/{rel}.txt").decode()
    assert "Status: processed" in text
    assert "completed 3, in review 1, rejected 1" in text
    assert "In review: E7 (PAY-ROUTING-CHECKSUM, due 2026-03-03T09:30:00+00:00)" in text
    assert "Rejected: E9 (PAY-NEGATIVE-NET): not completed, not billed" in text
    # Publishing again after the move landed is a no-op.
    assert [box.publish("file-1", n) for n in names] == urls


def test_staged_outputs_wait_out_of_sight_until_published(backend: Backend) -> None:
    box = outbox(backend)
    staging = StagingOutbox(box, "file-7")
    url = staging.write("payroll/jan.abc.ach", b"101 ...")
    assert url == backend.url("outbox/acme/payroll/jan.abc.ach")
    assert backend.files("outbox/acme") == []
    assert backend.files("outbox/.staging/acme/file-7") == [
        "outbox/.staging/acme/file-7/payroll/jan.abc.ach"
    ]
    assert staging.names() == ["payroll/jan.abc.ach"]
    assert box.publish("file-7", "payroll/jan.abc.ach") == url
    assert backend.get("outbox/acme/payroll/jan.abc.ach") == b"101 ..."
    assert box.published() == {"payroll/jan.abc.ach": 7}
    box.discard("file-7")
    assert backend.files("outbox/.staging") == []


def test_publishing_what_was_never_staged_fails(backend: Backend) -> None:
    with pytest.raises(StagedOutputMissingError):
        outbox(backend).publish("file-1", "payroll/none.ach")


def test_a_discarded_attempt_never_reaches_the_client(backend: Backend) -> None:
    box = outbox(backend)
    StagingOutbox(box, "review-3").write("payroll/jan.review-3.ach", b"6...")
    box.discard("review-3")
    with pytest.raises(StagedOutputMissingError):
        box.publish("review-3", "payroll/jan.review-3.ach")
    assert backend.files("outbox") == []
