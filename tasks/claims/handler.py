"""``ClaimsHandler``: the claims document type behind ``tasks.doctype.DocHandler``.

Outputs of ``write_outputs`` (under ``claims/`` in the client's outbox):

- ``<stem>.999.x12``: 999 per functional group (TA1 too when the envelope was refused); not
  written when the file had no readable ISA header.
- ``<stem>.277ca.csv``: one status row per claim (A1/A2/A3/A7, see ``status_277``).
- ``<stem>.277ca.x12``: the same statuses as an X12 277CA (005010X214, see ``ack_277ca``).
- ``<stem>.claims.parquet`` and ``<stem>.claim_lines.parquet``: completed claims.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import polars as pl
from pydantic import ValidationError

from schemas.batch import RECORD_INDEX, ValidatedBatch, issues_frame
from schemas.claim import Claim, ServiceLine
from schemas.doc_type import BillableUnit, DocType
from schemas.issue import Issue, Severity
from tasks.claims.ack_277ca import build_277ca
from tasks.claims.ack_999 import build_999
from tasks.claims.csv_batch import read_claims_csv
from tasks.claims.edits import EditContext, claim_issues, duplicate_issues
from tasks.claims.extract_x12 import dedupe_key, extract_x12
from tasks.claims.status_277 import status_csv
from tasks.claims.tables import header_table, lines_table, record_json, records_frame
from tasks.claims.x12_tokens import find_isa
from tasks.doctype import ClientContext, OutputContext
from tasks.review_fields import merged_fields_json


def _edit_context(ctx: ClientContext) -> EditContext:
    path = ctx.client.claims.eligibility
    members: frozenset[str] | None = None
    if path:
        frame = ctx.reference_frame(path)
        column = "member_id" if "member_id" in frame.columns else frame.columns[0]
        members = frozenset(v.strip() for v in frame.get_column(column).drop_nulls().to_list())
    return EditContext(today=dt.datetime.now(dt.UTC).date(), eligible_members=members)


def _decode(data: bytes) -> str | None:
    """The file as text; None when it holds a NUL byte anywhere (binary, or UTF-16)."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _not_x12(message: str) -> ValidatedBatch:
    return ValidatedBatch.unreadable(
        Issue(code="ENV-NOT-X12", message=message, severity=Severity.REJECT)
    )


