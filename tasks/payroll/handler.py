"""Payroll as a document type: CSV/XLSX batches -> NACHA PPD credits + a payroll register."""

from __future__ import annotations

import io
from typing import Any

import polars as pl

from schemas.batch import RECORD_INDEX, ValidatedBatch
from schemas.doc_type import BillableUnit, DocType
from schemas.issue import Issue
from schemas.payroll import PAYMENT_SCHEMA, PAYROLL_COLUMNS, PayrollEntry
from tasks.doctype import ClientContext, OutputContext
from tasks.payroll.extract import extract_payroll, validate_frame
from tasks.payroll.nacha import build_ppd_file
from tasks.review_fields import flat_fields_json


def _json_value(v: Any) -> Any:
    return None if v is None else v if isinstance(v, str | int | bool) else str(v)


class PayrollHandler:
    doc_type = DocType.PAYROLL

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

    def write_outputs(
        self, batch: ValidatedBatch, completed: pl.DataFrame, out: OutputContext
    ) -> list[str]:
        if completed.height == 0:
            return []
        ach = build_ppd_file(completed, out.ctx.client.payroll.ach, created_at=out.received_at)
        register = completed.select(
            RECORD_INDEX,
            *[c for c in PAYROLL_COLUMNS if c != "account_number"],
            (pl.lit("****") + pl.col("account_number").str.slice(-4)).alias("account_last4"),
        )
        buf = io.BytesIO()
        register.write_parquet(buf)
        return [
            out.outbox.write(f"payroll/{out.stem}.ach", ach),
            out.outbox.write(f"payroll/{out.stem}.register.parquet", buf.getvalue()),
        ]
