"""What a registered file ends as: one outcome enum and one summary shape.

The receipt a client reads, the ``files`` row, the flow's result and ``bpo process --json`` all
say a file's outcome with :class:`FileOutcome` and its record counts with :class:`FileCounts`,
so the four can never disagree on what happened.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from schemas.doc_type import DocType


class FileOutcome(StrEnum):
    """The answer a file gets."""

    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


#: ``files.status`` while a file's run has not finished (a crashed run resumes from its stage).
PROCESSING = "processing"

Count = Annotated[int, Field(ge=0)]


class FileCounts(BaseModel):
    """How a file's records ended: ``records == completed + in_review + rejected``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    records: Count = 0
    completed: Count = 0
    in_review: Count = 0
    rejected: Count = 0


class FileSummary(BaseModel):
    """The facts every answer about a file carries (receipts and ``bpo process`` add theirs)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str
    name: str
    doc_type: DocType | None = None
    status: FileOutcome
    records: Count = 0
    completed: Count = 0
    in_review: Count = 0
    rejected: Count = 0
    outputs: tuple[str, ...] = ()
    reason: str = ""

    @property
    def counts(self) -> FileCounts:
        return FileCounts(
            records=self.records,
            completed=self.completed,
            in_review=self.in_review,
            rejected=self.rejected,
        )


class FileResult(FileSummary):
    """The ``bpo process --json`` answer for one file (DESIGN.md), also the flow's result."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file_id: int
    #: What the caller handed in (a local path, or the landing-zone URL the file came from).
    path: str
    #: The sha256 of the file's bytes: its identity for idempotent ingest.
    sha256: str = ""
