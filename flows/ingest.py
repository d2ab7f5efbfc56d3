"""Ingest: poll every landing zone, take complete files once, process each, archive it.

A file is registered by sha256 before processing and archived only after its run finished, so
a crash leaves it in place and the next poll resumes it; the same bytes dropped again are
answered ``duplicate`` and archived without a second charge. A file answered ``quarantined``
(unreadable, or held as ``FILE-SYSTEMATIC-ERROR``) moves to the quarantine beside a
``<name>.reason.txt`` instead.

A poll survives any one entry: an entry that cannot be read, moved or processed is reported
(log, ``bpo.file.failed``, the summary's ``problems``) and skipped, and the poll goes on with
the others. A file whose run fails for a system reason ``park_after_failures`` times is parked
in quarantine with the last error (``bpo.file.parked``) instead of being retried forever.

Several ingest runs (on several workers) may poll the same zone at once: each walks the files
in its own random order, a file another run archived in the meantime is skipped as taken
elsewhere, and one that both runs read is processed idempotently and billed once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, tags
from prefect import runtime as prefect_runtime
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
from pydantic import BaseModel

import flows.process
from app.root import App, current_app
from flows.operators import (
    announce_failed,
    announce_parked,
    announce_refused,
    ingest_run_name,
    refusal_artifact,
)
from flows.process import FLOWS, Steps, answer_file
from flows.small_files import BatchFailedError, BatchWork, batch_run_name, process_small_files
from landing.answers import answer_refusal
from landing.files import LandedFile, Refused
from landing.names import UnsafeNameError, printable
from landing.reads import LinkRefusedError
from landing.staging import discard, stage
from landing.zone import LandingZone
from readers.budget import file_too_large
from schemas.config import LandingConfig
from schemas.limits import ReadingLimits
from schemas.outcome import FileOutcome, FileResult
from schemas.receipt import Receipt
from schemas.short_text import shorten
from tasks.read_ahead import ReadAhead
from tasks.steps import publish_pending_task


class IngestSummary(BaseModel):
    taken: int = 0
    duplicates: int = 0
    quarantined: int = 0
    errors: int = 0
    waiting: int = 0
    #: Files another run archived or quarantined between this run's listing and its read.
    taken_elsewhere: int = 0
    #: Files moved to quarantine after failing ``park_after_failures`` times.
    parked: int = 0
    files: list[FileResult] = []
    refused: list[dict[str, str | None]] = []
    #: Entries this poll could not handle (reported and skipped): ``{"url", "problem"}``.
    problems: list[dict[str, str]] = []


def _problem(summary: IngestSummary, url: str, exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    summary.errors += 1
    summary.problems.append({"url": printable(url), "problem": shorten(text, 1000)})
    return text


def _refuse(app: App, zone: LandingZone, item: Refused, summary: IngestSummary) -> None:
    logger = get_run_logger()
    try:
        moved_to = zone.quarantine(item, item.reason)
    except FileNotFoundError:
        summary.taken_elsewhere += 1  # another run moved it aside first
        return
    summary.quarantined += 1
    summary.refused.append({"url": item.url, "client_id": item.client_id, "reason": item.reason})
    known = item.client_id is not None and item.client_id in app.config.clients
    logger.warning(
        "refused %s (%s): %s", printable(item.url), item.client_id or "no client", item.reason
    )
    announce_refused(item.url, printable(item.name), item.reason, item.client_id if known else None)
    if not known:
        refusal_artifact(printable(item.url), printable(item.name), item.reason, moved_to)
    elif item.client_id is not None and not item.is_dir:
        answer_refusal(
            app.engine,
            app.outbox(item.client_id),
            Receipt(
                client_id=item.client_id,
                name=item.name,
                sha256=hashlib.sha256(
                    f"{item.url}\n{item.version}".encode("utf-8", "surrogateescape")
                ).hexdigest(),
                doc_type=item.doc_type,
                status=FileOutcome.QUARANTINED,
                reason=item.reason,
                processed_at=datetime.now(UTC),
            ),
        )


Runner = Callable[[App, LandedFile, Path], FileResult]


def _without_heartbeat() -> AbstractContextManager[Any]:
    """Subflows without a heartbeat (it costs a run ~1 s at exit); entered only when it is
    on, because rebuilding Prefect's settings costs 0.1 s, and over a second on a busy
    machine, each time."""
    if PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() is None:
        return nullcontext()
    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def _run(app: App, item: LandedFile, staged: Path) -> FileResult:
    process = FLOWS[item.doc_type]
    with (
        tags(f"client:{item.client_id}", f"doc:{item.doc_type.value}"),
        # The ingest run keeps its heartbeat; a per-file subflow's would cost ~1 s at exit.
        _without_heartbeat(),
    ):
        return process(path=str(staged), client_id=item.client_id, name=item.name, source=item.url)


def _inline(app: App, item: LandedFile, staged: Path, steps: Steps | None = None) -> FileResult:
    """A small file answered inside its batch's run (``flows.small_files``)."""
    return answer_file(
        app,
        str(staged),
        item.client_id,
        item.doc_type,
        name=item.name,
        source=item.url,
        steps=steps,
    )


