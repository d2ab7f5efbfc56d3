"""Single sign-on against a local OpenID Connect provider: Authorization Code + PKCE, the ID
token checked (signature, issuer, audience, nonce), the claim mapped to an enabled user."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.root import App
from schemas.web_options import OidcOptions, WebOptions
from tests.review_factory import add_person
from tests.web.oidc_provider import Provider, running
from web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running(Provider(client_id="bpo-review", client_secret="s3cret")) as p:
        yield p


@pytest.fixture
def client(runtime: App, provider: Provider) -> Iterator[TestClient]:
    options = OidcOptions(
        issuer=provider.base, client_id="bpo-review", client_secret_env="BPO_OIDC_SECRET"
    )
    config = runtime.config.model_copy(update={"web": WebOptions(oidc=options)})
    rt = App(
        settings=runtime.settings,
        config=config,
        engine=runtime.engine,
        environ={"BPO_OIDC_SECRET": "s3cret"},
    )
    add_person(rt, "alice")
    from access.users import update_user
    from store.db import transaction

    add_person(rt, "bo", clients=("globex",))
    with transaction(rt.engine) as session:
        update_user(session, name="bo", sso_subject="bo@globex.example")
    with TestClient(create_app(rt)) as c:
        yield c


def _through_provider(client: TestClient, next_url: str = "/") -> httpx.Response:
    """Start at /login/sso, let the provider answer, come back to the callback."""
    start = client.get(f"/login/sso?next={next_url}", follow_redirects=False)
    assert start.status_code == 303
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert "code_verifier" not in query
    back = httpx.get(authorize, follow_redirects=False)
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    return client.get(f"{callback.path}?{callback.query}", follow_redirects=False)


def test_sign_in_through_the_provider(client: TestClient, provider: Provider) -> None:
    assert "Sign in with single sign-on" in client.get("/login").text
    provider.person = {"email": "alice", "sub": "u-1"}
    done = _through_provider(client, "/clients/acme")
    assert done.status_code == 303
    assert done.headers["location"] == "/clients/acme"
    page = client.get("/clients/acme")
    assert page.status_code == 200
    assert 'id="reviewer">alice<' in page.text
    assert client.get("/clients/globex").status_code == 404  # still only her clients


def test_a_subject_maps_to_its_user(client: TestClient, provider: Provider) -> None:
    provider.person = {"email": "bo@globex.example"}
    assert _through_provider(client).status_code == 303
    assert 'id="reviewer">bo<' in client.get("/").text


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"wrong_key": True}, 401),
        ({"wrong_nonce": True}, 401),
        ({"person": {"email": "mallory@example.com"}}, 403),
        ({"person": {"sub": "no-email-claim"}}, 401),
    ],
)
def test_what_is_refused(
    client: TestClient, provider: Provider, change: dict[str, object], status: int
) -> None:
    provider.person = {"email": "alice"}
    for key, value in change.items():
        setattr(provider, key, value)
    refused = _through_provider(client)
    assert refused.status_code == status
    assert client.get("/", follow_redirects=False).status_code == 303  # not signed in


def test_a_callback_is_good_once(client: TestClient, provider: Provider) -> None:
    provider.person = {"email": "alice"}
    start = client.get("/login/sso", follow_redirects=False)
    back = httpx.get(start.headers["location"], follow_redirects=False)
    callback = urlsplit(back.headers["location"])
    assert (
        client.get(f"{callback.path}?{callback.query}", follow_redirects=False).status_code == 303
    )
    client.cookies.clear()
    again = client.get(f"{callback.path}?{callback.query}", follow_redirects=False)
    assert again.status_code == 401
