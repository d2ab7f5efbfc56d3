"""Per-client claims (X12 837) settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ClaimOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Client header -> canonical field name for CSV claim batches.
    columns: dict[str, str] = Field(default_factory=dict)
    #: CSV/XLSX with a member_id column: eligible members.
    eligibility: str | None = None
    #: Our id as the receiver in acknowledgments (ISA06 of the 999 we send).
    receiver_id: str = "BPOCLEARING"
    #: Files up to this size also get the implementation-guide structure check (SNIP 1-2,
    #: pyx12); larger files get our envelope and claim edits only (pyx12 is ~100x slower).
    structure_check_max_bytes: int = 2_000_000
