"""``bpo billing``: exports for finance and period close.

``--as USER`` checks the named user may do it (finance role, assigned to the client); without
it the command acts as the operator, who holds the database's credentials anyway.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from cli.context import actor_named, get_app
from cli.output import console, emit_json, fail

if TYPE_CHECKING:
    from schemas.config import ClientConfig

app = typer.Typer(help="Billing exports and period close.", no_args_is_help=True)
AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Act as this finance user (checked: role and clients)."),
]


def _finance_clients(as_user: str | None, wanted: list[str]) -> list[str]:
    """``wanted``, checked against ``as_user``'s role and clients (exit 1 when refused)."""
    from access.roles import Permission

    if as_user is None:
        return wanted
    actor = actor_named(as_user)
    if not actor.may(Permission.BILLING):
        fail(f"{actor.name} ({actor.role}) may not close or export billing", code=1)
    hidden = [c for c in wanted if not actor.sees(c)]
    if hidden:
        fail(f"{actor.name} is not assigned to client(s) {', '.join(hidden)}", code=1)
    return wanted


def _period(period: str) -> str:
    from billing.periods import period_problem

    problem = period_problem(period)
    if problem is not None:
        fail(problem)
    return period


def _local(at: dt.datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime(f"%Y-%m-%d %H:%M {timezone}")


def _refuse_open_periods(clients: list[ClientConfig], period: str) -> None:
    """Exit 1 with one line when ``period`` has not ended yet in some client's time zone."""
    from billing.periods import period_bounds, period_over

    now = dt.datetime.now(dt.UTC)
    running = [c for c in clients if not period_over(period, c.timezone, now)]
    if not running:
        return
    ends = "; ".join(
        f"{c.id}: ends {_local(period_bounds(period, c.timezone)[1], c.timezone)}" for c in running
    )
    fail(
        f"period {period} has not ended yet ({ends}): closing it now would bill the rest of"
        " the month to the next period; wait, or pass --force to close it anyway",
        code=1,
    )


def _accuracy(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        fail(f"accuracy {text!r} must be a decimal between 0 and 1")
    if not Decimal(0) <= value <= Decimal(1):
        fail(f"accuracy {text!r} must be between 0 and 1")
    return value


@app.command("export")
def export_cmd(
    client: Annotated[str, typer.Option("--client", "-c", help="Client id.")],
    period: Annotated[str, typer.Option(help="Billing period YYYY-MM (client-local month).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, parquet or xlsx.")] = "csv",
    kind: Annotated[
        str, typer.Option(help="detail (one row per unit), summary (invoice lines) or evidence.")
    ] = "detail",
    out: Annotated[Path | None, typer.Option(help="Output file.")] = None,
    accuracy: Annotated[
        str | None, typer.Option(help="QA accuracy 0..1 for an open period's preview.")
    ] = None,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty", help="Write the export even when the period has no usage at all."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Answer as JSON.")] = False,
    as_user: AsOpt = None,
) -> None:
    """Export a client's period: the usage detail, the invoice summary or the evidence zip.

    A period with no usage writes nothing and exits 1 (a wrong month or client is the usual
    cause), unless --allow-empty."""
    from billing.close import statement_for
    from billing.evidence import evidence_bytes
    from billing.export import FORMATS, KINDS, write_bytes, write_statement
    from store.db import transaction

    _period(period)
    if fmt not in FORMATS:
        fail(f"format {fmt!r} must be one of {', '.join(FORMATS)}")
    if kind not in KINDS:
        fail(f"kind {kind!r} must be one of {', '.join(KINDS)}")
    rt = get_app()
    if client not in rt.config.clients:
        fail(f"unknown client {client!r}")
    _finance_clients(as_user, [client])
    cfg = rt.config.clients[client]
    with transaction(rt.engine) as session:
        st = statement_for(session, cfg, period, accuracy=_accuracy(accuracy))
        evidence = evidence_bytes(session, st) if kind == "evidence" else None
    if st.entries.height == 0 and not allow_empty:
        fail(
            f"{client} has no usage in {period} ({cfg.timezone} month): nothing written;"
            " check the client and period, or pass --allow-empty to write an empty export",
            code=1,
        )
    ext = "zip" if kind == "evidence" else fmt
    target = out or Path(f"billing-{client}-{period}-{kind}.{ext}")
    if evidence is not None:
        write_bytes(evidence, target)
    else:  # streamed to the file: a million-row detail is not held as bytes too
        write_statement(st, kind, fmt, target)
    answer = {
        "client_id": client,
        "period": period,
        "kind": kind,
        "format": ext,
        "path": str(target),
        "closed": st.closed,
        "entries": st.entries.height,
        "total": str(st.invoice.total),
        "currency": st.invoice.currency,
    }
    if as_json:
        emit_json(answer)
        return
    console.print(
        f"{st.entries.height} usage lines, total {st.invoice.total} {st.invoice.currency}"
        f" ({'closed' if st.closed else 'open'}) -> {target}",
        highlight=False,
    )


@app.command("close")
def close_cmd(
    period: Annotated[str, typer.Option(help="Billing period YYYY-MM to close.")],
    client: Annotated[
        str | None, typer.Option("--client", "-c", help="One client (default: every client).")
    ] = None,
    accuracy: Annotated[
        str | None, typer.Option(help="QA review accuracy 0..1 for the accuracy credit.")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Close a period that has not ended yet in the client's time zone."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Answer as JSON.")] = False,
    as_user: AsOpt = None,
) -> None:
    """Close a period once it has ended in each client's time zone (exit 1 before, unless
    --force): lock it, post its final lines; later usage goes to the next month."""
    from rich.table import Table

    from billing.close import close_period

    _period(period)
    rt = get_app()
    if client is not None and client not in rt.config.clients:
        fail(f"unknown client {client!r}")
    if client is None and as_user is not None:  # every client of theirs
        ids = actor_named(as_user).visible(rt.config.clients)
    else:
        ids = [client] if client else sorted(rt.config.clients)
    ids = _finance_clients(as_user, ids)
    acc = _accuracy(accuracy)
    if not force:
        _refuse_open_periods([rt.config.clients[c] for c in ids], period)
    results = [close_period(rt.engine, rt.config.clients[c], period, accuracy=acc) for c in ids]
    if as_json:
        emit_json({"closes": [r.as_json() for r in results]})
        return
    table = Table("client", "period", "status", "total", "currency")
    for r in results:
        j = r.as_json()
        table.add_row(r.client_id, r.period, j["status"], j["total"], r.currency)
    console.print(table)
