"""A reviewer's correction of an invoice teaches the client's supplier memory, end to end:
the decision stores where the values stood, the next file of the supplier is read with it,
and another client never sees it."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.root import App
from review.corrections import Correction
from review.decision import resolve_item
from samples.supplier_template import series, template_pdf
from store.db import transaction
from store.invoice_memory import remembered
from store.models import ReviewItem
from tests.review_factory import process_file


def _items(rt: App, file_id: int) -> list[ReviewItem]:
    with transaction(rt.engine) as session:
        return list(
            session.scalars(
                select(ReviewItem).where(ReviewItem.file_id == file_id).order_by(ReviewItem.id)
            )
        )


def test_a_correction_is_remembered_and_reads_the_next_invoice(runtime: App) -> None:
    first, second = series(2)
    file = process_file(
        runtime, template_pdf(first), client_id="acme", doc_type="invoices", name="nf-1.pdf"
    )
    (item,) = _items(runtime, file.id)
    truth = first.truth()
    wrong = {f: v for f, v in truth.items() if str(item.fields.get(f)) != str(v)}
    assert wrong, "the template is read partly wrong before any correction"
    resolve_item(
        runtime,
        item_id=item.id,
        reviewer="ann",
        action="correct",
        corrections=[Correction(f, str(v)) for f, v in wrong.items()],
        client_id="acme",
    )
    with transaction(runtime.engine) as session:
        memory = remembered(session, client_id="acme")
        assert remembered(session, client_id="globex") == []
    # What was corrected, and what was read right but unsure and confirmed by the decision.
    unsure = {r["field"] for r in item.reasons if r["code"] == "INV-LOW-CONFIDENCE"}
    assert {m.field for m in memory} == set(wrong) | unsure
    assert {m.source_item for m in memory} == {item.id}
    assert {m.learned_by for m in memory} == {"ann"}

    ctx = runtime.client_context("acme")
    from tasks.invoices.handler import InvoiceHandler

    batch = InvoiceHandler().extract(template_pdf(second), "nf-2.pdf", ctx)
    (row,) = batch.records.to_dicts()
    for f, v in second.truth().items():
        assert str(row[f]) == str(v), f
    learned = json.loads(row["raw"])["learned_from"]
    assert learned == dict.fromkeys(set(wrong) | unsure, f"review item {item.id}")
    assert batch.issues.height == 0  # read right and sure: no reason to review it

    other = runtime.client_context("globex")
    assert other.invoice_memory() == []
