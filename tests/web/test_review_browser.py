"""The reviewer page in a real headless Chromium (Debian's /usr/bin/chromium, never downloaded).

Log in, open the acme queue, claim a payroll row whose routing number fails its check digit,
correct it, and see the record completed and billed. With ``BPO_SCREENSHOT=1`` the item page is
saved to ``docs/review-page.png`` for the reviewer guide.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.root import App
from store.db import transaction
from store.models import ReviewItem, UsageEntry
from tests.review_factory import GOOD_ROUTING, process_payroll

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
TOKEN = "browser-token-1"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "review-page.png"

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
        create_app(runtime, token=TOKEN),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
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


def test_reviewer_corrects_a_payroll_row(runtime: App, server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    process_payroll(runtime, rows=10, every=5)
    with transaction(runtime.engine) as session:
        item = session.scalars(select(ReviewItem).order_by(ReviewItem.id)).first()
    assert item is not None
    assert item.reasons[0]["code"] == "PAY-ROUTING-CHECKSUM"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1000})
            page.goto(f"{server}/clients/acme")
            page.fill("input[name=name]", "ann")
            page.fill("input[name=token]", TOKEN)
            page.click("button[type=submit]")
            expect(page.locator("#reviewer")).to_have_text("ann")
            page.goto(f"{server}/clients/acme")
            page.click(f"#queue a[href='/clients/acme/items/{item.id}']")
            expect(page.locator("#fields")).to_contain_text("PAY-ROUTING-CHECKSUM")
            page.click("#claim")
            expect(page.locator("#status")).to_have_text("claimed")
            page.fill("#f-routing_number", GOOD_ROUTING)
            page.fill("#reason", "routing number confirmed with the client")
            if os.environ.get("BPO_SCREENSHOT"):
                SCREENSHOT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
            page.click("#save")
            expect(page.locator("#status")).to_have_text("resolved")
            expect(page.locator("#message")).to_contain_text("Record completed")
            expect(page.locator("#usage")).to_contain_text("payroll_payment")
        finally:
            browser.close()

    with transaction(runtime.engine) as session:
        billed = session.scalars(
            select(UsageEntry).where(
                UsageEntry.file_id == item.file_id, UsageEntry.record_index == item.record_index
            )
        ).all()
    assert [u.unit for u in billed] == ["payroll_payment"]
