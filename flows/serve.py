"""``bpo serve``: every deployment of ``prefect.yaml``, served from this one process."""

from __future__ import annotations

from pathlib import Path

from prefect import serve

from app.deployments import PROJECT_FILE, runner_deployments


def serve_all(path: Path = PROJECT_FILE) -> None:  # pragma: no cover - long-running
    serve(*runner_deployments(path))
