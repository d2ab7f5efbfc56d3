"""What operators see of a file in Prefect: the run's final state, its event, its artifact.

A per-file run ends in a COMPLETED-type state named for the answer (``Completed``, ``In
review``, ``Quarantined``, ``Duplicate``) so the runs list tells the outcomes apart; ``Failed``
is left to failures of the system. Each answer emits ``bpo.file.<status>`` naming the client,
the file and its counts, and leaves a markdown artifact keyed by client, document type and file
name (``file-acme-payroll-jan-2026-csv``) listing each record in review with its reason codes
(codes and field names only: no values, so nothing personal).
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event
from prefect.states import Completed

from schemas.outcome import FileOutcome, FileResult, FileSummary
from schemas.receipt import Receipt
from schemas.short_text import shorten

if TYPE_CHECKING:
    from review.decision import ReviewOutcome

#: Records listed by name in a file's artifact; the receipt lists them all.
ARTIFACT_ROWS = 200
_SLUG = re.compile(r"[^a-z0-9]+")


def state_name(result: FileSummary) -> str:
    """``Completed`` | ``In review`` | ``Quarantined`` | ``Duplicate``."""
    if result.status is FileOutcome.QUARANTINED:
        return "Quarantined"
    if result.status is FileOutcome.DUPLICATE:
        return "Duplicate"
    return "In review" if result.in_review else "Completed"


def answered(result: FileResult) -> FileResult:
    """The flow's return value: a COMPLETED state named for the answer, carrying ``result``.

    Prefect ends the run in this state and hands ``result`` (not the state) to whoever called
    the flow, a parent ingest run or ``bpo process``; hence the cast.
    """
    message = f"{result.records} records: {result.completed} completed, {result.in_review} in "
    message += f"review, {result.rejected} rejected"
    return cast(FileResult, Completed(name=state_name(result), data=result, message=message))


def slug(text: str, limit: int = 100) -> str:
    """Lower-case letters, digits and single dashes (what a Prefect artifact key allows)."""
    return _SLUG.sub("-", text.lower()).strip("-")[:limit].strip("-") or "file"


def artifact_key(client_id: str, doc_type: str, name: str) -> str:
    """``file-<client>-<doc type>-<name>``: stable, so a file's runs share one history."""
    return f"file-{slug(client_id)}-{slug(doc_type)}-{slug(name)}"


def _doc(result: FileSummary) -> str:
    return result.doc_type.value if result.doc_type is not None else "unknown"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def file_markdown(result: FileResult, receipt: Receipt | None, billed: int) -> str:
    """The artifact: the answer's counts, then each record in review and each rejected."""
    lines = [
        f"### {_cell(result.client_id)} / {_doc(result)} / {_cell(result.name)}: "
        f"{state_name(result)}",
        "",
        "| status | records | completed | in review | rejected | billed |",
        "|---|---|---|---|---|---|",
        f"| {result.status.value} | {result.records} | {result.completed} | "
        f"{result.in_review} | {result.rejected} | {billed} |",
    ]
    if result.reason:
        lines += ["", f"**Reason:** {_cell(shorten(result.reason, 1000))}"]
    if receipt is not None and receipt.records_in_review:
        shown = receipt.records_in_review[:ARTIFACT_ROWS]
        lines += [
            "",
            f"#### Records in review ({len(receipt.records_in_review)})",
            "",
            "| record | reason codes | due |",
            "|---|---|---|",
        ]
        lines += [
            f"| {_cell(r.record_key)} | {', '.join(r.codes)} | "
            f"{r.due.strftime('%Y-%m-%d %H:%M UTC') if r.due else ''} |"
            for r in shown
        ]
        if len(receipt.records_in_review) > len(shown):
            lines.append(f"\n... and {len(receipt.records_in_review) - len(shown)} more")
    if receipt is not None and receipt.records_rejected:
        lines += [
            "",
            f"#### Records rejected ({len(receipt.records_rejected)})",
            "",
            "| record | reason codes |",
            "|---|---|",
        ]
        lines += [
            f"| {_cell(r.record_key)} | {', '.join(r.codes)} |"
            for r in receipt.records_rejected[:ARTIFACT_ROWS]
        ]
    if receipt is not None and receipt.outputs:
        lines += ["", "**Outputs:** " + ", ".join(f"`{o}`" for o in receipt.outputs)]
    return "\n".join(lines) + "\n"


def file_resource(client_id: str, doc_type: str, name: str, ident: str) -> dict[str, str]:
    return {
        "prefect.resource.id": f"bpo.file.{client_id}.{ident}",
        "prefect.resource.name": name,
        "bpo.client": client_id,
        "bpo.doc-type": doc_type,
        "bpo.file": name,
    }


def announce_file(result: FileResult, billed: int = 0) -> None:
    """``bpo.file.processed|quarantined|duplicate`` with the counts (and the share sent to
    review, to catch exception spikes)."""
    share = result.in_review / result.records if result.records else 0.0
    emit_event(
        event=f"bpo.file.{result.status.value}",
        resource=file_resource(result.client_id, _doc(result), result.name, str(result.file_id)),
        payload={
            "client_id": result.client_id,
            "file": result.name,
            "sha256": result.sha256,
            "state": state_name(result),
            "records": result.records,
            "completed": result.completed,
            "in_review": result.in_review,
            "rejected": result.rejected,
            "billed": billed,
            "review_share": round(share, 4),
            "reason": shorten(result.reason, 500),
        },
    )


