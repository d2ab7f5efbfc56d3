"""Many small files: files/s through one ``bpo ingest --once`` and drop -> completed through
``bpo serve``, both against a running Prefect server, each beside a naive baseline measured in
the same run: a plain Python loop (no Prefect, no store) calling the same extract and validate
functions on the same files, and for latency the same loop watching the folder at the same
interval.

Starts its own Prefect server on 127.0.0.1 (``--api-url`` to use a running one instead), writes
payroll files of ``--rows`` rows (each file pays other employees, one row in ten broken), and
prints a table. "Completed" is the file's receipt in the client's outbox: the answer committed,
routed, metered and published.

    .venv/bin/python bench/ingest.py                       # 200 files of 20 rows, 20 drops
    .venv/bin/python bench/ingest.py --files 50 --drops 10
    .venv/bin/python bench/ingest.py --per-file-runs 20    # also the one-run-per-file path
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent
CLIENT = "acme"

CONFIG = """\
[landing]
root = "file://{root}/landing"
outbox = "file://{root}/outbox"
archive = "file://{root}/archive"
quarantine = "file://{root}/quarantine"
watch_interval_seconds = {watch}
{extra}

[clients.acme]
name = "Acme Corp"
currency = "USD"
[clients.acme.rates]
payroll_payment = "0.45"
"""


def payroll_bytes(seed: int, rows: int) -> bytes:
    from samples.payroll import payroll_frame, plant_errors

    frame = payroll_frame(rows, seed=seed, first_employee=1000 * seed)
    return plant_errors(frame, every=10).write_csv().encode("utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BPO_"))}
    return {**base, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra}


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def prefect_server(home: Path) -> Iterator[str]:
    import httpx

    port = _free_port()
    env = _env(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_UI_ENABLED="false",
    )
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"Prefect server did not start; see {home / 'server.log'}")
        yield url
    finally:
        _stop(proc)
        log.close()


class Workdir:
    """A config, a landing zone and a store of their own for one measurement."""

    def __init__(self, root: Path, api_url: str, watch: float, extra: str = "") -> None:
        self.root = root
        root.mkdir(parents=True)
        (root / "bpo.toml").write_text(
            CONFIG.format(root=root.as_posix(), watch=watch, extra=extra), encoding="utf-8"
        )
        self.env = _env(
            PREFECT_API_URL=api_url,
            PREFECT_HOME=str(root / "prefect-home"),
            BPO_CONFIG=str(root / "bpo.toml"),
            BPO_DATABASE_URL=f"sqlite:///{root / 'bpo.db'}",
            BPO_STATE_DIR=str(root / ".bpo"),
        )

    @property
    def inbox(self) -> Path:
        return self.root / "landing" / CLIENT / "payroll"

    def drop(self, name: str, data: bytes) -> Path:
        """Write the file, then its ``.done`` marker; the receipt that will answer it."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        tmp = self.inbox / f".{name}.part"
        tmp.write_bytes(data)
        tmp.replace(self.inbox / name)
        (self.inbox / f"{name}.done").write_bytes(b"")
        sha = hashlib.sha256(data).hexdigest()
        return self.root / "outbox" / CLIENT / "receipts" / f"{name}.{sha[:12]}.json"

    def bpo(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "bpo"), *args],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        )


def _payroll_extract(config_path: Path) -> Callable[[bytes, str], object]:
    """The same extract and validate functions the pipeline calls, bound to the client."""
    from schemas.config import load_config
    from schemas.doc_type import DocType
    from tasks.doctype import ClientContext
    from tasks.registry import handler_for

    config = load_config(config_path)
    ctx = ClientContext(client=config.clients[CLIENT], base_dir=config.base_dir)
    handler = handler_for(DocType.PAYROLL)
    return lambda data, name: handler.extract(data, name, ctx)


def baseline_throughput(files: list[tuple[str, bytes]], folder: Path, config: Path) -> float:
    """A plain loop: read each file from disk, extract and validate it; files/s."""
    folder.mkdir(parents=True)
    for name, data in files:
        (folder / name).write_bytes(data)
    extract = _payroll_extract(config)
    start = time.perf_counter()
    for path in sorted(folder.iterdir()):
        extract(path.read_bytes(), path.name)
    return len(files) / (time.perf_counter() - start)


def ours_throughput(
    work: Workdir, files: list[tuple[str, bytes]]
) -> tuple[float, float, dict[str, int]]:
    """Files/s of one ``bpo ingest --once`` over ``files``: the command's wall time (process
    start included), and the files answered per second inside its ingest run."""
    work.bpo("reconcile")  # migrate the store before timing
    receipts = [work.drop(name, data) for name, data in files]
    start = time.perf_counter()
    out = work.bpo("ingest", "--once", "--json")
    wall = time.perf_counter() - start
    summary = json.loads(out.stdout)
    missing = [r for r in receipts if not r.exists()]
    if missing or summary["errors"]:
        raise RuntimeError(f"{len(missing)} files unanswered; {summary['problems'][:3]}")
    inside = _ingest_run_seconds(work)
    counts = {k: int(summary[k]) for k in ("taken", "duplicates", "quarantined", "errors")}
    return len(files) / wall, len(files) / inside, counts


def _ingest_run_seconds(work: Workdir) -> float:
    """The ingest flow run's own duration, as the Prefect server recorded it."""
    import httpx

    api = work.env["PREFECT_API_URL"]
    body = {"flow_runs": {"name": {"like_": "ingest/"}}, "sort": "START_TIME_DESC", "limit": 1}
    (run,) = httpx.post(f"{api}/flow_runs/filter", json=body, timeout=30).json()
    return float(run["total_run_time"])


