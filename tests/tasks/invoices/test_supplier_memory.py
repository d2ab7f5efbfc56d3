"""Learning from a reviewer's correction: the supplier's next invoices of the same template
read right, another supplier's are untouched, a later correction replaces an earlier one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from samples.invoices import Spec, make_pdf
from samples.scans import scan
from samples.supplier_template import TemplateInvoice, series, template_pdf
from schemas.invoice_memory import LearnedPosition
from schemas.invoice_options import InvoiceOptions
from tasks.invoices.extract import extract_candidates
from tasks.invoices.memory import LEARNED, learn
from tasks.invoices.pages import document_pages

OPTIONS = InvoiceOptions()
AT = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _read(data: bytes, memory: list[LearnedPosition] | None = None) -> dict[str, Any]:
    found = extract_candidates(data, "x.pdf", OPTIONS, "EUR", memory or ())
    assert found.file_issue is None
    (cand,) = found.candidates
    values = {k: str(v) for k, v in cand.values.items() if k != "lines"}
    values["_learned"] = cand.raw.get("learned_from", {})
    values["_confidence"] = cand.confidence
    return values


def _right(inv: TemplateInvoice, got: dict[str, Any]) -> list[str]:
    return [f for f, v in inv.truth().items() if got.get(f) == str(v)]


def _correct(
    inv: TemplateInvoice, data: bytes, item: int, at: dt.datetime = AT
) -> list[LearnedPosition]:
    """What a reviewer's correction of ``inv`` teaches: every field the reader got wrong set
    to what the page says."""
    got = _read(data)
    truth = inv.truth()
    wrong = [f for f in truth if got.get(f) != str(truth[f])]
    return learn(
        client_id="acme",
        fields=truth,
        corrected=wrong,
        pages=document_pages(data, 10),
        source_item=item,
        learned_by="ann",
        at=at,
    )


def _accuracy(invoices: list[TemplateInvoice], datas: list[bytes], memory: Any) -> float:
    right = sum(len(_right(inv, _read(d, memory))) for inv, d in zip(invoices, datas, strict=True))
    return right / sum(len(inv.truth()) for inv in invoices)


def test_one_correction_teaches_the_next_nine_invoices_of_the_template() -> None:
    invoices = series(10)
    datas = [template_pdf(inv) for inv in invoices]
    memory = _correct(invoices[0], datas[0], item=41)
    assert memory, "the correction must teach something"
    before = _accuracy(invoices[1:], datas[1:], None)
    after = _accuracy(invoices[1:], datas[1:], memory)
    assert after >= 0.9, (before, after)
    assert after > before
    got = _read(datas[3], memory)
    assert set(got["_learned"]) == {m.field for m in memory} & set(got["_learned"])
    assert all(v == "review item 41" for v in got["_learned"].values())
    assert all(got["_confidence"][f] == LEARNED for f in got["_learned"])


def test_the_memory_teaches_scans_of_the_template_too() -> None:
    invoices = series(4, seed=11)
    memory = _correct(invoices[0], template_pdf(invoices[0]), item=7)
    scans = [scan(template_pdf(inv), fmt="png", dpi=200) for inv in invoices[1:]]
    assert _accuracy(invoices[1:], scans, memory) >= 0.8


def test_another_suppliers_invoices_are_unaffected() -> None:
    invoices = series(2)
    memory = _correct(invoices[0], template_pdf(invoices[0]), item=41)
    other = make_pdf(Spec(number="INV-555", vendor="Initech Supplies Ltd"), layout="right")
    same_template_other_supplier = template_pdf(
        series(1, vendor="Sudwind Handel GmbH", vendor_vat="ATU99999999", seed=5)[0]
    )
    for data in (other, same_template_other_supplier):
        without, with_memory = _read(data), _read(data, memory)
        assert with_memory["_learned"] == {}
        without.pop("_learned"), with_memory.pop("_learned")
        assert with_memory == without


def test_a_correction_that_is_not_printed_teaches_nothing() -> None:
    inv = series(1)[0]
    data = template_pdf(inv)
    fields = {**inv.truth(), "total": "123456.78"}
    learned = learn(
        client_id="acme",
        fields=fields,
        corrected=["total"],
        pages=document_pages(data, 10),
        source_item=1,
        learned_by="ann",
        at=AT,
    )
    assert learned == []


def test_a_later_correction_wins_over_an_earlier_one() -> None:
    invoices = series(3)
    datas = [template_pdf(inv) for inv in invoices]
    early = learn(
        client_id="acme",
        fields={**invoices[0].truth(), "total": str(invoices[0].subtotal)},  # the net: wrong
        corrected=["total"],
        pages=document_pages(datas[0], 10),
        source_item=1,
        learned_by="ann",
        at=AT,
    )
    late = learn(
        client_id="acme",
        fields=invoices[0].truth(),
        corrected=["total"],
        pages=document_pages(datas[0], 10),
        source_item=2,
        learned_by="bob",
        at=AT + dt.timedelta(hours=1),
    )
    assert early
    assert late
    got = _read(datas[2], [*late, *early])  # the order they are stored in does not matter
    assert got["total"] == str(invoices[2].total)
    assert got["_learned"]["total"] == "review item 2"


@pytest.mark.parametrize("field", ["total", "invoice_number", "invoice_date"])
def test_the_label_is_what_stands_before_the_value(field: str) -> None:
    inv = series(1)[0]
    data = template_pdf(inv)
    (entry,) = learn(
        client_id="acme",
        fields=inv.truth(),
        corrected=[field],
        pages=document_pages(data, 10),
        source_item=1,
        learned_by="ann",
        at=AT,
    )
    assert (
        entry.label
        == {"total": "Please transfer", "invoice_number": "Invoice no.", "invoice_date": "Date"}[
            field
        ]
    )
    assert entry.supplier_kind == "vat"
    assert entry.supplier_key == "ATU13585627"
    assert all(0 <= v <= 1 for v in entry.value_box)
