"""A real Prefect stack for integration tests: PostgreSQL databases, a Prefect server and
process workers, each a child process in its own process group on 127.0.0.1.

Background Prefect workers ignore SIGINT and SIGTERM unless they lead their own process group,
so every child leads its own process group and is stopped by signalling the whole group.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

LOOPBACK = "127.0.0.1"
PG_ADMIN_URL = os.environ.get(
    "BPO_TEST_PG_ADMIN_URL", f"postgresql://postgres@{LOOPBACK}:5432/test"
)
BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


class Databases:
    """Fresh PostgreSQL databases for one test run, dropped (connections and all) at close."""

    def __init__(self, admin_url: str = PG_ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.names: list[str] = []

    def create(self, prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.names.append(name)
        return name

    def url(self, name: str, driver: str) -> str:
        """``driver`` is ``asyncpg`` (Prefect's server) or ``psycopg`` (bpo)."""
        return f"postgresql+{driver}://postgres@{LOOPBACK}:5432/{name}"

    def close(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in reversed(self.names):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.names.clear()


def clean_environ(**extra: str) -> dict[str, str]:
    """This process's environment without any ``PREFECT_``/``BPO_`` setting, plus ``extra``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BPO_"))}
    base["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    base["PYTHONUNBUFFERED"] = "1"
    return {**base, **extra}


class Child:
    """A child process leading its own process group; output goes to ``log``."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str], log: Path, cwd: Path) -> None:
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            list(args),
            env=dict(env),
            cwd=cwd,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            process_group=0,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM to the whole group, then SIGKILL to whatever is left of it."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is not None and not _group_alive(self.proc.pid):
                break
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                continue
            if not _group_alive(self.proc.pid):
                break
        self._out.close()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def run(args: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 120) -> str:
    """Run a short command; fail with its output when it fails."""
    done = subprocess.run(
        list(args), env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        output = f"{done.stdout}{done.stderr}"
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}:\n{output}")
    return done.stdout


class PrefectServer:
    """``prefect server start`` on PostgreSQL, bound to 127.0.0.1 on a free port."""

    def __init__(self, home: Path, database_url: str, logs: Path) -> None:
        self.port = free_port()
        self.api_url = f"http://{LOOPBACK}:{self.port}/api"
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        env = clean_environ(
            PREFECT_HOME=str(home),
            PREFECT_API_URL=self.api_url,
            PREFECT_SERVER_API_HOST=LOOPBACK,
            PREFECT_SERVER_API_PORT=str(self.port),
            PREFECT_API_DATABASE_CONNECTION_URL=database_url,
            PREFECT_UI_ENABLED="false",
            # Runs come from the test only: no schedules fire while it counts.
            PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false",
        )
        self.child = Child([str(BIN / "prefect"), "server", "start"], env, logs, cwd=home)

    def client_env(self, **extra: str) -> dict[str, str]:
        """What a CLI call or a worker needs to talk to this server."""
        return clean_environ(PREFECT_HOME=str(self.home), PREFECT_API_URL=self.api_url, **extra)

    def wait_healthy(self, timeout: float = 120) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.child.proc.poll() is not None:
                raise RuntimeError(f"prefect server exited:\n{self.child.text()[-4000:]}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return time.monotonic() - start
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        tail = self.child.text()[-4000:]
        raise TimeoutError(f"prefect server not healthy in {timeout}s:\n{tail}")

    def api(self, method: str, path: str, json: Any = None) -> Any:
        response = httpx.request(method, f"{self.api_url}{path}", json=json, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def stop(self) -> None:
        self.child.stop()
