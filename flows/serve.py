"""``bpo serve``: every deployment of ``prefect.yaml``, served from this one process, and the
landing zones watched from it (``flows.watch``): a dropped file is answered in about a second
by an ingest run in this process, instead of waiting for the ``ingest`` schedule and a process
start. The ``ingest`` deployment stays served without its schedule, for runs started by hand.
"""

from __future__ import annotations

from pathlib import Path

from prefect import serve

from app.deployments import PROJECT_FILE, runner_deployments
from app.root import current_app
from flows.watch import start_watching

#: The deployment the watcher replaces the schedule of.
WATCHED = "ingest"


def serve_all(path: Path = PROJECT_FILE) -> None:  # pragma: no cover - long-running
    _thread, stop = start_watching(current_app())
    try:
        serve(*runner_deployments(path, unscheduled={WATCHED}))
    finally:
        stop.set()
