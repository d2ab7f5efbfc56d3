"""``bpo reconcile``: prove conservation per file and per client."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from cli.context import get_app
from cli.output import console, emit_json, fail


def reconcile(
    client: Annotated[str | None, typer.Option("--client", "-c", help="Only this client.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable answer.")] = False,
) -> None:
    """Check every record of every file is completed, in review or rejected, and that each
    client's outbox holds exactly what the store backs (exit 1 if not)."""
    from rich.table import Table

    from landing.outbox_check import check_outbox
    from store.db import transaction
    from store.reconcile import reconcile as reconcile_files

    rt = get_app()
    if client is not None and client not in rt.config.clients:
        known = ", ".join(sorted(rt.config.clients))
        fail(f"unknown client {client!r}; configured clients: {known}", code=1)
    with transaction(rt.engine) as session:
        balances = reconcile_files(session, client)
    outbox = [
        p
        for cid in sorted(rt.config.clients)
        if client is None or cid == client
        for p in check_outbox(rt.engine, rt.outbox(cid))
    ]
    ok = all(b.ok for b in balances) and not outbox
    clients: dict[str, dict[str, int]] = {}
    for b in balances:
        c = clients.setdefault(
            b.client_id,
            {
                "files": 0,
                "records": 0,
                "completed": 0,
                "in_review": 0,
                "rejected": 0,
                "problems": 0,
            },
        )
        c["files"] += 1
        for k in ("records", "completed", "in_review", "rejected"):
            c[k] += getattr(b, k)
        c["problems"] += len(b.problems)
    if json_out:
        emit_json(
            {
                "ok": ok,
                "clients": clients,
                "files": [{**asdict(b), "ok": b.ok} for b in balances],
                "outbox": [asdict(p) for p in outbox],
            }
        )
    else:
        table = Table(
            "client", "files", "records", "completed", "in review", "rejected", "problems"
        )
        for cid, c in sorted(clients.items()):
            table.add_row(
                cid,
                *(
                    str(c[k])
                    for k in ("files", "records", "completed", "in_review", "rejected", "problems")
                ),
            )
        console.print(table)
        for b in balances:
            for p in b.problems:
                console.print(
                    f"[red]file {b.file_id} ({b.client_id}/{b.name}):[/] {p}", highlight=False
                )
        for o in outbox:
            console.print(f"[red]outbox {o.client_id}/{o.name}:[/] {o.problem}", highlight=False)
        console.print("[green]balanced[/]" if ok else "[red]NOT balanced[/]")
    if not ok:
        raise typer.Exit(1)
