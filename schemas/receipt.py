"""The answers a client finds in its outbox under ``receipts/``: one per dropped file
(:class:`Receipt`) and one per review decision on one of its records (:class:`ReviewReceipt`).

Receipts are written once per answer and are idempotent: ``processed_at`` is the time the store
recorded for the answer, so a re-run that publishes the same answer writes the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from schemas.doc_type import DocType
from schemas.outcome import FileSummary

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _as_utc(v: datetime) -> datetime:
    return v.astimezone(UTC)


#: A timestamp with a zone, written in UTC.
UtcStamp = Annotated[AwareDatetime, AfterValidator(_as_utc)]


class RecordInReview(BaseModel):
    """A record a person looks at before it completes: why, and by when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_key: str
    codes: tuple[str, ...] = ()
    due: UtcStamp | None = None


class RecordRejected(BaseModel):
    """A record that will not complete (not paid, not billed), and the rules it broke."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    record_key: str
    codes: tuple[str, ...] = ()


class Receipt(FileSummary):
    """What happened to one dropped file.

    ``records == completed + in_review + rejected`` for a processed file (conservation); a
    quarantined file has no records and a ``reason`` the client can act on; a duplicate names
    the file that first brought the same bytes. ``outputs`` are relative to the client's
    outbox folder.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: Sha256
    processed_at: UtcStamp | None = None
    records_in_review: tuple[RecordInReview, ...] = ()
    records_rejected: tuple[RecordRejected, ...] = ()
    #: For a duplicate: the name of the file first received with these bytes.
    duplicate_of: str | None = None


class ReviewReceipt(BaseModel):
    """The follow-up answer when a person decided on one record of a file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str
    #: The file the record came in (its name and sha256, as on the file's own receipt).
    name: str
    sha256: Sha256
    doc_type: DocType
    record_key: str
    decision: Literal["resolved", "rejected"]
    #: The reasons the record was held for.
    codes: tuple[str, ...] = ()
    reason: str = ""
    outputs: tuple[str, ...] = ()
    processed_at: UtcStamp
