"""Process-level defaults applied before Prefect is imported (the CLI's entry point only)."""

from __future__ import annotations

import os
from pathlib import Path


def prefect_defaults(state_dir: Path) -> None:
    """Keep Prefect's local home and ephemeral API inside our state folder and quiet.

    Without ``PREFECT_API_URL`` Prefect starts a temporary local API per process; these settings
    keep its database between runs (a warm start is several seconds faster), turn analytics off
    and skip the server services a one-shot command never needs.
    """
    home = (state_dir / "prefect").resolve()
    home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "PREFECT_HOME": str(home),
        # The temporary API needs more than Prefect's default 20 s on a busy 2-core machine.
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false" if not os.environ.get("PREFECT_API_URL") else "true",
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
        "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "0.3",
        # Runs log at INFO to the API (their pages in the UI show what happened); a one-shot
        # command's console shows warnings only, so `--json` and tables stay readable.
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def serve_logging() -> None:
    """``bpo serve`` is watched: its console shows the runs' INFO lines as a worker's does."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "INFO")
