"""The outbox against the store: what a client can read must be what the store backs.

Three ways they can disagree, each reported with what to do:

- a file in ``<outbox>/<client_id>/`` with no publication row: nothing committed backs it (an
  output written before its records committed, or put there by hand);
- a published row whose file is gone (or has another size): the client lost an answer;
- a committed row still staged: the answer is committed but not yet published; the next
  ingest poll (or the next run of the same bytes) publishes it.

``billing/`` holds finance's exports of closed periods, written on request: not checked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from landing.outbox import FsOutbox
from store.db import transaction
from store.publication_models import PublicationStatus
from store.publications import ledger

#: Folders of the outbox written on request rather than by runs and decisions.
UNCHECKED = ("billing/",)


@dataclass(frozen=True)
class OutboxProblem:
    client_id: str
    name: str
    problem: str


def check_outbox(engine: Engine, outbox: FsOutbox) -> list[OutboxProblem]:
    """Every disagreement between the client's outbox folder and the publication ledger."""
    cid = outbox.client_id
    with transaction(engine) as session:
        entries = ledger(session, client_id=cid)
    try:
        present = outbox.published()
    except Exception as exc:  # an outbox we cannot list is itself the finding
        return [OutboxProblem(cid, "", f"outbox {outbox.folder.url} cannot be listed: {exc}")]
    problems: list[OutboxProblem] = []
    for name, size in sorted(present.items()):
        if name.startswith(UNCHECKED):
            continue
        entry = entries.get(name)
        if entry is None:
            problems.append(
                OutboxProblem(
                    cid, name, "in the outbox, but no committed file or decision backs it"
                )
            )
        elif entry.size >= 0 and entry.size != size:
            problems.append(
                OutboxProblem(cid, name, f"{size} bytes in the outbox, {entry.size} published")
            )
    for name, entry in sorted(entries.items()):
        if name in present:
            continue
        if entry.status == PublicationStatus.PUBLISHED:
            problems.append(OutboxProblem(cid, name, "published, but missing from the outbox"))
        else:
            problems.append(
                OutboxProblem(
                    cid,
                    name,
                    "committed but not published yet: `bpo ingest --once` publishes it",
                )
            )
    return problems
