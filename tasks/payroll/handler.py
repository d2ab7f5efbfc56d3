"""Payroll as a document type: CSV/XLSX batches -> NACHA PPD credits + a payroll register.

The register (the completed payments, account numbers cut to their last four digits) is
written twice: Parquet for systems, CSV for people and spreadsheets, its text cells defused by
the one formula guard (``schemas.formula``); money keeps its exact digits in both.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl

from schemas.batch import RECORD_INDEX, ValidatedBatch
from schemas.doc_type import BillableUnit, DocType
from schemas.formula import formula_safe
from schemas.issue import Issue
from schemas.payroll import PAYMENT_SCHEMA, PAYROLL_COLUMNS, PayrollEntry
from tasks.doctype import ClientContext, OutputCheckError, OutputContext
from tasks.payroll.extract import extract_payroll, validate_frame
from tasks.payroll.nacha import ENTRY_COLUMNS, file_bytes, ppd_records
from tasks.payroll.nacha_check import check_nacha
from tasks.review_fields import flat_fields_json


def _json_value(v: Any) -> Any:
    return None if v is None else v if isinstance(v, str | int | bool) else str(v)


class PayrollHandler:
    doc_type = DocType.PAYROLL
    unit_columns: tuple[str, ...] = (RECORD_INDEX,)

    def extract(self, data: bytes, name: str, ctx: ClientContext) -> ValidatedBatch:
        return extract_payroll(data, name, ctx)

    def record_json(self, records: pl.DataFrame) -> list[dict[str, Any]]:
        rows = records.select(PAYROLL_COLUMNS).rows(named=True)
        return [{k: _json_value(v) for k, v in row.items()} for row in rows]

    def review_fields(self, flagged: pl.DataFrame) -> pl.Series:
        return flat_fields_json(flagged, PAYROLL_COLUMNS)

    def revalidate(
        self, fields: dict[str, Any], ctx: ClientContext
    ) -> tuple[dict[str, Any], list[Issue]]:
        unknown = sorted(set(fields) - set(PayrollEntry.model_fields))
        if unknown:
            return fields, [
                Issue(code="PAY-UNKNOWN-FIELD", field=f, message=f"{f} is not a payroll field.")
                for f in unknown
            ]
        raw = pl.DataFrame(
            {c: [None if fields.get(c) is None else str(fields[c])] for c in PAYROLL_COLUMNS},
            schema=dict.fromkeys(PAYROLL_COLUMNS, pl.String),
        ).with_row_index(RECORD_INDEX)
        batch = validate_frame(raw, ctx)
        issues = [
            Issue(code=r["code"], field=r["field"], message=r["message"])
            for r in batch.issues.iter_rows(named=True)
        ]
        if not issues:
            # The frame rules passed; the model is the final word on the record's shape.
            PayrollEntry.model_validate(batch.records.select(PAYROLL_COLUMNS).row(0, named=True))
        normalised = self.record_json(batch.records)[0]
        return normalised, issues

    def dedupe_keys(self, records: pl.DataFrame) -> pl.Series | None:
        return None  # a payment's history is by period, not a key: see ``payments``

    def payments(self, records: pl.DataFrame) -> pl.DataFrame | None:
        return records.select(list(PAYMENT_SCHEMA)).cast(PAYMENT_SCHEMA)  # type: ignore[arg-type]

    def billable_units(self, completed: pl.DataFrame) -> pl.DataFrame:
        return completed.select(
            pl.col(RECORD_INDEX),
            pl.lit(BillableUnit.PAYROLL_PAYMENT.value).alias("unit"),
            pl.lit(1, pl.Int64).alias("quantity"),
        )

    def write_outputs(self, batch: ValidatedBatch, out: OutputContext) -> list[str]:
        """The NACHA file(s) and the register (Parquet and CSV), made side by side.

        Every NACHA file passes the check a bank's front end makes before anything is
        written. Nothing copies every field of the completed records: the NACHA files read
        the eight entry columns of them, and the register is streamed from the batch's
        records (filtered to the completed ones) into its Parquet while the NACHA files are
        built and checked, into its CSV while they are written (Polars and file writes
        release the GIL). Each file's bytes are let go once written, so the copies of a
        million-row batch never all wait in memory together.
        """
        if batch.records.height == batch.flagged_indexes.len():  # none completes (or unread)
            return []
        entries = batch.valid_records(ENTRY_COLUMNS)
        stem = f"payroll/{out.stem}"
        register = _register(batch.records.lazy().filter(batch.completed_rows()))
        with ThreadPoolExecutor(max_workers=2) as pool:
            parquet = pool.submit(_parquet, register)
            nacha = _checked_nacha(entries, out)  # raises before anything is written
            del entries
            text = pool.submit(_csv, register)
            written = [pool.submit(out.outbox.write, name, data) for name, data in nacha]
            del nacha
            written.append(
                pool.submit(out.outbox.write, f"{stem}.register.parquet", parquet.result())
            )
            del parquet
            written.append(pool.submit(out.outbox.write, f"{stem}.register.csv", text.result()))
            del text
            return [w.result() for w in written]


def _checked_nacha(completed: pl.DataFrame, out: OutputContext) -> list[tuple[str, bytes]]:
    """The NACHA file(s) of ``completed``, named, each checked as the records it is made of.

    Raises:
        OutputCheckError: a file fails the NACHA check; none is written.
    """
    files = ppd_records(completed, out.ctx.client.payroll.ach, created_at=out.received_at)
    names = [f"payroll/{out.stem}.ach"]
    if len(files) > 1:
        names = [f"payroll/{out.stem}.{k}-of-{len(files)}.ach" for k in range(1, len(files) + 1)]
    # Every file passes the same check a bank's front end makes before any is published.
    for name, records in zip(names, files, strict=True):
        problems = check_nacha(records)
        if problems:
            raise OutputCheckError(
                f"{name} fails the NACHA check and was not published: "
                + "; ".join(str(p) for p in problems[:5])
            )
    checked: list[tuple[str, bytes]] = []
    while files:  # each file's records freed once its bytes are made
        checked.append((names[len(checked)], file_bytes(files.pop(0))))
    return checked


def _register(completed: pl.LazyFrame) -> pl.LazyFrame:
    """The register: the completed payments, account numbers cut to their last four digits."""
    return completed.select(
        RECORD_INDEX,
        *[c for c in PAYROLL_COLUMNS if c != "account_number"],
        (pl.lit("****") + pl.col("account_number").str.slice(-4)).alias("account_last4"),
    )


def _parquet(register: pl.LazyFrame) -> bytes:
    buf = io.BytesIO()
    register.sink_parquet(buf)
    return buf.getvalue()


def _csv(register: pl.LazyFrame) -> bytes:
    """The register for people and spreadsheets: every text cell defused."""
    buf = io.BytesIO()
    formula_safe(register).sink_csv(buf)
    return buf.getvalue()
