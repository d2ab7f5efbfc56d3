"""``InvoiceHandler``: the invoices implementation of :class:`tasks.doctype.DocHandler`."""

from __future__ import annotations

from typing import Any

import polars as pl

from readers.budget import BudgetExceededError
from schemas.batch import RECORD_INDEX, ValidatedBatch, issues_frame
from schemas.doc_type import BillableUnit, DocType
from schemas.issue import Issue
from tasks.doctype import ClientContext, OutputContext
from tasks.invoices.csv_json import candidate_from_fields
from tasks.invoices.export import write_ap_export
from tasks.invoices.extract import extract_candidates
from tasks.invoices.fields_json import row_fields
from tasks.invoices.records import records_frame
from tasks.invoices.validate import candidate_issues, dedupe_key, validate_all
from tasks.review_fields import merged_fields_json


class InvoiceHandler:
    """Invoices: PDF (text layer or scanned), images (PNG, JPEG, TIFF), Factur-X/ZUGFeRD,
    UBL 2.1, CII, CSV and JSON batches."""

    doc_type = DocType.INVOICES
    unit_columns: tuple[str, ...] = (RECORD_INDEX, "lines")

    def extract(self, data: bytes, name: str, ctx: ClientContext) -> ValidatedBatch:
        try:
            found = extract_candidates(
                data, name, ctx.client.invoices, ctx.client.currency, ctx.invoice_memory()
            )
        except BudgetExceededError:
            raise  # the extraction step answers it, naming the budget
        except Exception as exc:  # last line of defence: bad input must never crash a run
            return ValidatedBatch.unreadable(
                Issue(
                    code="INV-UNREADABLE",
                    message=f"The file could not be processed ({type(exc).__name__}); "
                    "quarantined for a person to look at.",
                )
            )
        if found.file_issue is not None:
            batch = ValidatedBatch.unreadable(found.file_issue)
            return ValidatedBatch(batch.records, batch.issues, batch.file_issues, found.meta)
        issues = validate_all(found.candidates, ctx)
        return ValidatedBatch(
            records=records_frame(found.candidates),
            issues=issues_frame(issues),
            meta={**found.meta, "invoices": len(found.candidates)},
        )

    def revalidate(
        self, fields: dict[str, Any], ctx: ClientContext
    ) -> tuple[dict[str, Any], list[Issue]]:
        cand = candidate_from_fields(fields, source="review")
        issues = candidate_issues(cand, ctx)
        return self.record_json(records_frame([cand]))[0], issues

    def record_json(self, records: pl.DataFrame) -> list[dict[str, Any]]:
        return [row_fields(row) for row in records.to_dicts()]

    def review_fields(self, flagged: pl.DataFrame) -> pl.Series:
        raws = flagged.get_column("raw").to_list() if "raw" in flagged.columns else None
        return merged_fields_json(self.record_json(flagged), raws or [None] * flagged.height)

    def dedupe_keys(self, records: pl.DataFrame) -> pl.Series | None:
        keys = (
            [
                dedupe_key(
                    row.get("vendor_tax_id"), row.get("vendor_name"), row.get("invoice_number")
                )
                for row in records.select(
                    "vendor_tax_id", "vendor_name", "invoice_number"
                ).to_dicts()
            ]
            if records.height
            else []
        )
        return pl.Series("dedupe_key", keys, dtype=pl.String)

    def payments(self, records: pl.DataFrame) -> pl.DataFrame | None:
        return None

    def billable_units(self, completed: pl.DataFrame) -> pl.DataFrame:
        schema = {RECORD_INDEX: pl.UInt32, "unit": pl.String, "quantity": pl.Int64}
        if completed.height == 0:
            return pl.DataFrame(schema=schema)
        base = completed.select(
            pl.col(RECORD_INDEX).cast(pl.UInt32),
            pl.col("lines").list.len().cast(pl.Int64).alias("n_lines"),
        )
        invoices = base.select(
            RECORD_INDEX,
            pl.lit(BillableUnit.INVOICE.value).alias("unit"),
            pl.lit(1, pl.Int64).alias("quantity"),
        )
        lines = base.filter(pl.col("n_lines") > 0).select(
            RECORD_INDEX,
            pl.lit(BillableUnit.INVOICE_LINE.value).alias("unit"),
            pl.col("n_lines").alias("quantity"),
        )
        return pl.concat([invoices, lines]).sort(RECORD_INDEX, "unit").cast(schema)  # type: ignore[arg-type]

    def write_outputs(self, batch: ValidatedBatch, out: OutputContext) -> list[str]:
        return write_ap_export(batch.valid_records(), out)
