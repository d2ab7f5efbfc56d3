"""The evidence pack: one zip per client and period from which the client recomputes the total.

Contents: ``README.md`` (how to recompute), ``detail.csv``, ``summary.csv``, ``postings.csv``
(every posted bill line, corrections included), ``rate_cards.json``, ``sla.json`` and
``source_files.csv`` (name, sha256, received_at of every file billed). Entries are written in a
fixed order with a fixed timestamp, so a closed period gives the same bytes every time.
"""

from __future__ import annotations

import io
import json
import zipfile

import polars as pl
from sqlalchemy.orm import Session

from billing.export import detail_frame, export_bytes, summary_frame
from billing.ledger import posted_lines
from billing.statement import Statement

_README = """\
# Billing evidence: {client} {period}

Status: {status}. Currency: {currency}. Total: {total}.

How to recompute the total:

1. `detail.csv` has one row per billable unit (reversals have negative quantities). Each row's
   `amount` is `quantity x unit_price`, priced by the rate card in force on the local
   completion date ({timezone}); tiered units get the price of their tier (`rate_cards.json`).
2. Sum `amount` per `unit` and price: the `usage` and `adjustment` lines of `summary.csv`
   (`amount_exact`); round each line half-up to cents (`amount`).
3. Add the `minimum` top-up (monthly minimum minus the rounded usage), the `seat_fee`
   (seats x fee), then the credits: `sla_credit` is the percent in `sla.json` of the charges
   (lines 1-2), `accuracy_credit` likewise for the QA accuracy figure.
4. The total is the sum of the rounded lines: {total}.

`postings.csv` lists every line posted to the bill ledger, re-ratings included: a reversal
points at the line it reverses (`reverses_id`). `source_files.csv` gives the sha256 of every
file the detail came from.
"""


def _entry(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def evidence_bytes(session: Session, st: Statement) -> bytes:
    """The evidence zip of statement ``st``."""
    posted = posted_lines(session, st.client_id, st.period)
    postings = pl.DataFrame(
        [
            (
                p.id,
                p.kind,
                p.card_version,
                p.unit,
                p.tier,
                p.quantity,
                p.billed_quantity,
                str(p.unit_price),
                p.amount_exact,
                str(p.amount),
                p.reverses_id,
            )
            for p in posted
        ],
        schema={
            "id": pl.Int64(),
            "kind": pl.String(),
            "card_version": pl.String(),
            "unit": pl.String(),
            "tier": pl.String(),
            "quantity": pl.Int64(),
            "billed_quantity": pl.Int64(),
            "unit_price": pl.String(),
            "amount_exact": pl.String(),
            "amount": pl.String(),
            "reverses_id": pl.Int64(),
        },
        orient="row",
    )
    files = pl.DataFrame(
        [(f.id, f.name, f.doc_type, f.sha256, f.received_at) for f in st.files(session)],
        schema={
            "file_id": pl.Int64(),
            "name": pl.String(),
            "doc_type": pl.String(),
            "sha256": pl.String(),
            "received_at": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )
    snap = st.snapshot()
    readme = _README.format(
        client=st.client_id,
        period=st.period,
        currency=st.invoice.currency,
        total=st.invoice.total,
        timezone=st.timezone,
        status="closed" if st.closed else "open (preview: may still change)",
    )
    sla = {
        "sla": snap["sla"],
        "accuracy": snap["accuracy"],
        "accuracy_credit_percent": snap["accuracy_credit_percent"],
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _entry(zf, "README.md", readme.encode())
        _entry(zf, "detail.csv", export_bytes(detail_frame(st), "csv"))
        _entry(zf, "summary.csv", export_bytes(summary_frame(st), "csv"))
        _entry(zf, "postings.csv", export_bytes(postings, "csv"))
        _entry(zf, "rate_cards.json", json.dumps(snap["cards"], indent=2).encode())
        _entry(zf, "sla.json", json.dumps(sla, indent=2).encode())
        _entry(zf, "source_files.csv", export_bytes(files, "csv"))
    return buf.getvalue()
