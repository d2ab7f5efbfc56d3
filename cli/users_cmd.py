"""``bpo users``: the people who sign in to the review page and act on the queue.

``add`` and ``rotate`` print the personal token once; only its argon2 hash is stored, so a lost
token is rotated, never recovered. The command line is the operator's (it holds the
database's credentials), so managing users here needs no sign-in; every change is audited as
the operator's shell user.
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from cli.context import get_app
from cli.output import console, emit_json, fail

if TYPE_CHECKING:
    from access.users import Issued

app = typer.Typer(help="Users: reviewers, leads, QA, finance and admins.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the machine-readable answer.")]
NameArg = Annotated[str, typer.Argument(help="The user's name (what they sign in with).")]
ClientsOpt = Annotated[
    str | None,
    typer.Option(
        "--clients", help="Comma-separated client ids the user works for; '*' for every client."
    ),
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _operator() -> str:
    try:
        return f"operator:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for the uid (a container)
        return "operator"


def _clients(text: str | None) -> list[str]:
    """The ids given, each a configured client (or '*'); exit 2 on an unknown one."""
    from access.roles import ALL_CLIENTS

    if text is None:
        return []
    ids = [c.strip() for c in text.split(",") if c.strip()]
    known = get_app().config.clients
    unknown = [c for c in ids if c != ALL_CLIENTS and c not in known]
    if unknown:
        fail(f"unknown client(s) {', '.join(unknown)}: add [clients.<id>] to the config first")
    return ids


def _audit(action: str, name: str, after: str | None = None) -> None:
    """One audit row per account change (client ``*``: it belongs to no one client)."""
    from store.audit import append
    from store.db import transaction

    with transaction(get_app().engine) as session:
        append(
            session,
            actor=_operator(),
            action=action,
            client_id="*",
            at=_now(),
            field=f"user:{name}",
            after=after,
        )


def _show_token(issued: Issued, json_out: bool, verb: str) -> None:
    if json_out:
        emit_json(issued.as_dict())
        return
    clients = ", ".join(issued.clients) or "none yet"
    console.print(
        f"{verb} {issued.name} ({issued.role}; clients: {clients}). Personal token, shown once:",
        highlight=False,
    )
    console.print(f"  {issued.token}", highlight=False, soft_wrap=True)


@app.command("add")
def add_cmd(
    name: NameArg,
    role: Annotated[str, typer.Option(help="reviewer, lead, qa, finance or admin.")],
    clients: ClientsOpt = None,
    sso_subject: Annotated[
        str | None,
        typer.Option(help="The identity provider's claim value that signs this user in."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a user and print their personal token (once)."""
    from access.users import UserError, add_user
    from store.db import transaction

    assigned = _clients(clients)
    rt = get_app()
    try:
        with transaction(rt.engine) as session:
            issued = add_user(
                session,
                name=name,
                role=role,
                clients=assigned,
                sso_subject=sso_subject,
                now=_now(),
            )
    except UserError as exc:
        fail(str(exc), code=1)
    _audit("user_add", name, f"{issued.role} {','.join(issued.clients)}")
    _show_token(issued, json_out, "Added")


@app.command("list")
def list_cmd(json_out: JsonOpt = False) -> None:
    """Every user: role, clients, enabled, last sign-in (never a token)."""
    from rich.table import Table

    from access.users import list_users
    from store.db import transaction

    with transaction(get_app().engine) as session:
        users = list_users(session)
    if json_out:
        emit_json(users)
        return
    table = Table("name", "role", "clients", "enabled", "token issued", "last sign-in")
    for u in users:
        table.add_row(
            u["name"],
            u["role"],
            ",".join(u["clients"]) or "-",
            "yes" if u["enabled"] else "[red]no[/]",
            u["token_issued_at"][:16],
            (u["last_sign_in_at"] or "-")[:16],
        )
    console.print(table)


def _set_enabled(name: str, enabled: bool, json_out: bool) -> None:
    from access.users import UserError, set_enabled, user_dict
    from store.db import transaction

    try:
        with transaction(get_app().engine) as session:
            view = user_dict(set_enabled(session, name=name, enabled=enabled, now=_now()))
    except UserError as exc:
        fail(str(exc), code=1)
    _audit("user_enable" if enabled else "user_disable", name)
    if json_out:
        emit_json(view)
    else:
        console.print(f"{name}: {'enabled' if enabled else 'disabled'}", highlight=False)


@app.command("disable")
def disable_cmd(name: NameArg, json_out: JsonOpt = False) -> None:
    """Block a user: no sign-in, no action; their web sessions end at once."""
    _set_enabled(name, False, json_out)


@app.command("enable")
def enable_cmd(name: NameArg, json_out: JsonOpt = False) -> None:
    """Let a disabled user sign in and act again (with the token they had)."""
    _set_enabled(name, True, json_out)


@app.command("rotate")
def rotate_cmd(name: NameArg, json_out: JsonOpt = False) -> None:
    """Issue a new token for a user (printed once); the old one stops working and their web
    sessions end."""
    from access.users import UserError, rotate_token
    from store.db import transaction

    try:
        with transaction(get_app().engine) as session:
            issued = rotate_token(session, name=name, now=_now())
    except UserError as exc:
        fail(str(exc), code=1)
    _audit("user_rotate", name)
    _show_token(issued, json_out, "New token for")


@app.command("update")
def update_cmd(
    name: NameArg,
    role: Annotated[str | None, typer.Option(help="A new role.")] = None,
    clients: ClientsOpt = None,
    sso_subject: Annotated[
        str | None, typer.Option(help="The identity provider's claim value ('' clears it).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Change a user's role, clients or single sign-on subject; their web sessions end."""
    from access.users import UserError, update_user, user_dict
    from store.db import transaction

    if role is None and clients is None and sso_subject is None:
        fail("give --role, --clients or --sso-subject")
    assigned = _clients(clients) if clients is not None else None
    try:
        with transaction(get_app().engine) as session:
            view = user_dict(
                update_user(
                    session, name=name, role=role, clients=assigned, sso_subject=sso_subject
                )
            )
    except UserError as exc:
        fail(str(exc), code=1)
    _audit("user_update", name, f"{view['role']} {','.join(view['clients'])}")
    if json_out:
        emit_json(view)
    else:
        console.print(
            f"{name}: {view['role']}, clients {','.join(view['clients']) or '-'}", highlight=False
        )
