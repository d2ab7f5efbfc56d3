"""The reviewer web page: queue per client, item page with reasons next to the (masked)
values, a correction form; server-rendered with Jinja2, no client-side build.

Every action calls the same plain functions as the CLI and the Prefect form
(``store.review_queue``, ``flows.review_actions``). URLs carry the client id and every query is
scoped by it, so one client's items are never reachable under another's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from flows.review_actions import CorrectionRefusedError, ReviewAction, resolve_item
from flows.runtime import Runtime
from schemas.pii import PII_FIELDS
from store.db import transaction
from store.review_queries import get_item, list_items, queue_counts, record_usage
from store.review_queue import ReviewRefusedError, claim_item, release
from store.review_sla import schedule_due_times
from tasks.review_apply import Correction
from web.auth import COOKIE, MAX_AGE, NAME, ReviewerAuth

TEMPLATES = Path(__file__).parent / "templates"


class _LoginRequiredError(Exception):
    pass


def create_app(rt: Runtime, *, token: str) -> FastAPI:
    """The app for ``rt``'s database and clients; ``token`` is the reviewers' shared secret."""
    auth = ReviewerAuth(token)
    templates = Jinja2Templates(directory=str(TEMPLATES))
    app = FastAPI(title="bpo review", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(_LoginRequiredError)
    async def _to_login(_request: Request, _exc: _LoginRequiredError) -> Response:
        return RedirectResponse("/login", status_code=303)

    def reviewer_of(request: Request) -> str:
        name = auth.reviewer(request.cookies.get(COOKIE))
        if name is None:
            raise _LoginRequiredError
        return name

    def client_or_404(client_id: str) -> str:
        if client_id not in rt.config.clients:
            raise HTTPException(404, "no such client")
        return client_id

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return page(request, "login.html", error=None)

    @app.post("/login", response_model=None)
    def login(
        request: Request, name: Annotated[str, Form()], token: Annotated[str, Form()]
    ) -> Response:
        name = name.strip()
        if not NAME.match(name) or not auth.token_ok(token):
            return page(request, "login.html", 401, error="Unknown name or wrong token.")
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, auth.issue(name), max_age=MAX_AGE, httponly=True, samesite="strict")
        return resp

    @app.post("/logout")
    def logout() -> Response:
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        reviewer = reviewer_of(request)
        with transaction(rt.engine) as session:
            counts = queue_counts(session, clients=sorted(rt.config.clients))
        clients = [(cid, rt.config.clients[cid].name, n) for cid, n in counts.items()]
        return page(request, "home.html", reviewer=reviewer, clients=clients)

    @app.get("/clients/{client_id}", response_class=HTMLResponse)
    def queue(request: Request, client_id: str) -> HTMLResponse:
        reviewer = reviewer_of(request)
        client_or_404(client_id)
        with transaction(rt.engine) as session:
            schedule_due_times(session, clients=rt.config.clients)
            items = list_items(session, client_id=client_id, clients=rt.config.clients)
        return page(
            request,
            "queue.html",
            reviewer=reviewer,
            client_id=client_id,
            client_name=rt.config.clients[client_id].name,
            items=items,
        )

    def item_page(
        request: Request,
        client_id: str,
        item_id: int,
        reviewer: str,
        status: int = 200,
        error: str | None = None,
        issues: list[dict[str, str]] | None = None,
        message: str | None = None,
    ) -> HTMLResponse:
        with transaction(rt.engine) as session:
            item = get_item(session, item_id, client_id=client_id, clients=rt.config.clients)
            if item is None:
                raise HTTPException(404, "no such item")
            usage = record_usage(
                session, file_id=item["file_id"], record_index=item["record_index"]
            )
        flagged = {r["field"]: r for r in item["reasons"]}
        scalar = {k: v for k, v in item["fields"].items() if not isinstance(v, list | dict)}
        nested = {k: v for k, v in item["fields"].items() if isinstance(v, list | dict)}
        return page(
            request,
            "item.html",
            status,
            reviewer=reviewer,
            client_id=client_id,
            item=item,
            flagged=flagged,
            scalar=scalar,
            nested=nested,
            usage=usage,
            error=error,
            issues=issues or [],
            message=message,
            pii=PII_FIELDS.get(item["doc_type"], frozenset()),
            mine=item["claimed_by"] == reviewer and item["status"] == "claimed",
        )

    @app.get("/clients/{client_id}/items/{item_id}", response_class=HTMLResponse)
    def show_item(
        request: Request, client_id: str, item_id: int, msg: str | None = None
    ) -> HTMLResponse:
        reviewer = reviewer_of(request)
        client_or_404(client_id)
        return item_page(request, client_id, item_id, reviewer, message=msg)

    def back(client_id: str, item_id: int, msg: str) -> Response:
        return RedirectResponse(
            f"/clients/{client_id}/items/{item_id}?msg={quote(msg)}", status_code=303
        )

    @app.post("/clients/{client_id}/items/{item_id}/claim", response_model=None)
    def claim(request: Request, client_id: str, item_id: int) -> Response:
        reviewer = reviewer_of(request)
        client_or_404(client_id)
        try:
            with transaction(rt.engine) as session:
                claim_item(
                    session,
                    item_id=item_id,
                    reviewer=reviewer,
                    client_id=client_id,
                    now=dt.datetime.now(dt.UTC),
                )
        except ReviewRefusedError as exc:
            return item_page(request, client_id, item_id, reviewer, 409, error=str(exc))
        return back(client_id, item_id, "Claimed: the item is yours while the lease lasts.")

    @app.post("/clients/{client_id}/items/{item_id}/release", response_model=None)
    def release_item(request: Request, client_id: str, item_id: int) -> Response:
        reviewer = reviewer_of(request)
        client_or_404(client_id)
        try:
            with transaction(rt.engine) as session:
                release(
                    session,
                    item_id=item_id,
                    reviewer=reviewer,
                    client_id=client_id,
                    now=dt.datetime.now(dt.UTC),
                )
        except ReviewRefusedError as exc:
            return item_page(request, client_id, item_id, reviewer, 409, error=str(exc))
        return back(client_id, item_id, "Released back to the queue.")

    @app.post("/clients/{client_id}/items/{item_id}/decide", response_model=None)
    async def decide(request: Request, client_id: str, item_id: int) -> Response:
        reviewer = reviewer_of(request)
        client_or_404(client_id)
        form = await request.form()
        action = str(form.get("action", ""))
        reason = str(form.get("reason", "")).strip() or None
        if action not in {a.value for a in ReviewAction}:
            return item_page(request, client_id, item_id, reviewer, 400, error="Unknown action.")
        corrections = _corrections(form) if action == ReviewAction.CORRECT else []
        if action == ReviewAction.CORRECT and not corrections:
            return item_page(
                request,
                client_id,
                item_id,
                reviewer,
                400,
                error="Change at least one value before saving a correction.",
            )
        try:
            outcome = await _run_sync(
                resolve_item,
                rt,
                item_id=item_id,
                reviewer=reviewer,
                action=action,
                corrections=corrections,
                reason=reason,
                client_id=client_id,
            )
        except CorrectionRefusedError as exc:
            issues = [{"code": i.code, "field": i.field, "message": i.message} for i in exc.issues]
            return item_page(
                request,
                client_id,
                item_id,
                reviewer,
                422,
                error="The corrected record still fails these rules:",
                issues=issues,
            )
        except ReviewRefusedError as exc:
            return item_page(request, client_id, item_id, reviewer, 409, error=str(exc))
        return back(
            client_id,
            item_id,
            f"Record {outcome.record_state}; "
            f"{outcome.billed} usage entr{'y' if outcome.billed == 1 else 'ies'} written.",
        )

    return app


async def _run_sync(fn: Any, *args: Any, **kwargs: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args, **kwargs)


def _corrections(form: Any) -> list[Correction]:
    """Fields whose submitted value differs from the value shown (``orig:<name>``).

    Masked PII is shown masked; submitting it unchanged is not a correction, so a masked value
    can never overwrite the real one. Extra ``path=value`` lines (nested fields such as
    ``lines[0].amount``) come from the ``extra`` text area.
    """
    out: list[Correction] = []
    for key, value in form.multi_items():
        if not key.startswith("f:"):
            continue
        name = key[2:]
        if str(value) != str(form.get(f"orig:{name}", "")):
            out.append(Correction(name, str(value).strip()))
    for line in str(form.get("extra", "")).splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip():
            out.append(Correction(name.strip(), value.strip()))
    return out
