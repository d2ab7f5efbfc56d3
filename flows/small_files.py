"""Small files of one client and document type, answered together in one flow run.

A run per file costs Prefect a flow run and a task run per step (about a second a file with a
server); a 20-row payroll file needs a few milliseconds of work. So ingest hands the small
files one poll found for a client and document type to one ``process-small-files`` run, named
for the files it took (``acme/payroll/3 files: a.csv, b.csv, c.csv``), which answers them one
after the other with the steps' plain functions.

Each file keeps its own answer: its receipt in the client's outbox, its ``bpo.file.<status>``
event naming the file, its artifact keyed by client, type and file name (the same key its own
run would leave), and a row in the batch run's table artifact. Each file keeps its own
idempotency too: its steps commit one by one and it is archived as soon as it is answered, so a
run that dies part-way leaves the files it had not finished in the landing zone, and the next
poll finishes them (nothing lost, nothing billed twice).

The run keeps both cores busy: while a file is answered, the reading children already read
the next ones (``tasks.read_ahead``; a result counts only for the bytes the file is registered
with), its outputs are written beside its record states, and the emptied staging folders and
the artifacts are left to threads of their own, all finished before the run ends.

The batch run ends in a COMPLETED-type state named for the outcome that most needs a person:
``Quarantined`` if any file was, else ``In review``, else ``Completed``, else ``Duplicate``;
its message counts the files of each outcome. ``Failed`` stays for failures of the system.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import cast

from prefect import flow
from prefect.artifacts import create_table_artifact
from prefect.states import Completed

from flows.operators import artifact_key, deferred_artifacts, state_name
from landing.files import LandedFile
from landing.publication import deferred_discards
from schemas.outcome import FileResult

#: The outcome that most needs a person first: the batch run is named for it.
_ATTENTION = ("Quarantined", "In review", "Completed", "Duplicate")
_NAMES_SHOWN = 3


#: Takes one file: its answer, the error text when the system failed to answer it (the file
#: stays for the next poll), or None when it was not this run's to answer (another run took
#: it, or it was refused).
Take = Callable[[LandedFile], FileResult | str | None]
#: Starts reading a later file while the run answers the current one (``tasks.read_ahead``).
Ahead = Callable[[LandedFile], None]


def _read_in_turn(_item: LandedFile) -> None:
    """No read-ahead: each file is read when its turn comes."""


class BatchWork:
    """What a batch run works on: the files, how one is taken (read, answered, archived) and,
    optionally, how the ``depth`` files after the current one are read ahead.

    Not a Pydantic model or dataclass on purpose: Prefect stores it as ``<BatchWork>`` among
    the run's parameters (the ``files`` parameter names the files) and passes it through as is.
    """

    __slots__ = ("ahead", "depth", "items", "take")

    def __init__(
        self, items: Sequence[LandedFile], take: Take, ahead: Ahead = _read_in_turn, depth: int = 0
    ) -> None:
        self.items = list(items)
        self.take = take
        self.ahead = ahead
        self.depth = depth

    def following(self, index: int) -> list[LandedFile]:
        """The files to read ahead while the one at ``index`` is answered."""
        return self.items[index + 1 : index + 1 + self.depth]


def batch_run_name(client_id: str, doc_type: str, names: Sequence[str]) -> str:
    """``acme/payroll/a.csv`` for one file, ``acme/payroll/3 files: a.csv, b.csv, c.csv``,
    ``acme/payroll/40 files: a.csv, b.csv, c.csv ... z.csv`` for more."""
    if len(names) == 1:
        return f"{client_id}/{doc_type}/{names[0]}"
    ordered = sorted(names)
    shown = ", ".join(ordered[:_NAMES_SHOWN])
    if len(ordered) > _NAMES_SHOWN:
        shown += f" ... {ordered[-1]}"
    return f"{client_id}/{doc_type}/{len(names)} files: {shown}"


def batch_state_name(results: Sequence[FileResult]) -> str:
    """The outcome of the batch's files that most needs a person (``Completed`` if none)."""
    seen = {state_name(r) for r in results}
    return next((name for name in _ATTENTION if name in seen), "Completed")


def batch_message(results: Sequence[FileResult], failed: int = 0, other: int = 0) -> str:
    counts = Counter(state_name(r) for r in results)
    parts = [f"{counts[name]} {name}" for name in _ATTENTION if counts[name]]
    if failed:
        parts.append(f"{failed} failed (left for the next poll)")
    if other:
        parts.append(f"{other} taken elsewhere or refused")
    total = len(results) + failed + other
    return f"{total} files: " + ", ".join(parts or ["none answered"])


def batch_rows(results: Sequence[FileResult]) -> list[dict[str, str | int]]:
    """One row per file: where to find its answer."""
    return [
        {
            "file": r.name,
            "state": state_name(r),
            "records": r.records,
            "completed": r.completed,
            "in_review": r.in_review,
            "rejected": r.rejected,
            "artifact": artifact_key(
                r.client_id, r.doc_type.value if r.doc_type else "unknown", r.name
            ),
        }
        for r in results
    ]


@flow(name="process-small-files", persist_result=False, validate_parameters=False)
def process_small_files(
    client_id: str, doc_type: str, files: list[str], work: BatchWork
) -> list[FileResult]:
    """Answer the small files ``work`` holds (named in ``files``) one after the other; a file
    that fails is reported by ``work.take`` and left for the next poll, the others go on.
    When files failed and none was answered, the system is failing: the run fails."""
    results: list[FileResult] = []
    errors: list[str] = []
    with deferred_artifacts(), deferred_discards():
        for index, item in enumerate(work.items):
            for later in work.following(index):
                work.ahead(later)
            taken = work.take(item)
            if isinstance(taken, FileResult):
                results.append(taken)
            elif isinstance(taken, str):
                errors.append(taken)
    other = len(work.items) - len(results) - len(errors)
    message = batch_message(results, len(errors), other)
    if errors and not results:
        raise BatchFailedError(f"{message}; first error: {errors[0]}")
    if results:
        create_table_artifact(
            table=batch_rows(results), description=f"{client_id} {doc_type}: {message}"
        )
    # Prefect ends the run in this named state and hands ``results`` to the caller.
    return cast(
        list[FileResult],
        Completed(name=batch_state_name(results), data=results, message=message),
    )


class BatchFailedError(RuntimeError):
    """Every file of a batch failed for a system reason (each was reported on its own)."""