class ClaimsHandler:
    doc_type = DocType.CLAIMS
    unit_columns: tuple[str, ...] = (RECORD_INDEX, "lines")

    def extract(self, data: bytes, name: str, ctx: ClientContext) -> ValidatedBatch:
        edit_ctx = _edit_context(ctx)
        text = _decode(data)
        if text is None and name.lower().endswith(".csv"):
            return self._extract_csv(data, ctx, edit_ctx)  # UTF-16, or the reader says where
        if text is None:
            nul = data.index(b"\x00")
            return _not_x12(
                f"binary content (a NUL byte at byte offset {nul}): the file is"
                " not an X12 837 or a CSV claim batch"
            )
        isa_at = find_isa(text)
        if isa_at >= 0:
            return extract_x12(text, isa_at, edit_ctx, ctx.client.claims.structure_check_max_bytes)
        if name.lower().endswith(".csv"):
            return self._extract_csv(data, ctx, edit_ctx)
        return _not_x12(
            "the file does not start with an ISA interchange header: not an X12 837 "
            "(send 837 5010 or a .csv claim batch)"
        )

    def _extract_csv(
        self, data: bytes, ctx: ClientContext, edit_ctx: EditContext
    ) -> ValidatedBatch:
        result = read_claims_csv(data, ctx.client.claims.columns)
        if isinstance(result, Issue):
            return ValidatedBatch.unreadable(result)
        claims, parse_issues = result
        pairs = [(i, x) for i, found in enumerate(parse_issues) for x in found]
        for i, claim in enumerate(claims):
            pairs.extend((i, x) for x in claim_issues(claim, edit_ctx))
        pairs.extend(duplicate_issues([dedupe_key(c) for c in claims]))
        pairs.sort(key=lambda p: p[0])
        raws = [json.dumps({"source": "csv", "claim_id": c.claim_id}) for c in claims]
        records = records_frame(claims, [("", "", "")] * len(claims), raws)
        return ValidatedBatch(records=records, issues=issues_frame(pairs), meta={"format": "csv"})

    def revalidate(
        self, fields: dict[str, Any], ctx: ClientContext
    ) -> tuple[dict[str, Any], list[Issue]]:
        lines_in = fields.get("lines") or []
        data = {k: v for k, v in fields.items() if k in Claim.model_fields and k != "lines"}
        data["diagnosis_codes"] = tuple(
            str(c).replace(".", "").strip().upper() for c in fields.get("diagnosis_codes") or []
        )
        data["diagnosis_qualifiers"] = tuple(
            "ABK" if i == 0 else "ABF" for i in range(len(data["diagnosis_codes"]))
        )
        issues: list[Issue] = []
        lines: list[ServiceLine] = []
        for n, raw_line in enumerate(lines_in if isinstance(lines_in, list) else []):
            try:
                lines.append(ServiceLine.model_validate(raw_line))
            except ValidationError as exc:
                for err in exc.errors():
                    where = ".".join(str(p) for p in err["loc"])
                    issues.append(
                        Issue(
                            code="CLM-FIELD-INVALID",
                            field=f"lines[{n}].{where}",
                            message=f"line {n + 1} {where}: {err['msg']}",
                        )
                    )
        if any(x.revenue_code for x in lines):
            data["claim_type"] = "837I"
        dates = [x.service_date for x in lines if x.service_date]
        data["lines"] = tuple(lines)
        try:
            claim = Claim.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                issues.append(
                    Issue(code="CLM-FIELD-INVALID", field=where, message=f"{where}: {err['msg']}")
                )
            return fields, issues
        if claim.service_date_to is None and dates:
            claim = claim.model_copy(update={"service_date_to": max(dates)})
        issues.extend(claim_issues(claim, _edit_context(ctx)))
        normalised = record_json(records_frame([claim], [("", "", "")], ["{}"]))[0]
        return normalised, issues

    def record_json(self, records: pl.DataFrame) -> list[dict[str, Any]]:
        return record_json(records)

    def review_fields(self, flagged: pl.DataFrame) -> pl.Series:
        raws = flagged.get_column("raw").to_list() if "raw" in flagged.columns else None
        return merged_fields_json(self.record_json(flagged), raws or [None] * flagged.height)

    def dedupe_keys(self, records: pl.DataFrame) -> pl.Series | None:
        parts = [
            pl.col(c).cast(pl.String).fill_null("")
            for c in (
                "patient_control_number",
                "service_date_from",
                "service_date_to",
                "total_charge",
            )
        ]
        return records.select(pl.concat_str(parts, separator="|").alias("dedupe_key")).to_series()

    def payments(self, records: pl.DataFrame) -> pl.DataFrame | None:
        return None

    def billable_units(self, completed: pl.DataFrame) -> pl.DataFrame:
        index = completed.get_column(RECORD_INDEX).cast(pl.UInt32)
        lines = (
            completed.get_column("lines").map_elements(
                lambda s: len(json.loads(s)), return_dtype=pl.Int64
            )
            if completed.height
            else pl.Series([], dtype=pl.Int64)
        )
        claims = pl.DataFrame({RECORD_INDEX: index, "unit": str(BillableUnit.CLAIM), "quantity": 1})
        claim_lines = pl.DataFrame(
            {RECORD_INDEX: index, "unit": str(BillableUnit.CLAIM_LINE), "quantity": lines}
        )
        schema = {RECORD_INDEX: pl.UInt32, "unit": pl.String, "quantity": pl.Int64}
        return pl.concat([claims.cast(schema), claim_lines.cast(schema)]).sort(  # type: ignore[arg-type]
            RECORD_INDEX, maintain_order=True
        )

    def write_outputs(self, batch: ValidatedBatch, out: OutputContext) -> list[str]:
        completed = batch.valid_records()
        urls: list[str] = []
        ack = build_999(batch.meta, out.source_sha256, out.ctx.client.claims.receiver_id)
        if ack is not None:
            urls.append(out.outbox.write(f"claims/{out.stem}.999.x12", ack))
        if batch.records.height:
            urls.append(
                out.outbox.write(f"claims/{out.stem}.277ca.csv", status_csv(batch, completed))
            )
            x12 = build_277ca(
                batch,
                completed,
                sha256=out.source_sha256,
                received_at=out.received_at,
                client_id=out.ctx.client.id,
                client_name=out.ctx.client.name,
                receiver_id=out.ctx.client.claims.receiver_id,
            )
            if x12 is not None:
                urls.append(out.outbox.write(f"claims/{out.stem}.277ca.x12", x12))
        reviewed = not batch.meta.get("interchanges")  # one claim completed after review
        if completed.height and "lines" in completed.columns and not reviewed:
            for suffix, table in (
                ("claims", header_table(completed)),
                ("claim_lines", lines_table(completed)),
            ):
                buffer = io.BytesIO()
                table.write_parquet(buffer)
                urls.append(
                    out.outbox.write(f"claims/{out.stem}.{suffix}.parquet", buffer.getvalue())
                )
        return urls


__all__ = ["ClaimsHandler"]
