"""What every document type's extract+validate step hands to the rest of the pipeline.

A batch is columnar: ``records`` has one row per record found in the file, ``issues`` one row
per broken rule. The pipeline never looks inside a record's fields except through the doc type's
own functions, so invoices (nested lines), payroll rows and claims share one path through
routing, storage and metering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from schemas.doc_type import RecordState
from schemas.issue import Issue, Severity

#: Columns every ``records`` frame starts with. ``record_index`` is the record's 0-based
#: position in its file (stable for the same bytes: it is part of the transaction id),
#: ``record_key`` the business key of DESIGN.md (employee_id, invoice_number, CLM01).
RECORD_INDEX = "record_index"
RECORD_KEY = "record_key"

ISSUE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    RECORD_INDEX: pl.UInt32,
    "code": pl.String,
    "field": pl.String,
    "message": pl.String,
    "severity": pl.String,
}


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def issues_frame(rows: list[tuple[int, Issue]]) -> pl.DataFrame:
    """Build an issues frame from ``(record_index, issue)`` pairs (for non-Polars extractors)."""
    if not rows:
        return empty_issues()
    return pl.DataFrame(
        {
            RECORD_INDEX: [i for i, _ in rows],
            "code": [x.code for _, x in rows],
            "field": [x.field for _, x in rows],
            "message": [x.message for _, x in rows],
            "severity": [x.severity.value for _, x in rows],
        },
        schema=ISSUE_SCHEMA,
    )


@dataclass(frozen=True)
class ValidatedBatch:
    """The result of extracting and validating one file.

    Attributes:
        records: one row per record; first columns ``record_index`` (UInt32) and
            ``record_key`` (String), then the record's canonical fields. Values of records
            with issues may be null where the raw text could not be parsed; ``raw`` (a JSON
            string of the values as found in the file) is kept at least for flagged records,
            so reviewers see what the client sent.
        issues: ``ISSUE_SCHEMA`` rows; a record with none is valid.
        file_issues: problems with the file as a whole. A file with file issues and no records
            is quarantined by the pipeline.
        meta: facts about the file for outputs and receipts (format detected, sender ids,
            declared control totals...), JSON-compatible values only.
    """

    records: pl.DataFrame
    issues: pl.DataFrame = field(default_factory=empty_issues)
    file_issues: tuple[Issue, ...] = ()
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def flagged_indexes(self) -> pl.Series:
        """Records with at least one issue: the only records that do not complete."""
        return self.issues.get_column(RECORD_INDEX).unique()

    def valid_records(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The completed records (no issue): every column, computed once per batch; or only
        ``columns``, so a step that reads a few of a large batch's columns (the meter reads
        one) filters those and not a copy of every field."""
        if columns is None:
            return self._valid
        if "_valid" in self.__dict__ or self.issues.height == 0:  # already made: no new copy
            return self._valid.select(columns)
        return self.records.select(columns).filter(self.completed_rows())

    def completed_rows(self) -> pl.Expr:
        """A filter that keeps the rows of ``records`` (or a frame with their
        ``record_index``) that complete: :meth:`valid_records` as an expression, for lazy
        and column-narrow work over the batch."""
        return ~pl.col(RECORD_INDEX).is_in(self.flagged_indexes.implode())

    @cached_property
    def _valid(self) -> pl.DataFrame:
        if self.issues.height == 0:
            return self.records
        return self.records.filter(self.completed_rows())

    def record_states(self) -> pl.DataFrame:
        """``record_index``, ``record_key`` and ``state`` for every record: ``completed`` with
        no issue (as :meth:`valid_records`), ``rejected`` with an issue of severity
        ``reject``, ``in_review`` with any other issue."""
        worst = self.issues.group_by(RECORD_INDEX).agg(
            (pl.col("severity") == Severity.REJECT.value).any().alias("reject")
        )
        return (
            self.records.select(RECORD_INDEX, RECORD_KEY)
            .join(worst, on=RECORD_INDEX, how="left")
            .select(
                RECORD_INDEX,
                RECORD_KEY,
                pl.when(pl.col("reject"))
                .then(pl.lit(RecordState.REJECTED.value))
                .when(pl.col("reject").is_not_null())
                .then(pl.lit(RecordState.IN_REVIEW.value))
                .otherwise(pl.lit(RecordState.COMPLETED.value))
                .alias("state"),
            )
        )

    @classmethod
    def unreadable(cls, *issues: Issue) -> ValidatedBatch:
        """A file that could not be parsed at all: file issues and no records."""
        return cls(
            records=pl.DataFrame(
                schema={RECORD_INDEX: pl.UInt32, RECORD_KEY: pl.String, "raw": pl.String}
            ),
            file_issues=tuple(issues),
        )
