"""Extracting a file within its reading budgets: every file gets an answer, the worker lives.

The doc type's ``extract`` runs in a child of a :class:`readers.isolation.ReaderPool` (or, for
``bpo extract`` and tests without a pool, in this process) under the client's
:class:`schemas.limits.ReadingLimits`. Whatever happens there becomes a batch:

- a budget passed: ``FILE-TOO-LARGE`` or ``FILE-TOO-COMPLEX``, naming the budget and the
  figure (memory, CPU and wall-clock budgets included);
- any exception of a reader, or a reader that dies: ``FILE-UNREADABLE`` with what happened.

So a reader's failure is an input problem (the file is quarantined with a reason a person can
act on), never a failed run; ``failed`` stays for the system itself.
"""

from __future__ import annotations

from pathlib import Path

from readers.budget import (
    TOO_COMPLEX,
    TOO_LARGE,
    BudgetExceededError,
    bytes_text,
    check,
    file_too_large,
    reading_under,
)
from readers.isolation import ReaderPool, Reply
from schemas.batch import ValidatedBatch
from schemas.config import ClientConfig
from schemas.doc_type import DocType
from schemas.invoice_memory import LearnedPosition
from schemas.issue import Issue
from schemas.limits import ReadingLimits
from schemas.short_text import shorten
from tasks.doctype import ClientContext
from tasks.registry import handler_for

UNREADABLE = "FILE-UNREADABLE"
#: What a reading child imports once, before it forks: each file then starts warm.
PRELOAD = (
    "polars",
    "pdfplumber",
    "pypdfium2",
    "tasks.payroll.handler",
    "tasks.invoices.handler",
    "tasks.claims.handler",
    "tasks.extraction",
)


def extract_in_process(
    doc_type: DocType, data: bytes, name: str, ctx: ClientContext
) -> ValidatedBatch:
    """The doc type's extraction under the client's budgets, in this process: budgets the
    readers check are enforced; memory, CPU and wall clock are not (see :func:`extract_file`)."""
    return _answer(_here(doc_type, data, name, ctx), ctx.limits)


def extract_file(
    doc_type: DocType,
    data: bytes,
    name: str,
    ctx: ClientContext,
    pool: ReaderPool | None,
) -> ValidatedBatch:
    """The doc type's extraction of ``data`` under the client's budgets, in a child of
    ``pool`` (``None``: in this process). Never raises for what the file holds."""
    limits = ctx.limits
    if len(data) > limits.max_file_bytes:
        return _budget_batch(file_too_large(len(data), limits))
    if pool is None:
        return extract_in_process(doc_type, data, name, ctx)
    # The child has no database: what the client's reviewers taught is read here and sent along.
    memory = tuple(ctx.invoice_memory()) if doc_type is DocType.INVOICES else ()
    reply = pool.run(
        _extract_child,
        (doc_type.value, data, name, ctx.client, str(ctx.base_dir), memory),
        limits,
    )
    return _answer(reply, limits)


def _extract_counted(
    doc_type: DocType | str, data: bytes, name: str, ctx: ClientContext
) -> ValidatedBatch:
    """The doc type's extraction, then the records budget (``max_rows``) on what it found,
    whatever the format (the XLSX reader checks rows before it reads them)."""
    batch = handler_for(doc_type).extract(data, name, ctx)
    check(batch.records.height, "max_rows", "Records in the file")
    return batch


def _here(doc_type: DocType, data: bytes, name: str, ctx: ClientContext) -> Reply:
    try:
        with reading_under(ctx.limits):
            return Reply("ok", value=_extract_counted(doc_type, data, name, ctx))
    except BudgetExceededError as exc:
        return Reply("budget", budget=exc)
    except MemoryError:
        return Reply("memory")
    except Exception as exc:
        return Reply("error", error=f"{type(exc).__name__}: {shorten(str(exc), 300)}")


def _extract_child(
    doc_type: str,
    data: bytes,
    name: str,
    client: ClientConfig,
    base_dir: str,
    memory: tuple[LearnedPosition, ...] = (),
) -> ValidatedBatch:
    """Runs in the reading child (the pool has set the budgets in force)."""
    from readers.budget import active_limits

    ctx = ClientContext(
        client=client,
        base_dir=Path(base_dir),
        limits=active_limits(),
        memory_loader=(lambda: memory) if memory else None,
    )
    return _extract_counted(doc_type, data, name, ctx)


def _budget_batch(exc: BudgetExceededError) -> ValidatedBatch:
    return ValidatedBatch.unreadable(Issue(code=exc.code, message=exc.message))


def _answer(reply: Reply, limits: ReadingLimits) -> ValidatedBatch:
    """The batch a child's reply stands for."""
    if reply.kind == "ok" and isinstance(reply.value, ValidatedBatch):
        return reply.value
    return ValidatedBatch.unreadable(reply_issue(reply, limits))


def reply_issue(reply: Reply, limits: ReadingLimits) -> Issue:
    """The file issue of a reply that is not a value: the budget passed, or how the reader
    failed or died (the reading budgets in force named)."""
    if reply.kind == "budget" and reply.budget is not None:
        return Issue(code=reply.budget.code, message=reply.budget.message)
    memory = bytes_text(limits.max_memory_bytes)
    if reply.kind == "memory":
        issue = Issue(
            code=TOO_LARGE,
            message=f"Reading the file needed more memory than the reading budget"
            f" max_memory_bytes ({memory}); nothing was read: split the file or ask for the"
            " limit to be raised for this client.",
        )
    elif reply.kind == "timeout":
        issue = Issue(
            code=TOO_COMPLEX,
            message=f"Reading the file took longer than the reading budget max_wall_seconds"
            f" ({limits.max_wall_seconds:,} s) and was stopped; nothing was read: the file is"
            " built unlike any document of its kind, ask the sender to export it again.",
        )
    elif reply.kind == "died" and reply.signal == "SIGXCPU":
        issue = Issue(
            code=TOO_COMPLEX,
            message=f"Reading the file used more CPU time than the reading budget"
            f" max_cpu_seconds ({limits.max_cpu_seconds:,} s) and was stopped; nothing was"
            " read: the file is built unlike any document of its kind, ask the sender to"
            " export it again.",
        )
    elif reply.kind == "died":
        how = reply.signal or f"exit status {reply.exitcode}"
        issue = Issue(
            code=UNREADABLE,
            message=f"The reader stopped on this file ({how}), possibly past the memory budget"
            f" max_memory_bytes ({memory}); nothing was read: quarantined for a person to look"
            " at; ask the sender to export it again.",
        )
    else:
        issue = Issue(
            code=UNREADABLE,
            message=f"The file could not be read ({reply.error or 'no answer from the reader'});"
            " nothing was read: quarantined for a person to look at; ask the sender to check"
            " the file and send it again.",
        )
    return issue