def announce_failed(
    client_id: str, doc_type: str, name: str, ident: str, error: str, **extra: Any
) -> None:
    """``bpo.file.failed``: the system (not the file) failed; the file is retried."""
    emit_event(
        event="bpo.file.failed",
        resource=file_resource(client_id, doc_type, name, ident),
        payload={
            "client_id": client_id,
            "file": name,
            "records": 0,
            "error": shorten(error, 500),
            **extra,
        },
    )


_deferred: contextvars.ContextVar[tuple[ThreadPoolExecutor, list[Future[Any]]] | None] = (
    contextvars.ContextVar("bpo_deferred_artifacts", default=None)
)


@contextmanager
def deferred_artifacts(workers: int = 4) -> Iterator[None]:
    """Inside, :func:`publish_artifact` sends each artifact from a small pool of threads
    while the run goes on to the next file; at exit every artifact has been sent (one that
    could not be is logged: the file's answer, receipt and event stand without it). A batch
    of small files does not wait a round trip per file."""
    with ThreadPoolExecutor(workers, thread_name_prefix="bpo-artifacts") as pool:
        pending: list[Future[Any]] = []
        token = _deferred.set((pool, pending))
        try:
            yield
        finally:
            _deferred.reset(token)
    for future in pending:
        error = future.exception()
        if error is not None:
            get_run_logger().warning(
                "an artifact was not saved: %s: %s", type(error).__name__, error
            )


def publish_artifact(result: FileResult, receipt: Receipt | None, billed: int = 0) -> None:
    """The file's artifact, now or (inside :func:`deferred_artifacts`) from the pool."""
    deferred = _deferred.get()
    if deferred is None:
        _create_artifact(result, receipt, billed)
        return
    pool, pending = deferred
    # The run's context travels with the call, so the artifact is attached to this run.
    run = contextvars.copy_context().run
    pending.append(pool.submit(run, _create_artifact, result, receipt, billed))


def _create_artifact(result: FileResult, receipt: Receipt | None, billed: int) -> None:
    create_markdown_artifact(
        key=artifact_key(result.client_id, _doc(result), result.name),
        markdown=file_markdown(result, receipt, billed),
        description=f"{_doc(result)} file {result.name} for {result.client_id}: "
        f"{state_name(result)}",
    )


def announce_refused(url: str, name: str, reason: str, client_id: str | None) -> None:
    """``bpo.file.refused`` (no client can be told: an unknown client folder, a file at the
    root) or, for a known client's refused entry, ``bpo.file.quarantined``."""
    digest = _digest(url)
    emit_event(
        event="bpo.file.refused" if client_id is None else "bpo.file.quarantined",
        resource=file_resource(client_id or "unassigned", "unknown", name, f"refused-{digest}"),
        payload={
            "client_id": client_id,
            "file": name,
            "url": url,
            "records": 0,
            "reason": shorten(reason, 500),
        },
    )


def refusal_artifact(url: str, name: str, reason: str, quarantined_to: str) -> None:
    """What an operator needs about an entry no client can be told about."""
    create_markdown_artifact(
        key=f"refused-{slug(name, 60)}-{_digest(url)[:8]}",
        markdown=(
            f"### Refused: {_cell(name)}\n\n"
            f"| where it was | why | moved to |\n|---|---|---|\n"
            f"| `{_cell(url)}` | {_cell(reason)} | `{_cell(quarantined_to)}` |\n"
        ),
        description=f"refused entry {name}: no client can be told",
    )


def announce_parked(client_id: str, doc_type: str, name: str, url: str, reason: str) -> None:
    """``bpo.file.parked``: a file failed for system reasons too often and waits for a person
    in quarantine."""
    emit_event(
        event="bpo.file.parked",
        resource=file_resource(client_id, doc_type, name, f"parked-{_digest(url)}"),
        payload={"client_id": client_id, "file": name, "url": url, "reason": shorten(reason, 500)},
    )


def ingest_run_name(answered: dict[str, int], refused: int) -> str:
    """``ingest/acme:3,globex:1`` (files answered per client), ``+refused:2``; ``ingest/idle``
    when the poll took nothing, so empty polls do not bury the runs that did work."""
    parts = [f"{cid}:{n}" for cid, n in sorted(answered.items()) if n]
    if refused:
        parts.append(f"refused:{refused}")
    return "ingest/" + (",".join(parts) if parts else "idle")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def announce_review(outcome: ReviewOutcome, reviewer: str) -> None:
    """``bpo.review.resolved`` or ``bpo.review.rejected`` for one decision."""
    emit_event(
        event=f"bpo.review.{outcome.status}",
        resource={
            "prefect.resource.id": f"bpo.review-item.{outcome.item_id}",
            "prefect.resource.name": f"{outcome.client_id}/{outcome.record_key}",
            "bpo.client": outcome.client_id,
            "bpo.doc-type": outcome.doc_type,
            "bpo.file": outcome.file,
        },
        payload={
            "client_id": outcome.client_id,
            "file": outcome.file,
            "record_key": outcome.record_key,
            "reviewer": reviewer,
            "records": 1,
            "billed": outcome.billed,
            "outputs": len(outcome.outputs),
        },
    )


def announce_close(row: dict[str, str]) -> None:
    """``bpo.billing.closed`` for one client's period."""
    emit_event(
        event="bpo.billing.closed",
        resource={
            "prefect.resource.id": f"bpo.billing.{row['client']}.{row['period']}",
            "prefect.resource.name": f"{row['client']} {row['period']}",
            "bpo.client": row["client"],
        },
        payload={"client_id": row["client"], **row},
    )
