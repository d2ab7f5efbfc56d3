"""Users, for admins: list, add, disable, enable, rotate a token (shown once, on the page that
made it). Every change is audited under client ``*`` with the admin's name."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from access.roles import Permission, Role
from access.sessions import SignedIn
from access.users import Issued, UserError, add_user, list_users, rotate_token, set_enabled
from store.audit import append
from store.db import transaction
from web.auth import require, require_post
from web.pages import page, state

router = APIRouter()


def _admin(who: SignedIn) -> SignedIn:
    if not who.actor.may(Permission.MANAGE_USERS):
        raise HTTPException(403, "only an admin manages users")
    return who


def _users_page(
    request: Request,
    status: int = 200,
    *,
    issued: Issued | None = None,
    message: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    app = state(request).app
    with transaction(app.engine) as session:
        users = list_users(session)
    return page(
        request,
        "users.html",
        status,
        users=users,
        roles=[r.value for r in Role],
        clients=sorted(app.config.clients),
        issued=issued,
        message=message,
        error=error,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, who: Annotated[SignedIn, Depends(require)]) -> HTMLResponse:
    _admin(who)
    return _users_page(request)


def _audit(request: Request, who: SignedIn, action: str, name: str, after: str | None) -> None:
    with transaction(state(request).app.engine) as session:
        append(
            session,
            actor=who.actor.name,
            action=action,
            client_id="*",
            at=dt.datetime.now(dt.UTC),
            field=f"user:{name}",
            after=after,
        )


@router.post("/admin/users", response_class=HTMLResponse)
async def add(request: Request, who: Annotated[SignedIn, Depends(require_post)]) -> HTMLResponse:
    _admin(who)
    form = await request.form()
    name = str(form.get("name", "")).strip()
    role = str(form.get("role", ""))
    clients = [str(c) for c in form.getlist("clients")]
    known = state(request).app.config.clients
    if any(c != "*" and c not in known for c in clients):
        return _users_page(request, 400, error="Unknown client.")
    try:
        with transaction(state(request).app.engine) as session:
            issued = add_user(
                session, name=name, role=role, clients=clients, now=dt.datetime.now(dt.UTC)
            )
    except UserError as exc:
        return _users_page(request, 400, error=str(exc))
    _audit(request, who, "user_add", name, f"{issued.role} {','.join(issued.clients)}")
    return _users_page(request, issued=issued)


@router.post("/admin/users/{name}/{change}", response_class=HTMLResponse)
def change(
    request: Request, name: str, change: str, who: Annotated[SignedIn, Depends(require_post)]
) -> HTMLResponse:
    _admin(who)
    now = dt.datetime.now(dt.UTC)
    issued = None
    try:
        with transaction(state(request).app.engine) as session:
            if change == "rotate":
                issued = rotate_token(session, name=name, now=now)
            elif change in ("disable", "enable"):
                set_enabled(session, name=name, enabled=change == "enable", now=now)
            else:
                raise HTTPException(404, "no such change")
    except UserError as exc:
        return _users_page(request, 400, error=str(exc))
    _audit(request, who, f"user_{change}", name, None)
    return _users_page(request, issued=issued, message=f"{name}: {change}d.")
