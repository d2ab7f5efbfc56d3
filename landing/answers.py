"""A file's answer to its client: the receipt staged, the answer committed, then published.

``finish_answer`` ends a run: it builds the receipt from what the store holds (records in
review with their reasons and due times, records rejected), stages it beside the run's
outputs, and in one transaction records the file's outcome and every staged name in the
publication ledger. ``publish_pending`` then makes them visible. ``answer_duplicate`` and
``answer_refusal`` answer files that have no run of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine

from landing.outbox import FsOutbox
from landing.publication import (
    PublishReport,
    StagingOutbox,
    file_token,
    publish_pending,
    record,
)
from landing.receipt import receipt_stem, stage_receipt
from schemas.doc_type import DocType
from schemas.outcome import FileCounts, FileOutcome
from schemas.receipt import Receipt, RecordInReview, RecordRejected
from store.db import transaction
from store.files import finish_file
from store.models import File, ReviewStatus
from store.publication_models import PublicationOwner
from store.publications import first_recorded
from store.records import review_outcomes


def _codes(reasons: list[dict[str, object]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(r.get("code", "")) for r in reasons if r.get("code")))


def file_receipt(
    engine: Engine,
    *,
    file: File,
    status: FileOutcome,
    counts: FileCounts,
    outputs: list[str],
    reason: str,
    at: dt.datetime,
) -> Receipt:
    """The receipt of a finished run, with the records in review and rejected by name."""
    in_review: list[RecordInReview] = []
    rejected: list[RecordRejected] = []
    if counts.in_review or counts.rejected:
        with transaction(engine) as session:
            for key, item_status, reasons, due in review_outcomes(session, file_id=file.id):
                if item_status in ReviewStatus.ACTIVE:
                    in_review.append(RecordInReview(record_key=key, codes=_codes(reasons), due=due))
                elif item_status == ReviewStatus.REJECTED:
                    rejected.append(RecordRejected(record_key=key, codes=_codes(reasons)))
    return Receipt(
        client_id=file.client_id,
        name=file.name,
        sha256=file.sha256,
        doc_type=DocType(file.doc_type),
        status=status,
        **counts.model_dump(),
        outputs=tuple(outputs),
        reason=reason,
        processed_at=at,
        records_in_review=tuple(in_review),
        records_rejected=tuple(rejected),
    )


def finish_answer(
    engine: Engine,
    *,
    file: File,
    staging: StagingOutbox,
    status: FileOutcome,
    counts: FileCounts,
    reason: str,
    flow_run_id: str | None,
    final: bool = True,
) -> Receipt:
    """Stage the receipt, then commit the file's answer with every staged output's row.

    Nothing is published here: after this commit, :func:`landing.publication.publish_pending`
    moves the outputs, then the receipt, into the client's outbox. ``final=False`` records
    the answer but leaves the file open to a later run of the same bytes (a held file).
    """
    at = dt.datetime.now(dt.UTC)
    outputs = staging.names("output")
    receipt = file_receipt(
        engine, file=file, status=status, counts=counts, outputs=outputs, reason=reason, at=at
    )
    receipts = stage_receipt(staging, receipt)
    with transaction(engine) as session:
        finish_file(
            session,
            file_id=file.id,
            outcome=status,
            reason=reason,
            record_count=counts.records,
            outputs=[*outputs, *receipts],
            flow_run_id=flow_run_id,
            at=at,
            final=final,
        )
        record(session, staging, owner=PublicationOwner.FILE, file_id=file.id)
    return receipt


def _answer(
    engine: Engine,
    outbox: FsOutbox,
    receipt: Receipt,
    *,
    token: str,
    label: str,
    owner: str,
    file_id: int | None,
) -> tuple[Receipt, PublishReport]:
    """Stage a receipt that answers no run, keep its first time, record it, publish it."""
    json_name = f"{receipt_stem(receipt.name, receipt.sha256, label)}.json"
    with transaction(engine) as session:
        first = first_recorded(session, client_id=outbox.client_id, name=json_name)
    receipt = receipt.model_copy(update={"processed_at": first or receipt.processed_at})
    staging = StagingOutbox(outbox, token)
    stage_receipt(staging, receipt, label)
    with transaction(engine) as session:
        record(session, staging, owner=owner, file_id=file_id)
    return receipt, publish_pending(engine, lambda _cid: outbox, token=token)


def answer_duplicate(
    engine: Engine, outbox: FsOutbox, *, file: File, name: str, counts: FileCounts
) -> tuple[Receipt, PublishReport]:
    """The receipt of the same bytes dropped again (as ``name``): nothing processed, nothing
    billed again, and the file that first brought them named. Bytes that were quarantined
    are answered ``quarantined`` again, with the earlier reason (:func:`quarantined_before`)."""
    publish_pending(engine, lambda _cid: outbox, file_id=file.id)  # an interrupted first answer
    again = file.status == FileOutcome.QUARANTINED.value
    receipt = Receipt(
        client_id=file.client_id,
        name=name,
        sha256=file.sha256,
        doc_type=DocType(file.doc_type),
        status=FileOutcome.QUARANTINED if again else FileOutcome.DUPLICATE,
        **counts.model_dump(),
        reason=quarantined_before(file)
        if again
        else f"same bytes as {file.name}, already processed",
        processed_at=dt.datetime.now(dt.UTC),
        duplicate_of=file.name,
    )
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return _answer(
        engine,
        outbox,
        receipt,
        token=f"duplicate-{file.id}-{digest}",
        label="duplicate",
        owner=PublicationOwner.DUPLICATE,
        file_id=file.id,
    )


#: The reason code of bytes sent again after they were quarantined.
QUARANTINED_BEFORE = "FILE-QUARANTINED-BEFORE"


def quarantined_before(file: File) -> str:
    """Why the same bytes as a quarantined file are quarantined again: when, as what, and
    the earlier reason; they are not read again."""
    when = f" on {file.completed_at:%Y-%m-%d %H:%M} UTC" if file.completed_at else ""
    return (
        f"{QUARANTINED_BEFORE}: the same bytes were quarantined{when} as {file.name}, for:"
        f" {file.reason or 'no reason recorded'} -- they were not read again; send a"
        " corrected file (new bytes) instead."
    )


def answer_refusal(
    engine: Engine, outbox: FsOutbox, receipt: Receipt
) -> tuple[Receipt, PublishReport]:
    """The receipt of a file the landing zone refused before reading it (its name, its
    place, a link): ``receipt.sha256`` identifies the refused entry."""
    return _answer(
        engine,
        outbox,
        receipt,
        token=f"refusal-{receipt.sha256[:16]}",
        label="",
        owner=PublicationOwner.REFUSAL,
        file_id=None,
    )


def publish_file(engine: Engine, outbox: FsOutbox, *, file_id: int) -> PublishReport:
    """Publish a finished file's staged outputs and receipt (after its commit)."""
    return publish_pending(engine, lambda _cid: outbox, file_id=file_id, token=file_token(file_id))
