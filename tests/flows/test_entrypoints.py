"""Every prefect.yaml entrypoint imports and is a flow (what `prefect deploy` will load)."""

from __future__ import annotations

import pytest
from prefect import Flow

from app.deployments import deployments_spec, load_entrypoint, schedules_of

SPECS = deployments_spec()


@pytest.mark.parametrize("spec", SPECS, ids=[s["name"] for s in SPECS])
def test_entrypoint_is_a_flow(spec: dict[str, object]) -> None:
    flow = load_entrypoint(str(spec["entrypoint"]))
    assert isinstance(flow, Flow)
    assert spec["work_pool"] == {"name": "bpo-process"}
    schedules_of(spec)  # schedules parse


def test_required_deployments_are_declared() -> None:
    names = {s["name"] for s in SPECS}
    assert {
        "ingest",
        "process-invoices",
        "process-payroll",
        "process-claims",
        "resolve-review-item",
        "billing-close",
    } <= names
