"""The workbench: the source beside the fields (PDF page with boxes, X12 segments, the row
as sent), line items as a table, corrections from the form."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.root import App
from review.corrections import apply_corrections
from samples.claims import ClaimSpec, simple_file
from samples.invoices import Spec, make_pdf
from store.db import transaction
from store.models import ReviewItem
from tests.review_factory import add_person, process_file, process_payroll
from web.app import create_app
from web.workbench import corrections_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
    from starlette.datastructures import FormData

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(runtime: App) -> Iterator[TestClient]:
    tokens = {
        "ann": add_person(runtime, "ann"),
        "gus": add_person(runtime, "gus", clients=("globex",)),
    }
    with TestClient(create_app(runtime)) as c:
        c.tokens = tokens  # type: ignore[attr-defined]
        yield c


def sign_in(c: TestClient, name: str) -> str:
    r = c.post("/login", data={"name": name, "token": c.tokens[name]})  # type: ignore[attr-defined]
    assert r.status_code == 200
    m = CSRF.search(r.text)
    assert m is not None
    return m.group(1)


def only_item(rt: App, client_id: str = "acme") -> ReviewItem:
    with transaction(rt.engine) as session:
        return session.scalars(
            select(ReviewItem).where(ReviewItem.client_id == client_id).order_by(ReviewItem.id)
        ).first()  # type: ignore[return-value]


def test_pdf_item_shows_its_page_with_boxes(client: TestClient, runtime: App) -> None:
    process_file(
        runtime,
        make_pdf(Spec(total_text="999.99")),
        client_id="acme",
        doc_type="invoices",
        name="inv.pdf",
    )
    item = only_item(runtime)
    csrf = sign_in(client, "ann")
    url = f"/clients/acme/items/{item.id}"
    page = client.get(url).text
    assert f'src="{url}/source/0.png"' in page
    box = re.search(r'<div class="box flagged[^"]*"\s+data-field="total"', page)
    assert box is not None
    assert 'data-field="subtotal"' in page  # the other fields are boxed too
    png = client.get(f"{url}/source/0.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content[:4] == b"\x89PNG"
    assert client.get(f"{url}/source/7.png").status_code == 404
    sign_in(client, "gus")
    assert client.get(f"{url}/source/0.png").status_code == 404
    assert client.get(f"/clients/globex/items/{item.id}/source/0.png").status_code == 404
    # the line items are a table of inputs, and a correction of the total resolves the item
    csrf = sign_in(client, "ann")
    page = client.post(f"{url}/claim", data={"csrf_token": csrf}).text
    assert 'name="f:lines[1].amount" value="300.00"' in page
    assert 'name="f:lines[2].description"' in page  # the blank row that adds a line
    done = client.post(
        f"{url}/decide",
        data={"csrf_token": csrf, "action": "correct", "f:total": "410.55", "orig:total": "999.99"},
    )
    assert done.status_code == 200
    assert "resolved" in done.text


def test_a_page_over_the_reading_budgets_is_refused_not_rendered(runtime: App) -> None:
    from schemas.limits import ReadingLimits

    process_file(
        runtime,
        make_pdf(Spec(total_text="999.99")),
        client_id="acme",
        doc_type="invoices",
        name="inv.pdf",
    )
    item = only_item(runtime)
    # The same document read under budgets it does not fit (a client's tighter limits).
    tight = App(
        settings=runtime.settings,
        config=runtime.config.model_copy(
            update={"limits": ReadingLimits(max_operators_per_page=5)}
        ),
        engine=runtime.engine,
    )
    token = add_person(tight, "ann")
    try:
        with TestClient(create_app(tight)) as c:
            c.post("/login", data={"name": "ann", "token": token})
            url = f"/clients/acme/items/{item.id}"
            page = c.get(url)
            assert page.status_code == 200
            assert "The document cannot be shown" in page.text
            assert "max_operators_per_page" in page.text
            assert f'src="{url}/source/0.png"' not in page.text
            png = c.get(f"{url}/source/0.png")
            assert png.status_code == 422
            assert "max_operators_per_page" in png.text
    finally:
        if tight.__dict__.get("reader_pool") is not None:
            tight.reader_pool.close()


def test_a_scanned_item_shows_its_image_with_the_boxes_ocr_read(
    client: TestClient, runtime: App
) -> None:
    from samples.scans import scan

    original = make_pdf(Spec(total_text="999.99"))
    process_file(
        runtime,
        scan(original, fmt="png", dpi=150),
        client_id="acme",
        doc_type="invoices",
        name="scan.png",
    )
    item = only_item(runtime)
    sign_in(client, "ann")
    url = f"/clients/acme/items/{item.id}"
    page = client.get(url).text
    assert f'src="{url}/source/0.png"' in page
    # reported by the OCR reader (not found by value: an image has no text layer to search)
    total = re.search(
        r'<div class="box flagged"\s+data-field="total"\s+style="left: ([\d.]+)%; top: ([\d.]+)%',
        page,
    )
    assert total is not None, page[page.find('class="page"') :][:2000]
    # where the text layer of the same invoice prints the total (as a percent of the page)
    from readers.pdf_pages import page_sizes, words

    (width, height), *_ = page_sizes(original)
    printed = [w for w in words(original) if w.text == "999.99"]
    assert printed
    left, top = float(total.group(1)), float(total.group(2))
    assert any(
        abs(left - w.x0 / width * 100) < 2 and abs(top - w.top / height * 100) < 1.5
        for w in printed
    )
    png = client.get(f"{url}/source/0.png")
    assert png.status_code == 200
    assert png.content[:4] == b"\x89PNG"
    assert client.get(f"{url}/source/1.png").status_code == 404


def test_line_table_edits_keep_what_was_typed(client: TestClient, runtime: App) -> None:
    process_file(
        runtime,
        make_pdf(Spec(total_text="999.99")),
        client_id="acme",
        doc_type="invoices",
        name="inv.pdf",
    )
    item = only_item(runtime)
    csrf = sign_in(client, "ann")
    url = f"/clients/acme/items/{item.id}"
    client.post(f"{url}/claim", data={"csrf_token": csrf})
    refused = client.post(
        f"{url}/decide",
        data={
            "csrf_token": csrf,
            "action": "correct",
            "f:lines[0].amount": "46.00",
            "orig:lines[0].amount": "45.00",
            "f:lines[2].description": "Freight",
            "orig:lines[2].description": "",
            "f:lines[2].amount": "12.00",
            "orig:lines[2].amount": "",
            "remove:lines[1]": "on",
        },
    )
    assert refused.status_code == 422
    assert 'name="f:lines[0].amount" value="46.00"' in refused.text
    assert 'name="f:lines[2].description" value="Freight"' in refused.text
    assert re.search(r'name="remove:lines\[1\]"[^>]*checked', refused.text)
    assert only_item(runtime).status == "claimed"


def test_corrections_of_the_form() -> None:
    fields = {
        "total": "999.99",
        "diagnosis_codes": ["E1165"],
        "lines": [
            {"amount": "1.00", "modifiers": ["25"]},
            {"amount": "2.00", "modifiers": []},
        ],
    }
    form = FormData(
        [
            ("f:total", "999.99"),
            ("orig:total", "999.99"),
            ("f:lines[0].modifiers", "25, 59"),
            ("orig:lines[0].modifiers", "25"),
            ("f:lines[2].amount", "3.00"),
            ("orig:lines[2].amount", ""),
            ("f:lines[2].modifiers", ""),
            ("orig:lines[2].modifiers", ""),
            ("f:diagnosis_codes[1]", "I10"),
            ("orig:diagnosis_codes[1]", ""),
            ("remove:lines[1]", "on"),
        ]
    )
    corrections = corrections_of(form, fields)
    out, changes, problems = apply_corrections(fields, corrections)
    assert problems == []
    assert out["total"] == "999.99"
    assert out["diagnosis_codes"] == ["E1165", "I10"]
    assert out["lines"] == [
        {"amount": "1.00", "modifiers": ["25", "59"]},
        {"amount": "3.00", "modifiers": []},
    ]
    assert ("lines[1]", {"amount": "2.00", "modifiers": []}, None) in changes
    blank = FormData([("f:lines[2].amount", ""), ("orig:lines[2].amount", "")])
    assert corrections_of(blank, fields) == []  # an untouched blank row adds nothing


def test_claim_item_shows_its_segments(client: TestClient, runtime: App) -> None:
    data = simple_file([ClaimSpec(billing_npi="1234567890")])
    process_file(runtime, data, client_id="acme", doc_type="claims", name="c.837")
    item = only_item(runtime)
    assert any("NPI" in r["code"] for r in item.reasons)
    message = next(r["message"] for r in item.reasons if r["field"] == "billing_npi")
    assert message.startswith("The billing provider's NPI")  # plain words first
    assert message.endswith("(X12: 2010AA NM1*85 NM109)")  # where, last
    sign_in(client, "ann")
    page = client.get(f"/clients/acme/items/{item.id}").text
    flagged = re.findall(r'<li class="flagged"[^>]*><span class="code">([^<]+)<', page)
    assert any(s.startswith("NM1*85") for s in flagged)
    assert "MEMBER12345" not in page  # PHI stays masked in the segments too


def test_payroll_item_shows_the_row_as_sent(client: TestClient, runtime: App) -> None:
    process_payroll(runtime, client_id="globex", rows=10, every=5, seed=9, name="g.csv")
    item = only_item(runtime, "globex")
    sign_in(client, "gus")
    page = client.get(f"/clients/globex/items/{item.id}").text
    assert 'id="sent-row"' in page
    assert "<th>Emp #</th>" in page
    assert item.fields["account_number"] not in page