def _failed(
    app: App, zone: LandingZone, item: LandedFile, error: str, summary: IngestSummary
) -> None:
    """A system failure taking ``item``: counted; parked once it has failed too often."""
    logger = get_run_logger()
    limit = app.config.landing.park_after_failures
    count = zone.record_failure(item, error)
    if count < limit:
        logger.error(
            "taking %s failed (%d of %d before it is parked); it stays for the next poll: %s",
            printable(item.url),
            count,
            limit,
            error,
        )
        return
    reason = (
        f"FILE-PARKED: processing failed {count} times for a system reason (last: {error}). "
        f"Fix the cause, then move the file back to {printable(item.url)} to process it."
    )
    try:
        zone.quarantine(item, reason)
    except FileNotFoundError:
        return
    except Exception as exc:  # cannot even move it aside: the next poll tries again
        logger.error("cannot park %s: %s: %s", printable(item.url), type(exc).__name__, exc)
        return
    zone.forget_failures(item)
    summary.parked += 1
    logger.error("parked %s in quarantine: %s", printable(item.url), reason)
    announce_parked(item.client_id, item.doc_type.value, item.name, item.url, reason)


def _take(
    app: App,
    zone: LandingZone,
    item: LandedFile,
    summary: IngestSummary,
    run: Runner | None = None,
) -> FileResult | str | None:
    """Read, answer and archive one file: its answer, the error text when the system failed
    to answer it, or None when it was not ours to answer (taken elsewhere, refused)."""
    logger = get_run_logger()
    limits = app.config.limits_for(item.client_id)
    if item.size > limits.max_file_bytes:  # as listed: not read at all
        _refuse(app, zone, _too_large(item, limits), summary)
        return None
    try:
        # One byte past the budget tells a file that grew since the listing, unread beyond.
        data = zone.read(item, limits.max_file_bytes + 1)
    except FileNotFoundError:
        summary.taken_elsewhere += 1
        logger.info("%s is gone: another ingest run took it", printable(item.url))
        return None
    except (UnsafeNameError, LinkRefusedError) as exc:  # swapped since the listing
        _refuse(app, zone, _as_refused(item, str(exc)), summary)
        return None
    if len(data) > limits.max_file_bytes:
        del data
        _refuse(app, zone, _too_large(item, limits, read=True), summary)
        return None
    # A copy private to this call: a concurrent run of the same bytes never loses its copy.
    staged = stage(app.state_dir, item.client_id, data)
    del data
    try:
        result = (run or _run)(app, item, staged)
    except Exception as exc:  # the system failed (the run emitted bpo.file.failed)
        error = _problem(summary, item.url, exc)
        _failed(app, zone, item, error, summary)
        return error
    finally:
        discard(staged)
    try:
        if result.status == FileOutcome.QUARANTINED:
            # Beside its reason, where operators look; a held file is replayed from there.
            zone.quarantine(item, result.reason)
        else:
            zone.archive(item, sha256=result.sha256)
    except FileNotFoundError:
        logger.info("%s was moved by another ingest run", printable(item.url))
    zone.forget_failures(item)
    summary.files.append(result)
    if result.status == FileOutcome.DUPLICATE:
        summary.duplicates += 1
    elif result.status == FileOutcome.QUARANTINED:
        summary.quarantined += 1
    else:
        summary.taken += 1
    return result


def _too_large(item: LandedFile, limits: ReadingLimits, *, read: bool = False) -> Refused:
    """``item`` refused for its size: as listed, or (``read``) as the read found it, which
    stopped one byte past the budget."""
    size = limits.max_file_bytes + 1 if read else item.size
    exc = file_too_large(size, limits, at_least=read)
    return _as_refused(item, f"{exc.code}: {exc.message}")


def _as_refused(item: LandedFile, reason: str) -> Refused:
    return Refused(
        url=item.url,
        client_id=item.client_id,
        reason=reason,
        path=item.path,
        doc_type=item.doc_type,
        mtime=item.mtime,
        etag=item.etag,
        size=item.size,
        marker_path=item.marker_path,
    )


def _entry(
    app: App,
    zone: LandingZone,
    item: LandedFile | Refused,
    summary: IngestSummary,
    run: Runner | None = None,
) -> FileResult | str | None:
    """One entry's answer; whatever goes wrong with it is reported and the poll goes on."""
    try:
        if isinstance(item, Refused):
            _refuse(app, zone, item, summary)
            return None
        return _take(app, zone, item, summary, run)
    except Exception as exc:
        text = _problem(summary, item.url, exc)
        get_run_logger().exception("%s: skipped this poll: %s", printable(item.url), text)
        client = item.client_id or "unassigned"
        doc = item.doc_type.value if item.doc_type is not None else "unknown"
        announce_failed(client, doc, printable(item.name), _digest(item.url), text)
        if isinstance(item, LandedFile):
            _failed(app, zone, item, text, summary)
        return text


