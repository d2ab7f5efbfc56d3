"""``bpo serve`` watches the landing zones and starts an ingest run as soon as a file waits.

The ``ingest`` deployment polls on a schedule (a minute by default) and each of its runs
starts a process (seconds of imports). Served from one long-lived process, the watcher lists
the zones every ``watch_interval_seconds`` (half a second by default) without Prefect, and runs
the ingest flow in this process only when a complete file or an entry to refuse waits: a file
dropped is answered in about a second, and an idle zone leaves no ``ingest/idle`` runs.

An entry that a run left where it was (a file failing for a system reason, one that cannot be
moved) does not start a run every half second: while only such entries wait, the watcher waits
``poll_interval_seconds`` before it tries them again.
"""

from __future__ import annotations

import logging
import threading
import time

from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from app.root import App
from flows.ingest import ingest
from landing.zone import LandingZone

log = logging.getLogger(__name__)


class Watcher:
    """Decides when a listing deserves an ingest run (plain logic, tested without Prefect)."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        self._tried: frozenset[str] = frozenset()
        self._last_run = float("-inf")

    def should_run(self, ready: set[str], now: float) -> bool:
        """Run when something waits that the last run did not already try, or when the
        entries it left have waited ``retry_after`` seconds."""
        if not ready:
            self._tried = frozenset()
            return False
        return not ready <= self._tried or now - self._last_run >= self.retry_after

    def ran(self, ready: set[str], now: float) -> None:
        self._tried = frozenset(ready)
        self._last_run = now


def ready_entries(zones: list[LandingZone]) -> set[str]:
    """The URLs of complete files and entries to refuse, over every zone."""
    ready: set[str] = set()
    for zone in zones:
        ready.update(item.url for item in zone.scan())
    return ready


def watch(app: App, stop: threading.Event) -> None:  # pragma: no cover - long-running loop
    """List the zones until ``stop`` is set; run the ingest flow when a file waits."""
    landing = app.config.landing
    zones = app.zones()
    watcher = Watcher(retry_after=float(landing.poll_interval_seconds))
    # Once for the thread: a run's heartbeat costs it ~1 s at exit, and entering Prefect's
    # temporary settings per run would cost 0.1-1 s each time.
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        while not stop.wait(landing.watch_interval_seconds):
            try:
                ready = ready_entries(zones)
            except Exception:  # an unreachable zone: the next listing tries again
                log.exception("cannot list the landing zones")
                continue
            if not watcher.should_run(ready, time.monotonic()):
                continue
            try:
                ingest()
            except Exception:  # the run is Failed in Prefect with its traceback; keep watching
                log.exception("ingest run failed")
            watcher.ran(ready, time.monotonic())


def start_watching(app: App) -> tuple[threading.Thread, threading.Event]:
    """The watcher on a daemon thread, and the event that stops it."""
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(app, stop), name="bpo-watch", daemon=True)
    thread.start()
    return thread, stop
