"""``bpo review``: the exception queue from the command line.

Review actions call the same plain functions as the Prefect form and the web page; none of
them needs a Prefect server. Refused actions (someone else holds the item, rules still fail)
exit 1 with one line saying why; usage errors exit 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import get_app
from cli.output import console, emit_json, fail
from review.lease import DEFAULT_LEASE_MINUTES

if TYPE_CHECKING:
    from review.corrections import Correction
    from review.decision import ReviewAction, ReviewOutcome

app = typer.Typer(help="Work the review queue.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the machine-readable answer.")]
ReviewerOpt = Annotated[str, typer.Option("--reviewer", "-r", help="Your name (audited).")]
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
    json_out: JsonOpt = False,
) -> None:
    """Items waiting for a person, by priority and due time, with their aging (PII masked)."""
    from rich.table import Table

    from review.sla import schedule_due_times
    from review.views import list_items
    from store.db import transaction

    rt = get_app()
    with transaction(rt.engine) as session:
        schedule_due_times(session, clients=rt.config.clients)
        items = list_items(session, client_id=client, status=status, clients=rt.config.clients)
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
            ("[red]" if it["overdue"] else "") + str(it["due_at"] or "")[:16],
            str(it["age_hours"]),
            str(it["age_business_hours"] or ""),
            ", ".join(r["code"] for r in it["reasons"]),
        )
    console.print(table)


@app.command("show")
def show_cmd(item_id: int, client: ClientOpt = None, json_out: JsonOpt = False) -> None:
    """One item with its reasons and (masked) values."""
    from rich.table import Table

    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    with transaction(rt.engine) as session:
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
    """Claim an item (no ID: the next by priority and due time) under a lease."""
    from review.queue import ReviewRefusedError, claim_item, claim_next
    from review.sla import schedule_due_times
    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    lease = dt.timedelta(minutes=lease_minutes)
    try:
        with transaction(rt.engine) as session:
            schedule_due_times(session, clients=rt.config.clients)
            if item_id is None:
                item = claim_next(
                    session, reviewer=reviewer, now=_now(), client_id=client, lease=lease
                )
                if item is None:
                    fail("the queue is empty", code=1)
            else:
                item = claim_item(
                    session,
                    item_id=item_id,
                    reviewer=reviewer,
                    now=_now(),
                    client_id=client,
                    lease=lease,
                )
            view = get_item(session, item.id)
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
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
    from review.decision import resolve_item
    from review.queue import ReviewRefusedError

    rt = get_app()
    try:
        outcome = resolve_item(
            rt,
            item_id=item_id,
            reviewer=reviewer,
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

    announce_review(
        item_id=outcome.item_id,
        client_id=outcome.client_id,
        status=outcome.status,
        record_key=outcome.record_key,
        doc_type=outcome.doc_type,
        file=outcome.file,
        billed=outcome.billed,
        outputs=len(outcome.outputs),
        reviewer=reviewer,
    )


@app.command("release")
def release_cmd(
    item_id: int, reviewer: ReviewerOpt, client: ClientOpt = None, json_out: JsonOpt = False
) -> None:
    """Give a claimed item back to the queue."""
    from review.queue import ReviewRefusedError, release
    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    try:
        with transaction(rt.engine) as session:
            item = release(
                session, item_id=item_id, reviewer=reviewer, now=_now(), client_id=client
            )
            view = get_item(session, item.id)
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
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
    """Send an item to the front of the queue for a senior reviewer."""
    from review.queue import ReviewRefusedError, escalate
    from review.views import get_item
    from store.db import transaction

    rt = get_app()
    try:
        with transaction(rt.engine) as session:
            item = escalate(
                session,
                item_id=item_id,
                actor=reviewer,
                reason=reason,
                now=_now(),
                client_id=client,
            )
            view = get_item(session, item.id)
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
    assert view is not None
    _item_line(view, json_out, "escalated")


@app.command("audit")
def audit_cmd(
    client: Annotated[str, typer.Option("--client", "-c", help="The client.")],
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
    if client not in rt.config.clients:
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
    from review.qa import record_outcome
    from review.queue import ReviewRefusedError
    from store.db import transaction

    outcome = {"pass": "passed", "fail": "failed"}.get(outcome, outcome)
    if outcome not in ("passed", "failed"):
        fail("--outcome must be passed or failed")
    rt = get_app()
    try:
        with transaction(rt.engine) as session:
            sample = record_outcome(
                session,
                sample_id=sample_id,
                reviewer=reviewer,
                outcome=outcome,
                now=_now(),
                note=note,
                client_id=client,
            )
            result = {"id": sample.id, "status": sample.status, "reviewed_by": reviewer}
    except ReviewRefusedError as exc:
        fail(str(exc), code=1)
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
    token: Annotated[
        str | None,
        typer.Option(
            envvar="BPO_REVIEW_TOKEN",
            help="Shared reviewer token (or BPO_REVIEW_TOKEN).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the reviewer web page (long-running)."""
    if not token or len(token) < 8:
        fail("set a reviewer token of 8+ characters: --token or BPO_REVIEW_TOKEN")
    import uvicorn

    from web.app import create_app

    rt = get_app()
    console.print(f"review page on http://{host}:{port}/", highlight=False)
    uvicorn.run(create_app(rt, token=token), host=host, port=port, log_level="warning")
