"""The doc-type contract: what every document type implements, so one pipeline serves them all.

``tasks.registry.handler_for(doc_type)`` returns the implementation; ``flows`` and the CLI
never import a doc type's modules directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from schemas.batch import ValidatedBatch
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from schemas.invoice_memory import LearnedPosition
from schemas.issue import Issue
from schemas.limits import ReadingLimits
from schemas.names import output_stem
from schemas.outbox import Outbox


@dataclass(frozen=True)
class ClientContext:
    """A client's settings plus the reference data its rules need, loaded once per run."""

    client: ClientConfig
    base_dir: Path = Path()
    #: What reading one of this client's files may cost (``[limits]`` and its overrides).
    limits: ReadingLimits = field(default_factory=ReadingLimits)
    #: Reference frames already loaded, by resolved path (shared across files of one run).
    _cache: dict[Path, pl.DataFrame] = field(default_factory=dict, compare=False, repr=False)
    #: The client's supplier memory (where reviewers' corrections stood), read when a file is
    #: read, so what a decision taught applies to the very next file; None: no memory.
    memory_loader: Callable[[], Sequence[LearnedPosition]] | None = field(
        default=None, compare=False, repr=False
    )

    def invoice_memory(self) -> Sequence[LearnedPosition]:
        return self.memory_loader() if self.memory_loader is not None else ()

    @property
    def client_id(self) -> str:
        return self.client.id

    def reference_frame(self, path: str) -> pl.DataFrame:
        """Load a reference file (CSV, XLSX or Parquet) named in the client's config, as strings."""
        p = Path(path)
        p = p if p.is_absolute() else self.base_dir / p
        if p not in self._cache:
            suffix = p.suffix.lower()
            if suffix == ".parquet":
                frame = pl.read_parquet(p)
                frame = frame.with_columns(pl.all().cast(pl.String))
            elif suffix in (".xlsx", ".xls"):
                frame = pl.read_excel(p, infer_schema_length=0)
            else:
                frame = pl.read_csv(p, infer_schema_length=0)
            self._cache[p] = frame.rename({c: c.strip().lower() for c in frame.columns})
        return self._cache[p]


class OutputCheckError(RuntimeError):
    """An output failed the project's own check of its format before publication (a NACHA
    file a bank would refuse): a failure of the system, not of the client's input. Nothing
    is written, so nothing is billed; retrying cannot help."""


@dataclass(frozen=True)
class OutputContext:
    ctx: ClientContext
    outbox: Outbox
    #: Stable id of the source file (its registration id) and its name, for output names.
    file_id: int
    source_name: str
    source_sha256: str
    #: Suffix for outputs written after review (``supplemental-<n>``); empty for the first run.
    run_label: str = ""
    #: When the source file was registered: the timestamp outputs carry, so a re-run writes
    #: byte-identical files.
    received_at: dt.datetime = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    @cached_property
    def stem(self) -> str:
        """``<name stem>.<sha256[:12]>[.<run_label>]``, safe to store whatever the name holds
        (a newline, 250 bytes): see :func:`schemas.names.output_stem`."""
        return output_stem(self.source_name, self.source_sha256, self.run_label)


class DocHandler(Protocol):
    doc_type: DocType
    #: The columns of ``records`` that :meth:`billable_units` reads (``record_index`` first).
    unit_columns: tuple[str, ...]

    def extract(self, data: bytes, name: str, ctx: ClientContext) -> ValidatedBatch:
        """Parse bytes and apply every rule that needs only this file and reference data.

        Never raises for bad input: unreadable files give ``ValidatedBatch.unreadable``.
        """
        ...

    def revalidate(
        self, fields: dict[str, Any], ctx: ClientContext
    ) -> tuple[dict[str, Any], list[Issue]]:
        """Validate one record given as canonical fields (as from ``record_json``) after a
        reviewer's correction; returns the normalised fields and the issues that remain."""
        ...

    def record_json(self, records: pl.DataFrame) -> list[dict[str, Any]]:
        """Canonical fields of each record, JSON-compatible (Decimal and dates as strings)."""
        ...

    def review_fields(self, flagged: pl.DataFrame) -> pl.Series:
        """Per flagged record, the JSON text of its fields for the reviewer: ``record_json``
        with the file's raw text (column ``raw``, when present) where a value did not parse.
        See :mod:`tasks.review_fields`."""
        ...

    def dedupe_keys(self, records: pl.DataFrame) -> pl.Series | None:
        """A key per record that must be unique per client across files and time, or None."""
        ...

    def payments(self, records: pl.DataFrame) -> pl.DataFrame | None:
        """Per record the payment it makes (``schemas.payroll.PAYMENT_SCHEMA``: who, for
        which pay date and period), for the history of duplicate payments across files; None
        for doc types that pay nobody."""
        ...

    def billable_units(self, completed: pl.DataFrame) -> pl.DataFrame:
        """``record_index`` (UInt32), ``unit`` (String), ``quantity`` (Int64) per record."""
        ...

    def write_outputs(self, batch: ValidatedBatch, out: OutputContext) -> list[str]:
        """Write the doc type's outputs for the completed records of ``batch`` (ACH file, AP
        export, acks); each handler reads of ``batch.valid_records`` the columns it needs."""
        ...
