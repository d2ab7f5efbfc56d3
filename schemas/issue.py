"""Validation findings as data: every rule yields these, never exceptions."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    """What a finding does to its record.

    ``review`` sends the record to a person; ``reject`` ends it as rejected at once (the
    record can never be completed, e.g. a claim in a rejected functional group).
    """

    REVIEW = "review"
    REJECT = "reject"


class Issue(BaseModel):
    """One broken rule on one record (or on a whole file).

    ``code`` is stable (reviewers, reports and tests key on it), ``field`` is the field path in
    the canonical record (``lines[2].amount``, ``routing_number``; empty for file-level issues)
    and ``message`` says what a reviewer can do about it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    field: str = ""
    message: str
    severity: Severity = Severity.REVIEW
