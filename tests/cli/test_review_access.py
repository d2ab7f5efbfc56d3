"""``bpo review ... --reviewer NAME``: the name must be an enabled user assigned to the item's
client whose role allows the action; anything else exits 1 with one line and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.root import App
from cli.main import app
from store.audit import entries
from store.db import transaction
from store.models import ReviewItem
from store.qa_models import QaSample
from tests.review_factory import GOOD_ROUTING, add_person, process_payroll

runner = CliRunner()


def bpo(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    # A script reads a --json answer from stdout alone (log lines go to stderr); an error
    # is told on stderr.
    answered = "--json" in args and result.exit_code == 0
    return result.exit_code, result.stdout if answered else result.output


@pytest.fixture
def queue(runtime: App) -> dict[str, list[int]]:
    """Four acme items and two globex items; people of every role."""
    process_payroll(runtime, rows=20, every=5)
    process_payroll(runtime, client_id="globex", rows=10, every=5, seed=9, name="g.csv")
    add_person(runtime, "ann")
    add_person(runtime, "gus", clients=("globex",))
    add_person(runtime, "lee", "lead", ("acme",))
    add_person(runtime, "quinn", "qa", ("acme",))
    add_person(runtime, "fay", "finance", ("acme",))
    add_person(runtime, "ada", "admin", ("*",))
    add_person(runtime, "old", "reviewer", ("acme",))
    bpo("users", "disable", "old")
    with transaction(runtime.engine) as session:
        rows = session.scalars(select(ReviewItem).order_by(ReviewItem.id)).all()
        return {c: [i.id for i in rows if i.client_id == c] for c in ("acme", "globex")}


def status(rt: App, item_id: int) -> tuple[str, str | None]:
    with transaction(rt.engine) as session:
        item = session.get(ReviewItem, item_id)
        assert item is not None
        return item.status, item.claimed_by


@pytest.mark.parametrize(
    ("who", "allowed", "why"),
    [
        ("ann", True, ""),
        ("lee", True, ""),
        ("gus", False, "no review item"),  # another client's reviewer: as if it did not exist
        ("quinn", False, "may not claim"),
        ("fay", False, "no review item"),  # finance does not see the queue at all
        ("ada", False, "no review item"),
        ("old", False, "no enabled user"),
        ("nobody", False, "no enabled user"),
    ],
)
def test_claim_per_role_and_client(
    runtime: App, queue: dict[str, list[int]], who: str, allowed: bool, why: str
) -> None:
    item = queue["acme"][0]
    code, out = bpo("review", "claim", str(item), "--reviewer", who, "--json")
    if allowed:
        assert code == 0, out
        assert json.loads(out)["claimed_by"] == who
        assert status(runtime, item) == ("claimed", who)
        return
    assert code == 1
    assert why in out
    assert len(out.strip().splitlines()) == 1
    assert status(runtime, item) == ("open", None)


def test_decisions_need_an_assigned_user(runtime: App, queue: dict[str, list[int]]) -> None:
    acme = queue["acme"][0]
    for who in ("gus", "quinn", "nobody"):
        code, out = bpo(
            "review",
            "resolve",
            str(acme),
            "--reviewer",
            who,
            "--set",
            f"routing_number={GOOD_ROUTING}",
        )
        assert code == 1, out
        code, _ = bpo("review", "reject", str(acme), "--reviewer", who, "--reason", "x")
        assert code == 1
    assert status(runtime, acme) == ("open", None)
    code, out = bpo(
        "review",
        "resolve",
        str(acme),
        "--reviewer",
        "ann",
        "--set",
        f"routing_number={GOOD_ROUTING}",
    )
    assert code == 0, out
    assert status(runtime, acme)[0] == "resolved"
    with transaction(runtime.engine) as session:
        trail = {(e.actor, e.action) for e in entries(session, client_id="acme")}
    assert ("quinn", "decide_refused") in trail
    assert ("gus", "decide_refused") in trail  # an attempt on another client's item is recorded
    assert ("ann", "correct") in trail


def test_a_refused_resolve_keeps_no_claim(runtime: App, queue: dict[str, list[int]]) -> None:
    item = queue["acme"][0]
    code, out = bpo(
        "review", "resolve", str(item), "--reviewer", "ann", "--set", "routing_number=123456789"
    )
    assert code == 1
    assert "still fails" in out
    assert status(runtime, item) == ("open", None)
    code, _ = bpo("review", "claim", str(item), "--reviewer", "lee")
    assert code == 0


def test_an_unknown_field_is_named_with_the_fields_and_releases_the_claim(
    runtime: App, queue: dict[str, list[int]]
) -> None:
    item = queue["acme"][0]
    code, out = bpo("review", "claim", str(item), "--reviewer", "ann")
    assert code == 0, out
    assert status(runtime, item) == ("claimed", "ann")
    code, out = bpo("review", "resolve", str(item), "--reviewer", "ann", "--set", "no_such_field=1")
    assert code == 1
    assert len(out.strip().splitlines()) == 1
    assert "no_such_field is not a field of this record" in out
    assert "still fails" not in out
    for existing in ("employee_id", "routing_number", "net_pay"):
        assert existing in out
    assert "claim was released" in out
    assert status(runtime, item) == ("open", None)
    code, _ = bpo("review", "claim", str(item), "--reviewer", "lee")
    assert code == 0  # someone else can take it at once


def test_claim_next_stays_in_the_users_clients(runtime: App, queue: dict[str, list[int]]) -> None:
    for expected in queue["globex"]:
        code, out = bpo("review", "claim", "--reviewer", "gus", "--json")
        assert code == 0, out
        assert json.loads(out)["id"] == expected
    code, out = bpo("review", "claim", "--reviewer", "gus")
    assert code == 1
    assert "empty" in out
    code, out = bpo("review", "claim", "--reviewer", "gus", "--client", "acme")
    assert code == 1


def test_escalated_items_go_to_leads(runtime: App, queue: dict[str, list[int]]) -> None:
    first, second = queue["acme"][:2]
    assert bpo("review", "escalate", str(first), "--reviewer", "ann", "--reason", "odd")[0] == 0
    code, out = bpo("review", "claim", str(first), "--reviewer", "ann")
    assert code == 1
    assert "escalated" in out
    code, out = bpo("review", "claim", "--reviewer", "ann", "--json")
    assert json.loads(out)["id"] == second  # the next skips what only a lead may take
    code, out = bpo("review", "claim", "--reviewer", "lee", "--json")
    assert json.loads(out)["id"] == first
    assert bpo("review", "release", str(second), "--reviewer", "gus")[0] == 1
    code, out = bpo("review", "reassign", str(second), "--reviewer", "ann", "--to", "lee")
    assert code == 1  # only leads reassign
    code, out = bpo("review", "reassign", str(second), "--reviewer", "lee", "--to", "gus")
    assert code == 1  # gus does not work for acme
    code, out = bpo("review", "reassign", str(second), "--reviewer", "lee", "--to", "lee")
    assert code == 0, out
    assert status(runtime, second) == ("claimed", "lee")


def test_list_and_show_as_a_user(runtime: App, queue: dict[str, list[int]]) -> None:
    code, out = bpo("review", "list", "--json")
    assert {i["client_id"] for i in json.loads(out)} == {"acme", "globex"}  # the operator
    code, out = bpo("review", "list", "--as", "gus", "--json")
    assert {i["client_id"] for i in json.loads(out)} == {"globex"}
    assert all(i["due_local"] for i in json.loads(out))
    code, out = bpo("review", "list", "--as", "fay", "--json")
    assert json.loads(out) == []
    code, _ = bpo("review", "show", str(queue["acme"][0]), "--as", "gus")
    assert code == 1
    code, _ = bpo("review", "show", str(queue["globex"][0]), "--as", "gus", "--json")
    assert code == 0


def test_qa_outcomes_are_for_qa(runtime: App, queue: dict[str, list[int]]) -> None:
    import datetime as dt

    with transaction(runtime.engine) as session:
        item = session.get(ReviewItem, queue["acme"][0])
        assert item is not None
        sample = QaSample(
            client_id="acme",
            doc_type="payroll",
            file_id=item.file_id,
            record_index=0,
            record_key="E1",
            sampled_at=dt.datetime.now(dt.UTC),
        )
        session.add(sample)
        session.flush()
        sample_id = sample.id
    for who in ("ann", "lee", "gus"):
        code, _ = bpo(
            "review", "qa-record", str(sample_id), "--reviewer", who, "--outcome", "passed"
        )
        assert code == 1, who
    code, out = bpo(
        "review",
        "qa-record",
        str(sample_id),
        "--reviewer",
        "quinn",
        "--outcome",
        "passed",
        "--json",
    )
    assert code == 0, out
    assert json.loads(out)["reviewed_by"] == "quinn"


def test_billing_as_a_finance_user(runtime: App, queue: dict[str, list[int]]) -> None:
    export = (
        "billing",
        "export",
        "--client",
        "acme",
        "--period",
        "2026-01",
        "--json",
        "--allow-empty",
    )
    assert bpo(*export, "--as", "ann")[0] == 1
    assert bpo(*export, "--as", "nobody")[0] == 1
    code, out = bpo("billing", "export", "--client", "globex", "--period", "2026-01", "--as", "fay")
    assert code == 1
    assert "not assigned" in out
    code, out = bpo(*export, "--as", "fay", "--out", "acme.csv")
    assert code == 0, out
