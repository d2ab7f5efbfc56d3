"""The per-file answer a client finds in its outbox under ``receipts/``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AwareDatetime, ConfigDict, Field, field_validator

from schemas.outcome import FileSummary


class Receipt(FileSummary):
    """What happened to one dropped file.

    ``records == completed + in_review + rejected`` for a processed file (conservation); a
    quarantined file has no records and a ``reason`` the client can act on.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    #: Optional so a re-run that passes none writes the same bytes (idempotent outbox).
    processed_at: AwareDatetime | None = None

    @field_validator("processed_at")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        return None if v is None else v.astimezone(UTC)
