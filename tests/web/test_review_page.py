"""The reviewer page through FastAPI's TestClient: personal sign-in, sessions, CSRF,
throttling, who sees which client, roles, and the workbench's decisions."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from app.root import App
from store.audit import entries
from store.db import transaction
from store.models import ReviewItem
from tests.review_factory import GOOD_ROUTING, add_person, process_payroll
from web.app import create_app
from web.auth import COOKIE

with warnings.catch_warnings():
    # starlette nudges towards ``httpx2``; the httpx-based client works the same for these tests
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def people(runtime: App) -> dict[str, str]:
    """Tokens of ann (acme reviewer), bob (acme reviewer), gus (globex reviewer), lee (acme
    lead), quinn (acme QA), fay (acme finance), ada (admin)."""
    return {
        "ann": add_person(runtime, "ann"),
        "bob": add_person(runtime, "bob"),
        "gus": add_person(runtime, "gus", clients=("globex",)),
        "lee": add_person(runtime, "lee", "lead", ("acme",)),
        "quinn": add_person(runtime, "quinn", "qa", ("acme",)),
        "fay": add_person(runtime, "fay", "finance", ("acme",)),
        "ada": add_person(runtime, "ada", "admin", ()),
    }


@pytest.fixture
def client(runtime: App, people: dict[str, str]) -> Iterator[TestClient]:
    process_payroll(runtime, rows=20, every=5)
    process_payroll(runtime, client_id="globex", rows=10, every=5, seed=9, name="g.csv")
    with TestClient(create_app(runtime)) as c:
        c.people = people  # type: ignore[attr-defined]
        yield c


def sign_in(c: TestClient, name: str) -> str:
    """Sign in (as a script does: name and token only); returns the session's CSRF token."""
    r = c.post(
        "/login",
        data={"name": name, "token": c.people[name]},  # type: ignore[attr-defined]
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(c)


def csrf_of(c: TestClient) -> str:
    m = CSRF.search(c.get("/").text)
    assert m is not None
    return m.group(1)


def items(rt: App, client_id: str = "acme") -> list[ReviewItem]:
    with transaction(rt.engine) as session:
        return list(
            session.scalars(
                select(ReviewItem).where(ReviewItem.client_id == client_id).order_by(ReviewItem.id)
            )
        )


def test_pages_need_a_personal_sign_in(client: TestClient) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    r = client.get("/clients/acme", follow_redirects=False)
    assert r.headers["location"] == "/login?next=/clients/acme"
    bad = client.post("/login", data={"name": "ann", "token": client.people["bob"]})  # type: ignore[attr-defined]
    assert bad.status_code == 401
    assert client.post("/login", data={"name": "nobody", "token": "x"}).status_code == 401
    client.cookies.set(COOKIE, "forged-session-id")
    assert client.get("/", follow_redirects=False).status_code == 303
    sign_in(client, "ann")
    assert client.get("/").status_code == 200


def test_sign_in_rotates_the_session_and_marks_cookies(client: TestClient) -> None:
    who = {"name": "ann", "token": client.people["ann"]}  # type: ignore[attr-defined]

    def post_login(cookie: str) -> str:
        client.cookies.clear()
        r = client.post(
            "/login", data=who, headers={"Cookie": f"{COOKIE}={cookie}"}, follow_redirects=False
        )
        assert r.status_code == 303
        assert "HttpOnly" in r.headers["set-cookie"]
        assert "samesite=strict" in r.headers["set-cookie"].lower()
        assert "Secure" not in r.headers["set-cookie"]  # plain HTTP here
        return r.cookies[COOKIE]

    def signed_in(cookie: str) -> bool:
        client.cookies.clear()
        r = client.get("/", headers={"Cookie": f"{COOKIE}={cookie}"}, follow_redirects=False)
        return r.status_code == 200

    first = post_login("planted-before-sign-in")
    assert first != "planted-before-sign-in"
    assert signed_in(first)
    second = post_login(first)
    assert second != first
    assert signed_in(second)
    assert not signed_in(first)  # the session signed in over is over


def test_cookies_are_secure_over_https(runtime: App, people: dict[str, str]) -> None:
    with TestClient(create_app(runtime), base_url="https://review.example") as c:
        r = c.post("/login", data={"name": "ann", "token": people["ann"]}, follow_redirects=False)
        assert r.status_code == 303
        assert "Secure" in r.headers["set-cookie"]
        assert "Secure" in c.get("/login").headers["set-cookie"]


def test_every_post_needs_the_sessions_csrf_token(client: TestClient, runtime: App) -> None:
    csrf = sign_in(client, "ann")
    item = items(runtime)[0]
    url = f"/clients/acme/items/{item.id}"
    page = client.get(url).text
    forms = page.count("<form")
    assert forms >= 3
    assert page.count('name="csrf_token"') == forms
    assert client.post(f"{url}/claim").status_code == 403
    assert client.post(f"{url}/claim", data={"csrf_token": "wrong"}).status_code == 403
    assert client.post("/logout").status_code == 403
    assert client.post("/clients/acme/next").status_code == 403
    assert items(runtime)[0].status == "open"
    assert client.post(f"{url}/claim", data={"csrf_token": csrf}).status_code == 200
    assert items(runtime)[0].claimed_by == "ann"


def test_sign_in_form_token_and_other_sites(client: TestClient) -> None:
    page = client.get("/login").text
    token = CSRF.search(page)
    assert token is not None
    who = {"name": "ann", "token": client.people["ann"]}  # type: ignore[attr-defined]
    assert client.post("/login", data={**who, "csrf_token": "forged"}).status_code == 403
    other = client.post("/login", data=who, headers={"Origin": "http://127.0.0.1:9999"})
    assert other.status_code == 403
    cross = client.post("/login", data=who, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    ok = client.post("/login", data={**who, "csrf_token": token.group(1)}, follow_redirects=False)
    assert ok.status_code == 303


def test_five_failed_sign_ins_lock_the_name_for_five_minutes(
    client: TestClient, runtime: App
) -> None:
    for _ in range(5):
        assert client.post("/login", data={"name": "ann", "token": "guess"}).status_code == 401
    locked = client.post(
        "/login",
        data={"name": "ann", "token": client.people["ann"]},  # type: ignore[attr-defined]
    )
    assert locked.status_code == 429
    assert 250 <= int(locked.headers["Retry-After"]) <= 300
    for _ in range(5):  # unknown names are throttled alike: the answer tells nothing
        client.post("/login", data={"name": "zed", "token": "guess"})
    assert client.post("/login", data={"name": "zed", "token": "guess"}).status_code == 429
    sign_in(client, "bob")  # other names are not affected
    from store.access_models import SignInThrottle

    with transaction(runtime.engine) as session:  # five minutes later
        session.execute(update(SignInThrottle).values(locked_until=SignInThrottle.last_failure_at))
    sign_in(client, "ann")


def test_people_see_only_their_clients(client: TestClient, runtime: App) -> None:
    acme, globex = items(runtime)[0], items(runtime, "globex")[0]
    csrf = sign_in(client, "gus")
    home = client.get("/").text
    assert "/clients/globex" in home
    assert "/clients/acme" not in home
    assert client.get("/clients/acme").status_code == 404
    assert client.get(f"/clients/acme/items/{acme.id}").status_code == 404
    assert client.get(f"/clients/globex/items/{acme.id}").status_code == 404
    assert client.get(f"/clients/acme/items/{acme.id}/source/0.png").status_code == 404
    for verb in ("claim", "release", "decide", "escalate", "reassign"):
        r = client.post(
            f"/clients/acme/items/{acme.id}/{verb}",
            data={"csrf_token": csrf, "action": "reject", "reason": "x"},
        )
        assert r.status_code == 404, verb
    assert client.get(f"/clients/globex/items/{globex.id}").status_code == 200
    assert client.get("/clients/nobody").status_code == 404
    assert items(runtime)[0].status == "open"


@pytest.mark.parametrize(
    ("name", "queue", "claim"),
    [("ann", 200, 200), ("lee", 200, 200), ("quinn", 200, 403), ("fay", 404, 404)],
)
def test_roles_gate_actions(
    client: TestClient, runtime: App, name: str, queue: int, claim: int
) -> None:
    item = items(runtime)[0]
    csrf = sign_in(client, name)
    assert client.get("/clients/acme").status_code == queue
    r = client.post(f"/clients/acme/items/{item.id}/claim", data={"csrf_token": csrf})
    assert r.status_code == claim
    assert (items(runtime)[0].status == "claimed") == (claim == 200)
    assert client.get("/admin/users").status_code == 403


def test_escalated_items_are_for_leads_and_leads_reassign(client: TestClient, runtime: App) -> None:
    item = items(runtime)[0]
    url = f"/clients/acme/items/{item.id}"
    csrf = sign_in(client, "ann")
    client.post(f"{url}/claim", data={"csrf_token": csrf})
    r = client.post(f"{url}/escalate", data={"csrf_token": csrf, "reason": "looks like fraud"})
    assert r.status_code == 200
    assert items(runtime)[0].status == "escalated"
    refused = client.post(f"{url}/claim", data={"csrf_token": csrf})
    assert refused.status_code == 403
    assert "escalated" in refused.text
    csrf = sign_in(client, "bob")
    client.post(f"/clients/acme/items/{items(runtime)[1].id}/claim", data={"csrf_token": csrf})
    assert (
        client.post(
            f"/clients/acme/items/{items(runtime)[1].id}/reassign",
            data={"csrf_token": csrf, "to": "ann"},
        ).status_code
        == 403
    )
    csrf = sign_in(client, "lee")
    assert client.post(f"{url}/claim", data={"csrf_token": csrf}).status_code == 200
    second = items(runtime)[1]
    r = client.post(
        f"/clients/acme/items/{second.id}/reassign", data={"csrf_token": csrf, "to": "ann"}
    )
    assert r.status_code == 200
    assert items(runtime)[1].claimed_by == "ann"
    bad = client.post(
        f"/clients/acme/items/{second.id}/reassign", data={"csrf_token": csrf, "to": "gus"}
    )
    assert bad.status_code == 403  # gus does not work for acme
    with transaction(runtime.engine) as session:
        trail = [(e.actor, e.action) for e in entries(session, client_id="acme")]
    assert ("ann", "claim_refused") in trail
    assert ("bob", "reassign_refused") in trail
    assert ("lee", "reassign") in trail


def test_refused_claim_is_audited_and_refused_decision_takes_no_lease(
    client: TestClient, runtime: App
) -> None:
    first, second = items(runtime)[:2]
    csrf = sign_in(client, "ann")
    client.post(f"/clients/acme/items/{first.id}/claim", data={"csrf_token": csrf})
    csrf = sign_in(client, "bob")
    r = client.post(f"/clients/acme/items/{first.id}/claim", data={"csrf_token": csrf})
    assert r.status_code == 409
    assert "claimed by ann" in r.text
    refused = client.post(
        f"/clients/acme/items/{second.id}/decide",
        data={
            "csrf_token": csrf,
            "action": "correct",
            "f:routing_number": "123456789",
            "orig:routing_number": "*****0018",
            "reason": "typed by bob",
        },
    )
    assert refused.status_code == 422
    assert items(runtime)[1].status == "open"  # not taken by the refused decision
    third = items(runtime)[2]
    client.post(f"/clients/acme/items/{third.id}/claim", data={"csrf_token": csrf})
    lease = items(runtime)[2].lease_until
    again = client.post(
        f"/clients/acme/items/{third.id}/decide",
        data={
            "csrf_token": csrf,
            "action": "correct",
            "f:routing_number": "123456789",
            "orig:routing_number": "*****0018",
            "reason": "typed by bob",
        },
    )
    assert again.status_code == 422
    assert 'value="123456789"' in again.text  # what was typed is still there
    assert 'value="typed by bob"' in again.text
    assert items(runtime)[2].lease_until == lease  # nor renewed
    with transaction(runtime.engine) as session:
        trail = [(e.actor, e.action, e.review_item_id) for e in entries(session, client_id="acme")]
    assert ("bob", "claim_refused", first.id) in trail
    assert ("bob", "refused", second.id) in trail


def test_correct_then_next_item(client: TestClient, runtime: App) -> None:
    csrf = sign_in(client, "ann")
    r = client.post("/clients/acme/next", data={"csrf_token": csrf}, follow_redirects=False)
    first = items(runtime)[0]
    assert r.headers["location"].startswith(f"/clients/acme/items/{first.id}?")
    page = client.get(r.headers["location"]).text
    assert "America/New_York" not in page
    assert "EST" in page or "EDT" in page
    done = client.post(
        f"/clients/acme/items/{first.id}/decide",
        data={
            "csrf_token": csrf,
            "action": "correct",
            "f:routing_number": GOOD_ROUTING,
            "orig:routing_number": "*****0018",
            "f:account_number": "***0001",
            "orig:account_number": "***0001",  # untouched: ignored
            "then": "next",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    second = items(runtime)[1]
    assert done.headers["location"].startswith(f"/clients/acme/items/{second.id}?")
    assert items(runtime)[1].claimed_by == "ann"
    resolved = client.get(f"/clients/acme/items/{first.id}").text
    assert "payroll:" in resolved
    assert "0.45" in resolved
    assert items(runtime)[0].resolved_by == "ann"


def test_signing_out_disabling_and_rotating_end_sessions(client: TestClient, runtime: App) -> None:
    from access.users import rotate_token, set_enabled

    csrf = sign_in(client, "ann")
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 200
    assert client.get("/", follow_redirects=False).status_code == 303
    sign_in(client, "ann")
    import datetime as dt

    with transaction(runtime.engine) as session:
        set_enabled(session, name="ann", enabled=False, now=dt.datetime.now(dt.UTC))
    assert client.get("/", follow_redirects=False).status_code == 303
    assert (
        client.post(
            "/login",
            data={"name": "ann", "token": client.people["ann"]},  # type: ignore[attr-defined]
        ).status_code
        == 401
    )
    sign_in(client, "bob")
    with transaction(runtime.engine) as session:
        rotate_token(session, name="bob", now=dt.datetime.now(dt.UTC))
    assert client.get("/", follow_redirects=False).status_code == 303


def test_admin_adds_and_rotates_users_on_the_page(client: TestClient, runtime: App) -> None:
    csrf = sign_in(client, "ada")
    assert "/clients/acme" not in client.get("/").text  # admins manage people, not queues
    r = client.post(
        "/admin/users",
        data={"csrf_token": csrf, "name": "nia", "role": "reviewer", "clients": ["globex"]},
    )
    assert r.status_code == 200
    token = re.search(r'id="token">([^<]+)<', r.text)
    assert token is not None
    client.people["nia"] = token.group(1)  # type: ignore[attr-defined]
    assert client.post("/admin/users/nia/rotate", data={"csrf_token": csrf}).status_code == 200
    sign_in(client, "ada")
    with pytest.raises(AssertionError):
        sign_in(client, "nia")  # the first token no longer works
    with transaction(runtime.engine) as session:
        trail = [e.action for e in entries(session, client_id="*")]
    assert trail == ["user_add", "user_rotate"]
