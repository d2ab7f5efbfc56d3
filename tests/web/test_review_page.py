"""The reviewer page through FastAPI's TestClient: login, queue, item, correction, isolation."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.root import App
from store.db import transaction
from store.models import ReviewItem
from tests.review_factory import GOOD_ROUTING, process_payroll
from web.app import create_app
from web.auth import COOKIE, ReviewerAuth

with warnings.catch_warnings():
    # starlette nudges towards ``httpx2``; the httpx-based client works the same for these tests
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "team-token-123"


@pytest.fixture
def client(runtime: App) -> Iterator[TestClient]:
    process_payroll(runtime, rows=10, every=5)
    with TestClient(create_app(runtime, token=TOKEN)) as c:
        yield c


def _login(c: TestClient, name: str = "ann") -> None:
    r = c.post("/login", data={"name": name, "token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303


def _first(rt: App) -> ReviewItem:
    with transaction(rt.engine) as session:
        item = session.scalars(select(ReviewItem).order_by(ReviewItem.id)).first()
    assert item is not None
    return item


def test_pages_need_a_login_and_the_right_token(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    bad = client.post("/login", data={"name": "ann", "token": "wrong-token"})
    assert bad.status_code == 401
    client.cookies.set(COOKIE, "ann|99999999999|forged")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_cookie_expires() -> None:
    auth = ReviewerAuth(TOKEN)
    cookie = auth.issue("ann", now=1000.0)
    assert auth.reviewer(cookie, now=1001.0) == "ann"
    assert auth.reviewer(cookie, now=1000.0 + 13 * 3600) is None


def test_queue_and_item_mask_pii(client: TestClient, runtime: App) -> None:
    _login(client)
    item = _first(runtime)
    queue = client.get("/clients/acme")
    assert queue.status_code == 200
    assert item.record_key in queue.text
    page = client.get(f"/clients/acme/items/{item.id}")
    assert "PAY-ROUTING-CHECKSUM" in page.text
    assert item.fields["account_number"] not in page.text
    assert "*****0018" in page.text


def test_claim_correct_complete_and_billed(client: TestClient, runtime: App) -> None:
    _login(client)
    item = _first(runtime)
    url = f"/clients/acme/items/{item.id}"
    assert client.post(f"{url}/claim").status_code == 200
    refused = client.post(
        f"{url}/decide",
        data={
            "action": "correct",
            "f:routing_number": "123456789",
            "orig:routing_number": "*****0018",
        },
    )
    assert refused.status_code == 422
    assert "PAY-ROUTING" in refused.text
    done = client.post(
        f"{url}/decide",
        data={
            "action": "correct",
            "f:routing_number": GOOD_ROUTING,
            "orig:routing_number": "*****0018",
            "f:account_number": "***0001",
            "orig:account_number": "***0001",  # untouched: ignored
        },
    )
    assert done.status_code == 200
    assert "Record completed; 1 usage entry written." in done.text
    assert "payroll:" in done.text
    assert "0.45" in done.text


def test_another_reviewer_cannot_take_a_claimed_item(client: TestClient, runtime: App) -> None:
    item = _first(runtime)
    _login(client, "ann")
    client.post(f"/clients/acme/items/{item.id}/claim")
    _login(client, "bob")
    r = client.post(f"/clients/acme/items/{item.id}/claim")
    assert r.status_code == 409
    assert "claimed by ann" in r.text
    r = client.post(
        f"/clients/acme/items/{item.id}/decide", data={"action": "reject", "reason": "x"}
    )
    assert r.status_code == 409


def test_other_clients_items_are_not_reachable(client: TestClient, runtime: App) -> None:
    _login(client)
    item = _first(runtime)
    assert client.get(f"/clients/globex/items/{item.id}").status_code == 404
    assert client.get("/clients/nobody").status_code == 404
