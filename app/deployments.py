"""The deployments of ``prefect.yaml`` as Prefect objects, for ``bpo serve`` to serve them all
from one process (``flows.serve``)."""

from __future__ import annotations

import importlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from prefect.schedules import Cron, Interval

PROJECT_FILE = Path(__file__).resolve().parents[1] / "prefect.yaml"


def deployments_spec(path: Path = PROJECT_FILE) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data.get("deployments", []))


def module_entrypoint(entrypoint: str) -> str:
    """``flows/ingest.py:ingest`` -> ``flows.ingest:ingest``.

    Prefect runs a file-path entrypoint with the file's folder first on ``sys.path``, so a
    module there named like one of our packages would shadow it; a module path imports cleanly.
    """
    file, _, attr = entrypoint.partition(":")
    return f"{file.removesuffix('.py').replace('/', '.')}:{attr}"


def load_entrypoint(entrypoint: str) -> Any:
    """``flows/ingest.py:ingest`` -> the flow object."""
    module, _, attr = module_entrypoint(entrypoint).partition(":")
    return getattr(importlib.import_module(module), attr)


def schedules_of(spec: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for s in spec.get("schedules") or []:
        if "interval" in s:
            out.append(Interval(timedelta(seconds=int(s["interval"]))))
        elif "cron" in s:
            out.append(Cron(s["cron"], timezone=s.get("timezone", "UTC")))
    return out


def runner_deployments(
    path: Path = PROJECT_FILE, *, unscheduled: frozenset[str] | set[str] = frozenset()
) -> list[Any]:
    """The deployments ``bpo serve`` runs, each with a module entrypoint its runs can load;
    those named in ``unscheduled`` without their schedules (``bpo serve`` watches the landing
    zones itself instead of polling them on the ``ingest`` schedule)."""
    deployments = []
    for spec in deployments_spec(path):
        deployment = load_entrypoint(spec["entrypoint"]).to_deployment(
            name=spec["name"],
            tags=spec.get("tags"),
            description=spec.get("description"),
            schedules=[] if spec["name"] in unscheduled else schedules_of(spec),
            parameters=spec.get("parameters") or {},
        )
        deployment.entrypoint = module_entrypoint(spec["entrypoint"])
        deployments.append(deployment)
    return deployments
