"""``bpo serve`` deployments carry entrypoints a flow run process can load.

A served run is a fresh ``python -m prefect.engine`` process that loads the deployment's
entrypoint; a file-path entrypoint puts ``flows/`` first on ``sys.path`` (where
``flows/billing_close.py`` shadows the ``billing`` package), so ``bpo serve`` uses module paths.
"""

from __future__ import annotations

import json
import subprocess
import sys

from app.deployments import module_entrypoint, runner_deployments
from tests.integration.stack import REPO, clean_environ

LOAD = """\
import json, sys
from prefect.flows import load_flow_from_entrypoint
print(json.dumps([load_flow_from_entrypoint(e, use_placeholder_flow=False).name
                  for e in sys.argv[1:]]))
"""


def test_module_entrypoint() -> None:
    assert module_entrypoint("flows/ingest.py:ingest") == "flows.ingest:ingest"


def test_every_served_entrypoint_loads_in_a_fresh_process() -> None:
    deployments = runner_deployments()
    entrypoints = [d.entrypoint for d in deployments]
    assert all(":" in e and ".py" not in e for e in entrypoints)
    done = subprocess.run(
        [sys.executable, "-c", LOAD, *entrypoints],
        cwd=REPO,
        env=clean_environ(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names = json.loads(done.stdout.strip().splitlines()[-1])
    assert names == [d.flow_name for d in deployments]


def test_bpo_serve_serves_ingest_unscheduled_because_it_watches_the_zones() -> None:
    from flows.serve import WATCHED

    served = {d.name: d for d in runner_deployments(unscheduled={WATCHED})}
    scheduled = {d.name: d for d in runner_deployments()}
    assert scheduled[WATCHED].schedules
    assert not served[WATCHED].schedules
    assert served["billing-close"].schedules  # the others keep theirs