def small_batches(
    items: list[LandedFile | Refused], landing: LandingConfig
) -> tuple[list[list[LandedFile]], list[LandedFile | Refused]]:
    """The small files grouped by client and document type (at most ``batch_max_files``
    each; a batch of one per file when a poll found fewer than ``batch_min_files`` of them),
    and the entries answered on their own: refusals and large files. Batches come first so
    that a large file never holds the small ones back."""
    groups: dict[tuple[str, str], list[LandedFile]] = defaultdict(list)
    singles: list[LandedFile | Refused] = []
    for item in items:
        if isinstance(item, LandedFile) and item.size <= landing.small_file_bytes:
            groups[(item.client_id, item.doc_type.value)].append(item)
        else:
            singles.append(item)
    batches: list[list[LandedFile]] = []
    for group in groups.values():
        # A few files each get a run of their own, named for the file and ending in the state
        # named for its answer; only a burst shares runs.
        size = landing.batch_max_files if len(group) >= landing.batch_min_files else 1
        batches += [group[i : i + size] for i in range(0, len(group), size)]
    return batches, singles


def _read_ahead_depth(app: App, zone: LandingZone) -> int:
    """How many files a batch reads ahead: one per reading child, from a local zone (a remote
    one is read once, in turn: its connection is not shared between threads)."""
    pool = app.reader_pool
    return pool.size if pool is not None and zone.local else 0


def _batch_work(
    app: App, zone: LandingZone, items: list[LandedFile], summary: IngestSummary, ahead: ReadAhead
) -> BatchWork:
    """The batch's files, each answered by the inline steps; while one is answered, the
    reading children read the next ones (``tasks.read_ahead``)."""
    steps = dataclasses.replace(flows.process.INLINE, extract=ahead.extract)

    def answer(app: App, item: LandedFile, staged: Path) -> FileResult:
        return _inline(app, item, staged, steps)

    def read_ahead(item: LandedFile) -> None:
        ctx = app.client_context(item.client_id)
        ahead.start(item.doc_type, item.name, ctx, app.reader_pool, lambda: zone.read(item))

    return BatchWork(
        items,
        lambda item: _entry(app, zone, item, summary, answer),
        ahead=read_ahead,
        depth=ahead.depth,
    )


def _batch(app: App, zone: LandingZone, items: list[LandedFile], summary: IngestSummary) -> None:
    """Small files of one client and type answered in one run (``flows.small_files``)."""
    client_id, doc_type = items[0].client_id, items[0].doc_type.value
    names = [printable(i.name) for i in items]
    run = process_small_files.with_options(flow_run_name=batch_run_name(client_id, doc_type, names))
    try:
        with (
            ReadAhead(flows.process.INLINE.extract, _read_ahead_depth(app, zone)) as ahead,
            tags(f"client:{client_id}", f"doc:{doc_type}", "batch"),
            _without_heartbeat(),
        ):
            work = _batch_work(app, zone, items, summary, ahead)
            run(client_id=client_id, doc_type=doc_type, files=names, work=work)
    except BatchFailedError as exc:  # each file's failure is already counted and reported
        get_run_logger().error("%s", exc)
    except Exception as exc:  # the run itself could not run: its files wait for the next poll
        _problem(summary, zone.url, exc)
        get_run_logger().error(
            "batch of %d %s file(s) for %s: %s: %s",
            len(items),
            doc_type,
            client_id,
            type(exc).__name__,
            exc,
        )


def _digest(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _name_run(summary: IngestSummary) -> None:
    """Name the run for what it took (``ingest/acme:3,globex:1``, ``ingest/idle``)."""
    run_id = prefect_runtime.flow_run.id
    if not run_id:
        return
    answered = Counter(f.client_id for f in summary.files)
    answered.update(str(r["client_id"]) for r in summary.refused if r.get("client_id"))
    refused = sum(1 for r in summary.refused if not r.get("client_id"))
    with get_client(sync_client=True) as client:
        client.update_flow_run(UUID(str(run_id)), name=ingest_run_name(dict(answered), refused))


@flow(name="ingest", flow_run_name="ingest", persist_result=False)
def ingest() -> IngestSummary:
    """Poll every configured landing zone once."""
    app = current_app()
    logger = get_run_logger()
    summary = IngestSummary()
    published = publish_pending_task(app.engine, app.outbox)
    if published.published:
        logger.info(
            "published %d output(s) an interrupted run had committed", len(published.published)
        )
    for zone in app.zones():
        try:
            items = zone.scan()
        except Exception as exc:  # one unreachable zone does not stop the others
            text = _problem(summary, zone.url, exc)
            logger.exception("cannot list %s: %s", zone.url, text)
            continue
        # Concurrent runs over one zone spread out instead of racing file by file.
        random.shuffle(items)
        batches, singles = small_batches(items, app.config.landing)
        for batch in batches:
            _batch(app, zone, batch, summary)
        for item in singles:
            _entry(app, zone, item, summary)
    logger.info(
        "taken %d, duplicates %d, quarantined %d, parked %d, errors %d",
        summary.taken,
        summary.duplicates,
        summary.quarantined,
        summary.parked,
        summary.errors,
    )
    _name_run(summary)
    return summary
