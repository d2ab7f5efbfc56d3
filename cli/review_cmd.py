"""``bpo review``: the exception queue from the command line.

Review actions call the same plain functions as the Prefect form and the web page
(``review.acting``); none of them needs a Prefect server. ``--reviewer NAME`` must name an
enabled user (``bpo users``) assigned to the item's client whose role allows the action. The
command line runs on the operator's machine, so it trusts the name; the web page is where people
sign in with their own token. Refused actions (not allowed, someone else holds the item, rules
still fail) exit 1 with one line saying why; usage errors exit 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import actor_named, get_app
from cli.output import console, emit_json, fail
from review.lease import DEFAULT_LEASE_MINUTES

if TYPE_CHECKING:
    from review.corrections import Correction
    from review.decision import ReviewAction, ReviewOutcome

app = typer.Typer(help="Work the review queue.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the machine-readable answer.")]
ReviewerOpt = Annotated[
    str,
    typer.Option(
        "--reviewer", "-r", help="Your user name (bpo users): must be assigned to the client."
    ),
]
AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        "--reviewer",
        help="Show only what this user may see (default: everything, as the operator).",
    ),
]
ClientOpt = Annotated[str | None, typer.Option("--client", "-c", help="Only this client.")]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _show_outcome(outcome: ReviewOutcome, json_out: bool) -> None:
    if json_out:
        emit_json(outcome.as_dict())
        return
    console.print(
        f"item {outcome.item_id}: {outcome.status}, record {outcome.record_state}, "
        f"{outcome.billed} usage entr{'y' if outcome.billed == 1 else 'ies'} written",
        highlight=False,
    )
    for url in outcome.outputs:
        console.print(f"  wrote {url}", highlight=False)


def _item_line(view: dict[str, Any], json_out: bool, verb: str) -> None:
    if json_out:
        emit_json(view)
    else:
        console.print(
            f"{verb} item {view['id']} ({view['client_id']} {view['doc_type']} "
            f"{view['record_key']}), due {view['due_at'] or '-'}",
            highlight=False,
        )


@app.command("list")
def list_cmd(
    client: ClientOpt = None,
    status: Annotated[
        str | None, typer.Option(help="open, claimed, resolved, rejected, escalated.")
    ] = None,
    as_user: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Items waiting for a person, by priority and due time, with their aging (PII masked)."""
    from rich.table import Table

    from review.sla import schedule_due_times
    from review.views import list_items
    from store.db import transaction

    rt = get_app()
    # The actor's own rule (review.acting's, without importing what decisions need).
    scope = actor_named(as_user).queues(rt.config.clients) if as_user else None
    with transaction(rt.engine) as session:
        schedule_due_times(session, clients=rt.config.clients)
        items = list_items(
            session,
            client_id=client,
            status=status,
            clients=rt.config.clients,
            client_ids=scope,
        )
    if json_out:
        emit_json(items)
        return
    table = Table(
        "id", "client", "type", "file", "record", "status", "due", "age h", "biz h", "reasons"
    )
    for it in items:
        table.add_row(
            str(it["id"]),
            it["client_id"],
            it["doc_type"],
            it["file"],
            it["record_key"],
            it["status"] + (f" ({it['claimed_by']})" if it["claimed_by"] else ""),
            ("[red]" if it["overdue"] else "") + str(it["due_local"] or it["due_at"] or ""),
            str(it["age_hours"]),
            str(it["age_business_hours"] or ""),
            ", ".join(r["code"] for r in it["reasons"]),
        )
    console.print(table)