def _watch_baseline(folder: Path, done: Path, interval: float, config: Path) -> Callable[[], None]:
    """A plain loop watching ``folder`` every ``interval``: extract + validate each marked
    file, then write ``done/<name>``; returns the function that stops it."""
    extract = _payroll_extract(config)
    stop = threading.Event()
    done.mkdir(parents=True, exist_ok=True)

    def loop() -> None:
        seen: set[str] = set()
        while not stop.wait(interval):
            for marker in folder.glob("*.done"):
                name = marker.name.removesuffix(".done")
                if name in seen:
                    continue
                extract((folder / name).read_bytes(), name)
                (done / name).write_bytes(b"")
                seen.add(name)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return lambda: (stop.set(), thread.join())  # type: ignore[func-returns-value]


def _latencies(
    drops: int, rows: int, seed0: int, drop: Callable[[str, bytes], Path]
) -> list[float]:
    out = []
    rng = random.Random(seed0)
    for i in range(drops):
        name = f"drop-{seed0 + i:05d}.csv"
        data = payroll_bytes(seed0 + i, rows)
        time.sleep(rng.uniform(0.2, 1.0))  # drops fall anywhere in the watch interval
        start = time.perf_counter()
        answer = drop(name, data)
        deadline = start + 120
        while not answer.exists():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{name} not answered within 120 s")
            time.sleep(0.01)
        out.append(time.perf_counter() - start)
    return out


def baseline_latency(root: Path, drops: int, rows: int, watch: float, config: Path) -> list[float]:
    folder, done = root / "inbox", root / "done"
    folder.mkdir(parents=True)
    stop = _watch_baseline(folder, done, watch, config)

    def drop(name: str, data: bytes) -> Path:
        (folder / name).write_bytes(data)
        (folder / f"{name}.done").write_bytes(b"")
        return done / name

    try:
        return _latencies(drops, rows, 50_000, drop)
    finally:
        stop()


def ours_latency(work: Workdir, drops: int, rows: int) -> list[float]:
    """Drop -> receipt through ``bpo serve`` (after one warm-up file)."""
    work.bpo("reconcile")
    log = (work.root / "serve.log").open("wb")
    proc = subprocess.Popen(
        [str(BIN / "bpo"), "serve"],
        env=work.env,
        cwd=work.root,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    try:
        _latencies(1, rows, 60_000, work.drop)  # serve has started and answered once
        return _latencies(drops, rows, 70_000, work.drop)
    finally:
        _stop(proc)
        log.close()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--drops", type=int, default=20)
    parser.add_argument("--watch", type=float, default=0.5, help="watch interval (seconds)")
    parser.add_argument("--per-file-runs", type=int, default=0, help="files for the old path")
    parser.add_argument("--api-url", help="a running Prefect server (default: start one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        base = Path(tmp)
        (base / "prefect").mkdir()
        server = nullcontext_url(args.api_url) if args.api_url else prefect_server(base / "prefect")
        with server as api_url:
            files = [
                (f"small-{i:05d}.csv", payroll_bytes(i + 1, args.rows)) for i in range(args.files)
            ]
            ours_work = Workdir(base / "ours", api_url, args.watch)
            base_fps = baseline_throughput(files, base / "baseline", ours_work.root / "bpo.toml")
            wall_fps, run_fps, counts = ours_throughput(ours_work, files)
            rows = [
                ("baseline: plain loop, extract + validate", f"{base_fps:.1f}", "", ""),
                ("ours: bpo ingest --once (command wall)", f"{wall_fps:.1f}", "", ""),
                ("ours: inside the ingest run", f"{run_fps:.1f}", "", ""),
            ]
            if args.per_file_runs:
                old = Workdir(base / "per-file", api_url, args.watch, extra="small_file_bytes = 0")
                old_fps, old_run_fps, _ = ours_throughput(old, files[: args.per_file_runs])
                rows.append(("one run per file (command wall)", f"{old_fps:.2f}", "", ""))
                rows.append(("one run per file (inside the run)", f"{old_run_fps:.2f}", "", ""))
            base_lat = baseline_latency(
                base / "watch-baseline",
                args.drops,
                args.rows,
                args.watch,
                ours_work.root / "bpo.toml",
            )
            lat = ours_latency(Workdir(base / "serve", api_url, args.watch), args.drops, args.rows)
            rows.append(
                (
                    f"baseline: plain watch loop every {args.watch}s, drop -> done",
                    "",
                    f"{statistics.median(base_lat):.2f}",
                    f"{_pct(base_lat, 0.95):.2f}",
                )
            )
            rows.append(
                (
                    "ours: bpo serve, drop -> receipt",
                    "",
                    f"{statistics.median(lat):.2f}",
                    f"{_pct(lat, 0.95):.2f}",
                )
            )
    load = os.getloadavg()
    print(
        f"{args.files} payroll files x {args.rows} rows ({counts}); {args.drops} single drops;"
        f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs"
    )
    print(f"{'path':<52} {'files/s':>8} {'p50 s':>7} {'p95 s':>7}")
    for label, fps, p50, p95 in rows:
        print(f"{label:<52} {fps:>8} {p50:>7} {p95:>7}")


@contextmanager
def nullcontext_url(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    main()
