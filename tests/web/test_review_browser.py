"""The reviewer page in a real headless Chromium (Debian's /usr/bin/chromium, never downloaded).

A reviewer signs in with their personal token and clears twenty payroll items with the
keyboard alone: the cursor starts in the flagged field, Enter saves the correction and opens
the next item, ``r`` rejects after a reason. The time per item is printed (not asserted: the
machine is shared). With ``BPO_SCREENSHOT=1`` the workbench pages are saved under ``docs/``
for the reviewer guide.
"""

from __future__ import annotations

import os
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.root import App
from samples.claims import ClaimSpec, LineSpec, simple_file
from samples.invoices import Spec, make_pdf
from store.db import transaction
from store.models import ReviewItem, UsageEntry
from tests.review_factory import GOOD_ROUTING, add_person, process_file, process_payroll

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCREENSHOTS = bool(os.environ.get("BPO_SCREENSHOT"))

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(runtime: App) -> Iterator[str]:
    import uvicorn

    from web.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the review page did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _sign_in(page: Any, server: str, name: str, token: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server}/clients/acme")
    page.keyboard.type(name)  # the name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    expect(page.locator("#reviewer")).to_have_text(name)


def test_a_reviewer_clears_twenty_items_with_the_keyboard(
    runtime: App, server: str, browser: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from playwright.sync_api import expect

    token = add_person(runtime, "ann")
    process_payroll(runtime, rows=20, all_bad_routing=True)
    with transaction(runtime.engine) as session:
        ids = list(session.scalars(select(ReviewItem.id).order_by(ReviewItem.id)))
    assert len(ids) == 20

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _sign_in(page, server, "ann", token)
    expect(page).to_have_url(f"{server}/clients/acme")
    page.keyboard.press("n")  # take the next item
    rejected = {4, 9, 14, 19}
    times = []
    for n, item_id in enumerate(ids):
        started = time.perf_counter()
        expect(page.locator("h1")).to_contain_text(f"Item {item_id}:")
        expect(page.locator("#status")).to_have_text("claimed")
        focused = page.locator("#f-routing_number")
        expect(focused).to_be_focused()
        if n == 0 and SCREENSHOTS:
            page.keyboard.type(GOOD_ROUTING)
            page.screenshot(path=str(DOCS / "review-page.png"), full_page=True)
            page.keyboard.press("Control+a")
        if n in rejected:
            page.keyboard.press("Escape")
            page.keyboard.press("r")
            expect(page.locator("#reason")).to_be_focused()
            page.keyboard.type("paid by cheque this period")
        else:
            page.keyboard.type(GOOD_ROUTING)
        page.keyboard.press("Enter")
        if n + 1 < len(ids):
            expect(page.locator("h1")).to_contain_text(f"Item {ids[n + 1]}:")
        else:
            expect(page.locator("#message")).to_contain_text("Nothing else is waiting")
        times.append(time.perf_counter() - started)

    with transaction(runtime.engine) as session:
        states = dict(
            session.execute(
                select(ReviewItem.status, func.count()).group_by(ReviewItem.status)
            ).all()
        )
        billed = session.scalar(select(func.count()).select_from(UsageEntry))
    assert states == {"resolved": 16, "rejected": 4}
    assert billed == 20 - len(ids) + 16  # the valid rows (none) plus each correction, once
    with capsys.disabled():
        print(
            f"\n20 items cleared by keyboard: {sum(times):.1f} s, median "
            f"{statistics.median(times) * 1000:.0f} ms an item (max "
            f"{max(times) * 1000:.0f} ms), page load and decision included"
        )


def test_workbench_shows_the_source(runtime: App, server: str, browser: Any) -> None:
    """The PDF page with its boxes and the claim's segments, as a browser draws them."""
    from playwright.sync_api import expect

    token = add_person(runtime, "ann")
    process_file(
        runtime,
        make_pdf(Spec(total_text="999.99")),
        client_id="acme",
        doc_type="invoices",
        name="supplier-0312.pdf",
    )
    claim = ClaimSpec(
        billing_npi="1234567890",
        total="80.00",
        lines=[LineSpec(), LineSpec(procedure="XYZ", pointers="3")],
    )
    process_file(runtime, simple_file([claim]), client_id="acme", doc_type="claims", name="c.837")
    with transaction(runtime.engine) as session:
        invoice, claim_item = session.scalars(select(ReviewItem).order_by(ReviewItem.id)).all()

    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    _sign_in(page, server, "ann", token)
    page.goto(f"{server}/clients/acme/items/{invoice.id}")
    page.click("#claim")
    expect(page.locator("#status")).to_have_text("claimed")
    image = page.locator("#page-0 img")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('#page-0 img').naturalWidth > 0")
    box = page.locator('#page-0 .box.flagged[data-field="total"]')
    expect(box).to_be_visible()
    expect(page.locator("#f-total")).to_be_focused()
    expect(box).to_have_class("box flagged by-value focus")  # the focused field's box
    shown = box.bounding_box()
    assert shown is not None
    assert shown["width"] > 10
    assert shown["height"] > 5
    page.fill("#f-total", "410.55")
    if SCREENSHOTS:
        page.screenshot(path=str(DOCS / "review-workbench.png"), full_page=False)

    page.goto(f"{server}/clients/acme/items/{claim_item.id}")
    page.click("#claim")
    flagged = page.locator("#segments li.flagged")
    expect(flagged.first).to_be_visible()
    assert any(t.startswith("NM1*85") for t in flagged.all_inner_texts())
    page.locator("#f-lines\\[1\\]\\.procedure_code").focus()
    expect(page.locator("#segments li.focus").first).to_contain_text("LX*2")
    if SCREENSHOTS:
        page.screenshot(path=str(DOCS / "review-claim.png"), full_page=False)