@app.command("show")
def show_cmd(
    item_id: int, client: ClientOpt = None, as_user: AsOpt = None, json_out: JsonOpt = False
) -> None:
    """One item with its reasons and (masked) values."""
    from rich.table import Table

    from review.acting import HiddenError, visible_item
    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    actor = actor_named(as_user) if as_user else None
    with transaction(rt.engine) as session:
        try:
            if actor is not None:
                visible_item(session, actor, item_id, client)
        except HiddenError as exc:
            fail(str(exc), code=1)
        item = get_item(session, item_id, client_id=client, clients=rt.config.clients)
    if item is None:
        fail(f"no review item {item_id}", code=1)
    if json_out:
        emit_json(item)
        return
    console.print(
        f"[bold]#{item['id']}[/] {item['client_id']} {item['doc_type']} {item['file']} "
        f"record {item['record_key']} ({item['status']})",
        highlight=False,
    )
    for r in item["reasons"]:
        console.print(f"  [red]{r['code']}[/] {r['field']}: {r['message']}", highlight=False)
    table = Table("field", "value")
    for k, v in item["fields"].items():
        table.add_row(k, str(v))
    console.print(table)


@app.command("claim")
def claim_cmd(
    reviewer: ReviewerOpt,
    item_id: Annotated[
        int | None, typer.Argument(help="Item to claim; none: the next one.")
    ] = None,
    client: ClientOpt = None,
    lease_minutes: Annotated[int, typer.Option(min=1, max=480)] = DEFAULT_LEASE_MINUTES,
    json_out: JsonOpt = False,
) -> None:
    """Claim an item (no ID: the next of your clients by priority and due time) under a
    lease."""
    from review import acting
    from review.queue import ReviewRefusedError
    from review.sla import schedule_due_times
    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    actor = actor_named(reviewer)
    lease = dt.timedelta(minutes=lease_minutes)
    with transaction(rt.engine) as session:
        schedule_due_times(session, clients=rt.config.clients)
    try:
        if item_id is None:
            item = acting.claim_next(
                rt.engine,
                actor,
                now=_now(),
                clients=rt.config.clients,
                client_id=client,
                lease=lease,
            )
            if item is None:
                fail("the queue is empty", code=1)
        else:
            item = acting.claim(
                rt.engine, actor, item_id=item_id, now=_now(), client_id=client, lease=lease
            )
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
    with transaction(rt.engine) as session:
        view = get_item(session, item.id, clients=rt.config.clients)
    assert view is not None
    _item_line(view, json_out, "claimed")


def _parse_set(values: list[str]) -> list[Correction]:
    from review.corrections import parse_correction

    out = []
    for v in values:
        correction = parse_correction(v)
        if correction is None:
            fail(f"--set expects FIELD=VALUE, got {v!r}")
        out.append(correction)
    return out


