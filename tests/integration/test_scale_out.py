"""Scale-out: a Prefect server on PostgreSQL, two process workers on the ``bpo-process`` pool,
one landing zone and one bpo database on PostgreSQL.

A burst of 200 payroll files (plus byte-identical copies under other names) is taken by four
concurrent ingest runs racing over the same zone, two per worker. Afterwards every distinct
file is registered once, every completed transaction has exactly one usage entry, the books
reconcile, and both workers did work. Then the ``ingest`` deployment of ``prefect.yaml`` takes
one new file (drop -> completed is measured) and answers re-dropped copies ``duplicate``.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.integration.burst import Shared, ledger, payroll_bytes
from tests.integration.stack import (
    BIN,
    REPO,
    Child,
    Databases,
    PrefectServer,
    postgres_reachable,
    run,
)

# One Prefect server and two workers for the module: keep its tests on one xdist worker.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("scale-out")]

FILES = 200
COPIES = 5
RUNS = 4
WORKERS = ("bpo-worker-a", "bpo-worker-b")
BURST_DEADLINE_SECONDS = 480
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

#: Module-style entrypoint: Prefect runs a ``path/to/file.py:flow`` entrypoint with the file's
#: folder first on ``sys.path``, where ``flows/billing_close.py`` shadows the ``billing`` package.
BURST_ENTRYPOINT = "flows.ingest:ingest"


@dataclass
class Stack:
    server: PrefectServer
    shared: Shared
    engine: Engine
    workers: list[Child]

    def deployment_id(self, flow: str, name: str) -> str:
        return str(self.server.api("GET", f"/deployments/name/{flow}/{name}")["id"])

    def trigger(self, deployment_id: str) -> str:
        run_ = self.server.api("POST", f"/deployments/{deployment_id}/create_flow_run", {})
        return str(run_["id"])

    def flow_runs(self, **filters: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            page = self.server.api(
                "POST",
                "/flow_runs/filter",
                {"flow_runs": filters, "limit": 200, "offset": len(out)},
            )
            out.extend(page)
            if len(page) < 200:
                return out

    def states(self, ids: list[str]) -> dict[str, str]:
        return {r["id"]: r["state_type"] for r in self.flow_runs(id={"any_": ids})}

    def wait(self, ids: list[str], until: float) -> dict[str, str]:
        while True:
            states = self.states(ids)
            if set(states.values()) <= TERMINAL and len(states) == len(ids):
                return states
            if time.monotonic() > until:
                raise TimeoutError(f"flow runs not finished: {states}\n{self.worker_tail()}")
            time.sleep(0.5)

    def logs(self, flow_run_ids: list[str]) -> list[str]:
        out: list[str] = []
        while True:
            page = self.server.api(
                "POST",
                "/logs/filter",
                {"logs": {"flow_run_id": {"any_": flow_run_ids}}, "limit": 200, "offset": len(out)},
            )
            out.extend(str(entry["message"]) for entry in page)
            if len(page) < 200:
                return out

    def submitted_by(self) -> dict[str, set[str]]:
        """Flow run ids each worker submitted, from its own log."""
        found = {}
        for name, child in zip(WORKERS, self.workers, strict=True):
            found[name] = set(re.findall(r"submitting flow run '([0-9a-f-]{36})'", child.text()))
        return found

    def worker_tail(self) -> str:
        return "\n".join(f"--- {c.log.name}\n{c.text()[-3000:]}" for c in self.workers)


def deploy_burst(server: PrefectServer) -> None:
    """``ingest`` without a deployment concurrency limit, so four runs can race."""
    flow = server.api("POST", "/flows/", {"name": "ingest"})
    server.api(
        "POST",
        "/deployments/",
        {
            "name": "ingest-burst",
            "flow_id": flow["id"],
            "entrypoint": BURST_ENTRYPOINT,
            "work_pool_name": "bpo-process",
            "tags": ["bpo", "ingest", "burst"],
            "pull_steps": [
                {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}
            ],
            "parameter_openapi_schema": {"type": "object", "properties": {}},
        },
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    root = tmp_path_factory.mktemp("scale-out")
    dbs = Databases()
    server: PrefectServer | None = None
    workers: list[Child] = []
    engine: Engine | None = None
    try:
        server = PrefectServer(
            root / "prefect-home",
            dbs.url(dbs.create("prefect"), "asyncpg"),
            root / "server.log",
        )
        shared = Shared(root / "shared", dbs.url(dbs.create("bpo"), "psycopg"))
        engine = shared.prepare()
        healthy = server.wait_healthy()
        print(f"\nprefect server on PostgreSQL healthy after {healthy:.1f}s")
        cli = server.client_env(BPO_HOME=str(REPO))
        prefect = str(BIN / "prefect")
        run(
            [prefect, "work-pool", "create", "bpo-process", "--type", "process", "--overwrite"],
            cli,
            REPO,
        )
        # Every deployment of prefect.yaml, exactly as operators create them.
        run([prefect, "--no-prompt", "deploy", "--all"], cli, REPO)
        deploy_burst(server)
        for name in WORKERS:
            env = server.client_env(
                BPO_DATABASE_URL=shared.database_url,
                BPO_CONFIG=str(shared.config),
                BPO_STATE_DIR=str(root / f"state-{name}"),
                PREFECT_WORKER_QUERY_SECONDS="1",
            )
            workers.append(
                Child(
                    [
                        prefect,
                        "worker",
                        "start",
                        "--pool",
                        "bpo-process",
                        "--type",
                        "process",
                        "--name",
                        name,
                        "--limit",
                        str(RUNS // len(WORKERS)),
                    ],
                    env,
                    root / f"{name}.log",
                    cwd=REPO,
                )
            )
        yield Stack(server, shared, engine, workers)
    finally:
        for child in workers:
            child.stop()
        if server is not None:
            server.stop()
        if engine is not None:
            engine.dispose()
        dbs.close()


def _seconds(run_: dict[str, Any]) -> float:
    start, end = run_.get("start_time"), run_.get("end_time")
    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def test_burst_is_processed_once_and_billed_once_by_two_workers(stack: Stack) -> None:
    shared = stack.shared
    twins: dict[str, str] = {}
    for i in range(FILES):
        sha = shared.drop(f"batch-{i:03d}.csv", payroll_bytes(seed=1000 + i))
        if i < COPIES:
            twins[sha] = f"batch-{i:03d}.csv"
    for i in range(COPIES):
        shared.drop(f"resent-{i:03d}.csv", payroll_bytes(seed=1000 + i))
    burst = stack.deployment_id("ingest", "ingest-burst")

    start = time.monotonic()
    ingest_runs = [stack.trigger(burst) for _ in range(RUNS)]
    states = stack.wait(ingest_runs, until=start + BURST_DEADLINE_SECONDS)
    wall = time.monotonic() - start

    assert set(states.values()) == {"COMPLETED"}, stack.worker_tail()
    assert shared.waiting() == [], "files left in the landing zone"
    assert len(shared.archived()) == 2 * (FILES + COPIES)  # every file and its marker
    books = ledger(stack.engine)
    assert books.files == FILES  # each distinct content registered once
    assert books.shas == FILES
    assert books.unfinished == 0
    assert books.usage_entries == books.completed_records  # each transaction billed ...
    assert books.distinct_usage_keys == books.usage_entries  # ... exactly once
    assert books.completed_records == FILES * 6
    assert [b for b in books.balances if not b.ok] == []
    submitted = stack.submitted_by()
    assert all(submitted[w] & set(ingest_runs) for w in WORKERS), submitted
    per_file = [
        _seconds(r)
        for r in stack.flow_runs(name={"like_": "acme/payroll/"})
        if r["state_type"] == "COMPLETED"
    ]
    print(
        f"burst: {FILES} files + {COPIES} copies, {RUNS} ingest runs on {len(WORKERS)} workers:"
        f" {wall:.1f}s wall ({FILES / wall:.1f} files/s); per-file flow run median"
        f" {statistics.median(per_file):.2f}s over {len(per_file)} runs;"
        f" runs per worker { ({w: len(s & set(ingest_runs)) for w, s in submitted.items()}) }"
    )


def test_a_new_file_is_taken_and_copies_are_answered_duplicate(stack: Stack) -> None:
    shared = stack.shared
    # The originals first (the test does not rely on the burst having run before it).
    for i in range(3):
        shared.drop(f"orig-{i:03d}.csv", payroll_bytes(seed=1000 + i))
    first = stack.trigger(stack.deployment_id("ingest", "ingest-burst"))
    assert stack.wait([first], until=time.monotonic() + 120) == {first: "COMPLETED"}
    before = ledger(stack.engine)
    for i in range(3):
        shared.drop(f"again-{i:03d}.csv", payroll_bytes(seed=1000 + i))
    start = time.monotonic()
    shared.drop("fresh.csv", payroll_bytes(seed=99))
    ingest_run = stack.trigger(stack.deployment_id("ingest", "ingest-burst"))
    states = stack.wait([ingest_run], until=start + 120)
    drop_to_done = time.monotonic() - start

    assert states == {ingest_run: "COMPLETED"}, stack.worker_tail()
    assert shared.waiting() == []
    after = ledger(stack.engine)
    assert after.files == before.files + 1
    assert after.usage_entries == before.usage_entries + 6
    assert after.distinct_usage_keys == after.usage_entries
    assert [b for b in after.balances if not b.ok] == []
    # Four small files are too few to share a run: each has its own, named for it and in the
    # state named for its answer.
    names = [f"acme/payroll/again-{i:03d}.csv" for i in range(3)] + ["acme/payroll/fresh.csv"]
    runs = {r["name"]: r for r in stack.flow_runs(name={"any_": names})}
    assert sorted(runs) == sorted(names)
    assert {n: r["state_name"] for n, r in runs.items()} == {
        **dict.fromkeys(names[:3], "Duplicate"),
        names[3]: "In review",  # the fresh file has records in review
    }
    # Run logs reach the server in batches after the run ends: give them a few seconds.
    copies = [runs[n]["id"] for n in names[:3]]
    deadline = time.monotonic() + 30
    while True:
        messages = stack.logs(copies)
        said = sum("same bytes already processed" in m for m in messages)
        if said == 3 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert said == 3, messages
    fresh = runs[names[3]]
    print(
        f"one small file with a running server: drop -> ingest run completed"
        f" {drop_to_done:.1f}s (worker pickup and flow run process start included);"
        f" its own run {_seconds(fresh):.2f}s"
    )


def test_deploy_all_registers_every_deployment_of_prefect_yaml(stack: Stack) -> None:
    from app.deployments import deployments_spec

    found = stack.server.api("POST", "/deployments/filter", {"limit": 200})
    names = {str(d["name"]) for d in found}
    assert {str(spec["name"]) for spec in deployments_spec()} <= names


def test_the_project_ingest_deployment_runs_on_a_worker(stack: Stack) -> None:
    """The ``ingest`` deployment of ``prefect deploy --all``, run by a worker."""
    assert stack.shared.waiting() == []
    ingest_run = stack.trigger(stack.deployment_id("ingest", "ingest"))
    states = stack.wait([ingest_run], until=time.monotonic() + 120)
    assert states == {ingest_run: "COMPLETED"}
