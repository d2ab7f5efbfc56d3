"""Ingest against a hostile or careless landing zone: a link swapped in after the listing, an
entry that cannot be moved, a file whose runs keep failing, an unknown client's folder, and a
client with its own landing root (issue 15 findings 2, 11; issue 18's operator contracts)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import select

import flows.ingest
import flows.operators
from app.root import App, install_app
from flows.ingest import ingest
from landing.files import LandedFile, Refused
from landing.zone import LandingZone
from samples.payroll import payroll_frame, plant_errors
from schemas.config import load_config
from store.db import transaction
from store.models import File
from store.reconcile import reconcile

THEIRS_ROWS = 7


def csv_bytes(rows: int = 10, seed: int = 1) -> bytes:
    return plant_errors(payroll_frame(rows, seed=seed), every=5).write_csv().encode()


def drop(workdir: Path, client: str, name: str, data: bytes, root: str = "landing") -> Path:
    path = workdir / root / client / "payroll" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.with_name(name + ".done").write_bytes(b"")
    return path


def files(rt: App) -> list[File]:
    with transaction(rt.engine) as s:
        return list(s.scalars(select(File).order_by(File.id)))


def events(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(flows.operators, "emit_event", lambda **kw: seen.append(kw))
    return seen


def test_a_link_swapped_in_after_listing_is_refused_never_billed_to_this_client(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = drop(workdir, "acme", "ach.csv", csv_bytes(seed=1))
    theirs = drop(workdir, "globex", "ach.csv", csv_bytes(THEIRS_ROWS, seed=2))
    their_sha = hashlib.sha256(theirs.read_bytes()).hexdigest()
    real_scan = LandingZone.scan

    def scan_then_swap(zone: LandingZone) -> list[LandedFile | Refused]:
        items = real_scan(zone)
        mine.unlink()
        mine.symlink_to(theirs)  # the race: listed as a file, a link at read time
        return items

    monkeypatch.setattr(LandingZone, "scan", scan_then_swap)
    summary = ingest()

    assert not [f for f in files(runtime) if f.client_id == "acme" and f.sha256 == their_sha]
    assert not [f for f in files(runtime) if f.client_id == "acme"]
    refused = [r for r in summary.refused if r["client_id"] == "acme"]
    assert len(refused) == 1
    assert "symbolic link" in str(refused[0]["reason"])
    assert not mine.is_symlink()  # the link itself moved aside, its target untouched
    assert [f.sha256 for f in files(runtime) if f.client_id == "globex"] == [their_sha]
    receipts = list((workdir / "outbox" / "acme" / "receipts").glob("ach.csv.*.json"))
    assert [json.loads(r.read_text())["status"] for r in receipts] == ["quarantined"]


def test_a_poll_survives_an_entry_it_cannot_move(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = workdir / "landing" / "acme" / "payroll" / "tab\there.csv"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"x")
    drop(workdir, "acme", "good.csv", csv_bytes())
    real = LandingZone.quarantine

    def stuck(zone: LandingZone, item: LandedFile | Refused, reason: str) -> str:
        if "tab" in item.name:
            raise OSError("MalformedXML: the key cannot be deleted")
        return real(zone, item, reason)

    monkeypatch.setattr(LandingZone, "quarantine", stuck)
    summary = ingest()
    assert summary.taken == 1
    assert summary.errors == 1
    (problem,) = summary.problems
    assert "MalformedXML" in problem["problem"]
    assert bad.exists()  # left for the next poll, reported
    with transaction(runtime.engine) as s:
        assert all(b.ok for b in reconcile(s))


def test_a_file_that_keeps_failing_for_a_system_reason_is_parked(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = drop(workdir, "acme", "jan.csv", csv_bytes())
    seen = events(monkeypatch)

    def down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(flows.ingest, "_run", down)  # a file's own run
    monkeypatch.setattr(flows.ingest, "_inline", down)  # a small file in its batch's run
    for poll in range(1, 3):
        summary = ingest()
        assert (summary.errors, summary.parked) == (1, 0), poll
        assert path.exists()
    summary = ingest()
    assert summary.parked == 1
    assert not path.exists()
    (note,) = (workdir / "quarantine" / "acme" / "payroll").rglob("*.reason.txt")
    text = note.read_text()
    assert "FILE-PARKED: processing failed 3 times" in text
    assert "database unreachable" in text
    assert [e["event"] for e in seen if e["event"] == "bpo.file.parked"] == ["bpo.file.parked"]
    assert ingest().errors == 0  # not retried forever


def test_an_unknown_clients_folder_is_logged_announced_and_left_an_artifact(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop(workdir, "initech", "tps.csv", csv_bytes())
    seen = events(monkeypatch)
    state = ingest(return_state=True)
    summary = state.result()
    assert [r["client_id"] for r in summary.refused] == [None]
    (event,) = [e for e in seen if e["event"] == "bpo.file.refused"]
    assert event["payload"]["reason"].startswith("folder 'initech' is not a configured client")
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="refused-initech"))
        )
        run = client.read_flow_run(run_id)
    assert [a for a in artifacts if a.flow_run_id == run_id]
    assert run.name == "ingest/refused:1"


def test_ingest_runs_are_named_for_what_they_took(runtime: App, workdir: Path) -> None:
    drop(workdir, "acme", "a.csv", csv_bytes(seed=3))
    drop(workdir, "acme", "b.csv", csv_bytes(seed=4))
    drop(workdir, "globex", "c.csv", csv_bytes(seed=5).replace(b"employee_id", b"Emp #"))
    names = []
    for _ in range(2):
        state = ingest(return_state=True)
        with get_client(sync_client=True) as client:
            names.append(client.read_flow_run(state.state_details.flow_run_id).name)
    assert names == ["ingest/acme:2,globex:1", "ingest/idle"]


OWN_ROOT = """
[clients.initrode]
name = "Initrode"
currency = "USD"
[clients.initrode.rates]
payroll_payment = "0.30"
[clients.initrode.landing]
root = "file://./initrode-sftp"
"""


def test_a_client_with_its_own_root_gets_its_own_outbox_archive_and_quarantine(
    runtime: App, workdir: Path
) -> None:
    config_path = workdir / "bpo.toml"
    config_path.write_text(config_path.read_text() + OWN_ROOT, encoding="utf-8")
    rt = App(
        settings=runtime.settings,
        config=load_config(config_path),
        engine=runtime.engine,
    )
    from store.files import sync_clients

    with transaction(rt.engine) as s:
        sync_clients(s, rt.config)
    install_app(rt)
    own = workdir / "initrode-sftp"
    good = own / "payroll" / "run.csv"
    good.parent.mkdir(parents=True)
    good.write_bytes(csv_bytes(seed=9))
    good.with_name("run.csv.done").write_bytes(b"")
    (own / "payroll" / "bad\tname.csv").write_bytes(b"x")
    (own / "outbox").mkdir()  # its own folders at its root are not refused

    summary = ingest()
    assert summary.taken == 1
    assert summary.quarantined == 1
    assert list((own / "outbox" / "initrode" / "receipts").glob("run.csv.*.json"))
    assert list((own / "outbox" / "initrode" / "payroll").glob("*.ach"))
    assert list((own / "archive" / "initrode" / "payroll").rglob("*-run.csv"))
    assert list((own / "quarantine" / "initrode" / "payroll").rglob("*.reason.txt"))
    shared = workdir / "outbox"
    assert not (shared / "initrode").exists()
    assert not (workdir / "archive" / "initrode").exists()
    assert not (workdir / "quarantine" / "initrode").exists()
    assert ingest().errors == 0