@app.command("resolve")
def resolve_cmd(
    item_id: int,
    reviewer: ReviewerOpt,
    set_: Annotated[list[str] | None, typer.Option("--set", help="FIELD=VALUE (repeat).")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Accept the record as it is.")] = False,
    reason: Annotated[str | None, typer.Option(help="Why (required with --approve).")] = None,
    client: ClientOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Correct (--set ...) or approve (--approve --reason) an item; it is re-validated,
    completed, written out and billed once."""
    from review.decision import ReviewAction

    if bool(set_) == approve:
        fail("give either --set FIELD=VALUE ... or --approve --reason TEXT")
    if approve and not reason:
        fail("--approve needs --reason")
    corrections = _parse_set(set_ or [])
    action = ReviewAction.APPROVE if approve else ReviewAction.CORRECT
    _decide(item_id, reviewer, action, corrections, reason, client, json_out)


@app.command("reject")
def reject_cmd(
    item_id: int,
    reviewer: ReviewerOpt,
    reason: Annotated[str, typer.Option(help="Why the record cannot be completed.")],
    client: ClientOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Reject an item: its record ends rejected and is never billed."""
    from review.decision import ReviewAction

    _decide(item_id, reviewer, ReviewAction.REJECT, [], reason, client, json_out)


def _decide(
    item_id: int,
    reviewer: str,
    action: ReviewAction,
    corrections: list[Correction],
    reason: str | None,
    client: str | None,
    json_out: bool,
) -> None:
    from review.acting import decide
    from review.queue import ReviewRefusedError

    rt = get_app()
    actor = actor_named(reviewer)
    try:
        outcome = decide(
            rt,
            actor,
            item_id=item_id,
            action=action,
            corrections=corrections,
            reason=reason,
            client_id=client,
        )
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
    _announce(outcome, reviewer)
    _show_outcome(outcome, json_out)


def _announce(outcome: ReviewOutcome, reviewer: str) -> None:
    """``bpo.review.resolved|rejected`` when a Prefect server is configured (starting the
    temporary API for one event would cost the command seconds)."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        return
    from flows.operators import announce_review

    announce_review(outcome, reviewer)


@app.command("release")
def release_cmd(
    item_id: int, reviewer: ReviewerOpt, client: ClientOpt = None, json_out: JsonOpt = False
) -> None:
    """Give a claimed item back to the queue (a lead may release anyone's claim)."""
    from review.acting import release
    from review.queue import ReviewRefusedError
    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    actor = actor_named(reviewer)
    try:
        item = release(rt.engine, actor, item_id=item_id, now=_now(), client_id=client)
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
    with transaction(rt.engine) as session:
        view = get_item(session, item.id, clients=rt.config.clients)
    assert view is not None
    _item_line(view, json_out, "released")


@app.command("escalate")
def escalate_cmd(
    item_id: int,
    reviewer: ReviewerOpt,
    reason: Annotated[str, typer.Option(help="What a senior reviewer should look at.")],
    client: ClientOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Send an item to the front of the queue for a lead."""
    from review.acting import escalate
    from review.queue import ReviewRefusedError
    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    actor = actor_named(reviewer)
    try:
        item = escalate(
            rt.engine, actor, item_id=item_id, reason=reason, now=_now(), client_id=client
        )
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
    with transaction(rt.engine) as session:
        view = get_item(session, item.id, clients=rt.config.clients)
    assert view is not None
    _item_line(view, json_out, "escalated")


@app.command("reassign")
def reassign_cmd(
    item_id: int,
    reviewer: ReviewerOpt,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Who takes the item (none: back to the queue)."),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why (audited).")] = None,
    client: ClientOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """A lead gives an item (claimed or not) to another reviewer, or back to the queue."""
    from review.acting import reassign, release
    from review.queue import ReviewRefusedError
    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    actor = actor_named(reviewer)
    try:
        if to is None:
            item = release(rt.engine, actor, item_id=item_id, now=_now(), client_id=client)
        else:
            item = reassign(
                rt.engine,
                actor,
                item_id=item_id,
                to=to,
                now=_now(),
                client_id=client,
                reason=reason,
            )
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
    with transaction(rt.engine) as session:
        view = get_item(session, item.id, clients=rt.config.clients)
    assert view is not None
    _item_line(view, json_out, f"gave {to}" if to else "released")


@app.command("audit")
def audit_cmd(
    client: Annotated[
        str, typer.Option("--client", "-c", help="The client ('*': changes to user accounts).")
    ],
    out: Annotated[Path, typer.Option(help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    json_out: JsonOpt = False,
) -> None:
    """Export a client's audit trail (who, when, field, before, after, why; PII masked)."""
    from store.audit import export_audit
    from store.db import transaction

    if fmt not in ("csv", "json"):
        fail("--format must be csv or json")
    rt = get_app()
    if client not in rt.config.clients and client != "*":  # '*': changes to user accounts
        fail(f"unknown client {client!r}")
    with transaction(rt.engine) as session:
        n = export_audit(session, client_id=client, fmt=fmt, out=out)  # type: ignore[arg-type]
    if json_out:
        emit_json({"client_id": client, "rows": n, "path": str(out)})
    else:
        console.print(f"{n} audit rows -> {out}", highlight=False)


@app.command("qa-sample")
def qa_sample_cmd(client: ClientOpt = None, json_out: JsonOpt = False) -> None:
    """Sample auto-completed records into the QA queue (deterministic; re-runs add nothing)."""
    from review.qa import sample_completed
    from store.db import transaction

    rt = get_app()
    with transaction(rt.engine) as session:
        n = sample_completed(session, clients=rt.config.clients, now=_now(), client_id=client)
    if json_out:
        emit_json({"sampled": n})
    else:
        console.print(f"{n} new QA sample(s)")


@app.command("qa-list")
def qa_list_cmd(client: ClientOpt = None, json_out: JsonOpt = False) -> None:
    """Pending QA samples."""
    from rich.table import Table

    from review.qa import list_samples
    from store.db import transaction

    rt = get_app()
    with transaction(rt.engine) as session:
        rows = list_samples(session, client_id=client)
    if json_out:
        emit_json(rows)
        return
    table = Table("id", "client", "type", "file", "record", "status")
    for r in rows:
        table.add_row(
            str(r["id"]), r["client_id"], r["doc_type"], r["file"], r["record_key"], r["status"]
        )
    console.print(table)


@app.command("qa-record")
def qa_record_cmd(
    sample_id: int,
    reviewer: ReviewerOpt,
    outcome: Annotated[str, typer.Option(help="passed or failed.")],
    note: Annotated[str | None, typer.Option()] = None,
    client: ClientOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record a QA outcome (passed | failed) for a sample."""
    from review.acting import record_qa
    from review.queue import ReviewRefusedError

    outcome = {"pass": "passed", "fail": "failed"}.get(outcome, outcome)
    if outcome not in ("passed", "failed"):
        fail("--outcome must be passed or failed")
    rt = get_app()
    actor = actor_named(reviewer)
    try:
        sample = record_qa(
            rt.engine,
            actor,
            sample_id=sample_id,
            outcome=outcome,
            now=_now(),
            note=note,
            client_id=client,
        )
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
    result = {"id": sample.id, "status": sample.status, "reviewed_by": actor.name}
    if json_out:
        emit_json(result)
    else:
        console.print(f"QA sample {sample_id}: {outcome}")


@app.command("qa-stats")
def qa_stats_cmd(client: ClientOpt = None, json_out: JsonOpt = False) -> None:
    """QA accuracy per client and doc type (passed / decided samples)."""
    from rich.table import Table

    from review.qa import qa_stats
    from store.db import transaction

    rt = get_app()
    with transaction(rt.engine) as session:
        rows = qa_stats(session, client_id=client)
    if json_out:
        emit_json(rows)
        return
    table = Table("client", "type", "sampled", "pending", "passed", "failed", "accuracy")
    for r in rows:
        table.add_row(
            r["client_id"],
            r["doc_type"],
            str(r["sampled"]),
            str(r["pending"]),
            str(r["passed"]),
            str(r["failed"]),
            r["accuracy"] or "-",
        )
    console.print(table)


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8765,
    trust_proxy: Annotated[
        str | None,
        typer.Option(
            help="Addresses of a TLS-terminating proxy whose X-Forwarded-Proto/-For to honour "
            "(comma-separated, e.g. 127.0.0.1); none by default."
        ),
    ] = None,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="Serve HTTPS with this certificate (PEM).")
    ] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="The certificate's key (PEM).")] = None,
) -> None:
    """Serve the reviewer web page (long-running). People sign in with their name and personal
    token (bpo users add), or through single sign-on when [web.oidc] is configured."""
    if (ssl_certfile is None) != (ssl_keyfile is None):
        fail("give both --ssl-certfile and --ssl-keyfile, or neither")
    import uvicorn

    from web.app import create_app

    rt = get_app()
    scheme = "https" if ssl_certfile else "http"
    console.print(f"review page on {scheme}://{host}:{port}/", highlight=False)
    uvicorn.run(
        create_app(rt),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=trust_proxy is not None,
        forwarded_allow_ips=trust_proxy or "",
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
    )
