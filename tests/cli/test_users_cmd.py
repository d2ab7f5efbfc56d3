"""``bpo users``: the DESIGN.md contract, tokens shown once and stored hashed, disable and
rotate taking effect at once."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from access.users import check_token
from app.root import App
from cli.main import app
from store.access_models import User
from store.audit import entries
from store.db import transaction

runner = CliRunner()


def bpo(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    # A script reads a --json answer from stdout alone (log lines go to stderr); an error
    # is told on stderr.
    answered = "--json" in args and result.exit_code == 0
    return result.exit_code, result.stdout if answered else result.output


def signs_in(rt: App, name: str, token: str) -> bool:
    with transaction(rt.engine) as session:
        return check_token(session, name=name, token=token) is not None


def test_add_prints_the_token_once_and_stores_its_hash(runtime: App) -> None:
    code, out = bpo("users", "add", "alice", "--role", "reviewer", "--clients", "acme", "--json")
    assert code == 0, out
    answer = json.loads(out)
    assert set(answer) == {"name", "role", "clients", "token"}
    assert (answer["name"], answer["role"], answer["clients"]) == ("alice", "reviewer", ["acme"])
    token = answer["token"]
    assert len(token) >= 40
    with transaction(runtime.engine) as session:
        user = session.scalars(select(User).where(User.name == "alice")).one()
        assert user.token_hash.startswith("$argon2id$")
        assert token not in user.token_hash
    assert signs_in(runtime, "alice", token)
    assert not signs_in(runtime, "alice", token + "x")
    code, out = bpo("users", "list", "--json")
    assert code == 0
    (listed,) = json.loads(out)
    assert listed["name"] == "alice"
    assert listed["enabled"] is True
    assert token not in out
    assert "argon2" not in out


def test_add_refuses_what_it_cannot_do(runtime: App) -> None:
    assert bpo("users", "add", "alice", "--role", "reviewer", "--clients", "acme")[0] == 0
    code, out = bpo("users", "add", "Alice", "--role", "reviewer")
    assert code == 1
    assert "exists" in out
    assert bpo("users", "add", "bob", "--role", "boss")[0] == 1
    code, out = bpo("users", "add", "bob", "--role", "reviewer", "--clients", "acme,nope")
    assert code == 2
    assert "nope" in out
    assert bpo("users", "add", "bad name!", "--role", "reviewer")[0] == 1
    code, out = bpo("users", "add", "fin", "--role", "finance", "--clients", "*", "--json")
    assert code == 0
    assert json.loads(out)["clients"] == ["*"]


def test_rotate_and_disable_take_effect_at_once(runtime: App) -> None:
    _, out = bpo("users", "add", "alice", "--role", "lead", "--clients", "acme,globex", "--json")
    old = json.loads(out)["token"]
    code, out = bpo("users", "rotate", "alice", "--json")
    assert code == 0
    new = json.loads(out)["token"]
    assert new != old
    assert json.loads(out)["clients"] == ["acme", "globex"]
    assert not signs_in(runtime, "alice", old)
    assert signs_in(runtime, "alice", new)
    assert bpo("users", "disable", "alice")[0] == 0
    assert not signs_in(runtime, "alice", new)
    assert bpo("users", "enable", "alice")[0] == 0
    assert signs_in(runtime, "alice", new)
    assert bpo("users", "rotate", "nobody")[0] == 1
    assert bpo("users", "disable", "nobody")[0] == 1
    code, out = bpo("users", "update", "alice", "--role", "reviewer", "--clients", "globex")
    assert code == 0
    _, out = bpo("users", "list", "--json")
    assert json.loads(out)[0]["clients"] == ["globex"]
    with transaction(runtime.engine) as session:
        trail = [e.action for e in entries(session, client_id="*")]
    assert trail == [
        "user_add",
        "user_rotate",
        "user_disable",
        "user_enable",
        "user_update",
    ]
    code, out = bpo("review", "audit", "--client", "*", "--format", "json", "--out", "acc.json")
    assert code == 0, out
