"""Invoices and claims through the processing flows: states, outputs, billing once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.root import App
from flows.process import process_claims, process_invoices
from landing import source_copies
from samples.claims import ClaimSpec, LineSpec, interchange
from samples.claims import transaction as x12_transaction
from samples.invoices import Spec, encrypted_pdf, make_pdf, ubl_xml
from store.db import transaction
from store.models import ReviewItem, UsageEntry
from store.reconcile import reconcile


def write(workdir: Path, name: str, data: bytes) -> Path:
    path = workdir / name
    path.write_bytes(data)
    return path


def units(rt: App) -> dict[str, int]:
    with transaction(rt.engine) as s:
        rows = s.scalars(select(UsageEntry)).all()
    out: dict[str, int] = {}
    for r in rows:
        out[r.unit] = out.get(r.unit, 0) + r.quantity
    return out


def balanced(rt: App) -> bool:
    with transaction(rt.engine) as s:
        return all(b.ok for b in reconcile(s))


def test_invoice_pdf_completes_and_bills_invoice_and_lines(runtime: App, workdir: Path) -> None:
    pdf = write(workdir, "INV-1.pdf", make_pdf(Spec(number="INV-1"), layout="right", lang="en"))
    res = process_invoices(path=str(pdf), client_id="acme", name=pdf.name)
    assert (res.status, res.records, res.completed) == ("processed", 1, 1), res
    assert source_copies.read(runtime.state_dir, "acme", res.sha256) is None  # nothing to review
    assert any(o.endswith(".ap.csv") for o in res.outputs)
    assert units(runtime) == {"invoice": 1, "invoice_line": 2}
    again = process_invoices(path=str(pdf), client_id="acme", name="copy.pdf")
    assert again.status == "duplicate"
    assert units(runtime) == {"invoice": 1, "invoice_line": 2}
    assert balanced(runtime)


def test_same_invoice_in_another_file_goes_to_review(runtime: App, workdir: Path) -> None:
    spec = Spec(number="INV-77")
    first = write(workdir, "a.pdf", make_pdf(spec, layout="right", lang="en"))
    second = write(workdir, "a.xml", ubl_xml(spec))
    assert process_invoices(path=str(first), client_id="acme", name="a.pdf").completed == 1
    res = process_invoices(path=str(second), client_id="acme", name="a.xml")
    assert (res.completed, res.in_review) == (0, 1)
    with transaction(runtime.engine) as s:
        item = s.scalars(select(ReviewItem)).one()
    assert "INV-DUPLICATE" in {r["code"] for r in item.reasons}
    assert units(runtime)["invoice"] == 1
    assert balanced(runtime)


def test_invoice_breaking_a_rule_is_reviewed_not_billed(runtime: App, workdir: Path) -> None:
    bad = write(
        workdir,
        "bad.pdf",
        make_pdf(Spec(number="INV-9", total_text="999.99"), layout="table", lang="en"),
    )
    res = process_invoices(path=str(bad), client_id="acme", name="bad.pdf")
    assert (res.records, res.completed, res.in_review) == (1, 0, 1)
    assert units(runtime) == {}
    assert balanced(runtime)
    # its reviewers see the page: the document is kept for them, under its client
    kept = source_copies.read(runtime.state_dir, "acme", res.sha256)
    assert kept == bad.read_bytes()
    assert source_copies.read(runtime.state_dir, "globex", res.sha256) is None


def test_encrypted_pdf_is_quarantined(runtime: App, workdir: Path) -> None:
    path = write(workdir, "locked.pdf", encrypted_pdf())
    res = process_invoices(path=str(path), client_id="acme", name="locked.pdf")
    assert res.status == "quarantined"
    assert "INV-PDF-ENCRYPTED" in res.reason
    assert balanced(runtime)


def claims_file(n: int = 6) -> bytes:
    claims = [
        ClaimSpec(
            claim_id=f"PCN{i}",
            member_id=f"M{i:06d}",
            total="65.00",
            lines=[LineSpec(charge="40.00"), LineSpec(procedure="85025", charge="25.00")],
        )
        for i in range(n)
    ]
    claims[1].billing_npi = "1234567890"  # NPI check digit fails
    claims[2].total = "70.00"  # CLM02 != sum of lines
    return interchange([x12_transaction(claims)]).encode()


def test_837_acknowledged_queued_completed_and_billed(runtime: App, workdir: Path) -> None:
    path = write(workdir, "c.837", claims_file())
    res = process_claims(path=str(path), client_id="acme", name="c.837")
    assert (res.records, res.completed, res.in_review, res.rejected) == (6, 4, 2, 0)
    names = [Path(o).name for o in res.outputs]
    assert any(n.endswith(".999.x12") for n in names)
    assert any("277" in n for n in names)
    assert units(runtime) == {"claim": 4}  # claim_line has no rate for acme
    ack = next(Path(o.removeprefix("file://")) for o in res.outputs if o.endswith(".999.x12"))
    assert "AK9" in ack.read_text()
    again = process_claims(path=str(path), client_id="acme", name="c-again.837")
    assert again.status == "duplicate"
    assert units(runtime) == {"claim": 4}
    assert balanced(runtime)


def test_group_rejected_claims_end_rejected_not_reviewed(runtime: App, workdir: Path) -> None:
    text = claims_file(3).decode()
    broken = text.replace("GE*1*1~", "GE*1*999~")  # GS06 != GE02 rejects the group
    assert broken != text
    path = write(workdir, "g.837", broken.encode())
    res = process_claims(path=str(path), client_id="acme", name="g.837")
    assert (res.records, res.rejected, res.completed) == (3, 3, 0)
    assert units(runtime) == {}
    with transaction(runtime.engine) as s:
        statuses = set(s.scalars(select(ReviewItem.status)).all())
    assert statuses == {"rejected"}
    assert balanced(runtime)


def test_not_x12_is_quarantined(runtime: App, workdir: Path) -> None:
    path = write(workdir, "junk.x12", b"\x00\x01 binary garbage \xff" * 50)
    res = process_claims(path=str(path), client_id="acme", name="junk.x12")
    assert res.status == "quarantined"
    assert "ENV-NOT-X12" in res.reason


def test_claim_corrected_in_review_gets_its_status_and_is_billed_once(
    runtime: App, workdir: Path
) -> None:
    from flows.reviews import FieldCorrection, resolve_review_item
    from review.decision import ReviewAction
    from tests.review_factory import add_person

    add_person(runtime)
    path = write(workdir, "r.837", claims_file(4))
    res = process_claims(path=str(path), client_id="acme", name="r.837")
    assert (res.completed, res.in_review) == (2, 2)
    with transaction(runtime.engine) as s:
        item = next(
            i for i in s.scalars(select(ReviewItem)) if any("NPI" in r["code"] for r in i.reasons)
        )
    done = resolve_review_item(
        item_id=item.id,
        reviewer="ann",
        action=ReviewAction.CORRECT,
        corrections=[FieldCorrection(field="billing_npi", value="1234567893")],
    )
    status_files = [
        Path(o.removeprefix("file://")) for o in done.outputs if o.endswith(".277ca.csv")
    ]
    assert len(status_files) == 1
    assert f"review-{item.id}" in status_files[0].name
    text = status_files[0].read_text()
    assert "A2" in text
    assert item.record_key in text
    assert units(runtime) == {"claim": 3}
    again = process_claims(path=str(path), client_id="acme", name="r-again.837")
    assert again.status == "duplicate"
    assert units(runtime) == {"claim": 3}
    assert balanced(runtime)


def test_a_claims_file_broken_throughout_is_held_and_accepted_on_request(
    runtime: App, workdir: Path
) -> None:
    claims = [
        ClaimSpec(
            claim_id=f"PCN{i}",
            member_id=f"M{i:06d}",
            total="65.00",
            lines=[LineSpec(charge="40.00"), LineSpec(procedure="85025", charge="25.00")],
            billing_npi="1234567890" if i % 2 else "1245319599",  # half fail the check digit
        )
        for i in range(50)
    ]
    path = write(workdir, "claims.837", interchange([x12_transaction(claims)]).encode())
    held = process_claims(path=str(path), client_id="acme", name=path.name)
    assert (held.status, held.completed, held.in_review) == ("quarantined", 0, 0)
    assert held.reason.startswith("FILE-SYSTEMATIC-ERROR: ")
    assert "25 of 50 rows (50.0%)" in held.reason
    assert units(runtime) == {}
    with transaction(runtime.engine) as s:
        assert s.scalars(select(ReviewItem)).all() == []
    done = process_claims(path=str(path), client_id="acme", name=path.name, accept_systematic=True)
    assert (done.status, done.completed, done.in_review) == ("processed", 25, 25)
    assert balanced(runtime)


def test_an_invoice_csv_batch_broken_throughout_is_held(runtime: App, workdir: Path) -> None:
    import polars as pl

    rows = []
    for i in range(90):
        total = "30.00" if i % 3 else "31.00"  # a third of the totals disagree with the lines
        rows.append(
            {
                "invoice_number": f"C-{i}",
                "invoice_date": "2026-03-01",
                "vendor_name": "Acme Supplies",
                "buyer_name": "Globex",
                "currency": "EUR",
                "subtotal": "30.00",
                "tax_total": "0.00",
                "total": total,
                "description": "widgets",
                "quantity": "3",
                "unit_price": "10.00",
                "amount": "30.00",
            }
        )
    path = write(workdir, "batch.csv", pl.DataFrame(rows).write_csv().encode())
    res = process_invoices(path=str(path), client_id="acme", name=path.name)
    assert res.status == "quarantined", res
    assert res.reason.startswith("FILE-SYSTEMATIC-ERROR: ")
    assert "BR-CO-15 fails on 30 of 90 rows (33.3%)" in res.reason
    assert units(runtime) == {}
