"""Small files answered together in one run (``flows.small_files``), on SQLite and PostgreSQL:
each file keeps its own receipt, event and artifact; conservation and exactly-once metering
hold for a batch, for the same bytes twice within one batch, and for a crash in the middle of
a batch that the next poll finishes."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterId,
)
from sqlalchemy import select

import flows.operators
import flows.process
from app.root import App
from flows.ingest import IngestSummary, ingest
from flows.operators import artifact_key
from samples.payroll import payroll_frame, plant_errors
from schemas.outcome import FileOutcome
from store.db import transaction
from store.models import File
from tests.integration.burst import Ledger, ledger

pytestmark = pytest.mark.flow


class Crash(BaseException):
    """The process dying mid-batch (not an error a handler may answer)."""


@pytest.fixture(autouse=True)
def batch_every_small_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests drop a few files and look at how a batch answers them: batch from one file
    on (by default a poll needs ``batch_min_files`` small files before they share a run)."""
    import flows.ingest

    grouped = flows.ingest.small_batches
    monkeypatch.setattr(
        flows.ingest,
        "small_batches",
        lambda items, landing: grouped(items, landing.model_copy(update={"batch_min_files": 1})),
    )


def payroll(seed: int, rows: int = 10) -> bytes:
    """A file of its own: each seed pays other employees; two of its rows go to review."""
    frame = payroll_frame(rows, seed=seed, first_employee=1000 * seed)
    return plant_errors(frame, every=5).write_csv().encode()


def drop(workdir: Path, name: str, data: bytes) -> None:
    path = workdir / "landing" / "acme" / "payroll" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.with_name(name + ".done").write_bytes(b"")


def receipt(workdir: Path, name: str, data: bytes) -> dict[str, Any]:
    """The receipt answering ``name`` (a duplicate's carries ``.duplicate``)."""
    sha = hashlib.sha256(data).hexdigest()
    folder = workdir / "outbox" / "acme" / "receipts"
    (path,) = [
        p
        for p in (folder / f"{name}.{sha[:12]}.json", folder / f"{name}.{sha[:12]}.duplicate.json")
        if p.exists()
    ]
    return dict(json.loads(path.read_text(encoding="utf-8")))


def waiting(workdir: Path) -> list[str]:
    inbox = workdir / "landing" / "acme" / "payroll"
    return sorted(p.name for p in inbox.iterdir() if not p.name.endswith(".done"))


def events(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(flows.operators, "emit_event", lambda **kw: seen.append(kw))
    return seen


def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The files the extraction step reads, each with the thread that read it."""
    read_by: dict[str, str] = {}
    real = flows.process.INLINE.extract

    def extract(*args: Any) -> Any:
        read_by[args[2]] = threading.current_thread().name
        return real(*args)

    monkeypatch.setattr(
        flows.process, "INLINE", dataclasses.replace(flows.process.INLINE, extract=extract)
    )
    return read_by


def assert_billed_once(book: Ledger) -> None:
    """Every record in exactly one state, every completed one billed once."""
    assert book.unfinished == 0
    assert [b for b in book.balances if not b.ok] == []
    completed = sum(b.completed for b in book.balances)
    assert completed == book.completed_records == book.usage_entries
    assert book.distinct_usage_keys == book.usage_entries
    assert sum(b.billed_twice for b in book.balances) == 0


def test_small_files_are_answered_in_one_run_each_with_its_own_answer(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = events(monkeypatch)
    dropped = {f"s{i}.csv": payroll(seed=i + 1) for i in range(5)}
    for name, data in dropped.items():
        drop(workdir, name, data)
    read_by = reads(monkeypatch)

    state = ingest(return_state=True)
    summary: IngestSummary = state.result()

    assert (summary.errors, summary.taken) == (0, 5)
    # Each file is read once: the first in turn, each later one ahead, while one before it
    # was being answered.
    assert sorted(read_by) == sorted(dropped)
    assert sum(thread.startswith("bpo-read-ahead") for thread in read_by.values()) == 4
    assert waiting(workdir) == []
    for name, data in dropped.items():
        answer = receipt(workdir, name, data)
        assert answer["status"] == "processed"
        assert len(answer["records_in_review"]) == 2
    answered = {e["payload"]["file"]: e for e in seen if e["event"] == "bpo.file.processed"}
    assert set(answered) == set(dropped)
    assert {e["payload"]["state"] for e in answered.values()} == {"In review"}
    book = ledger(runtime.engine)
    assert book.files == 5
    assert_billed_once(book)

    # One batch run, named for its files, in the state of the outcome that needs a person;
    # each file's artifact under the key its own run would leave, and a row per file.
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=sorted(run_ids(runtime))))
        )
        keys = [artifact_key("acme", "payroll", name) for name in dropped]
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys))
        )
    (run,) = runs
    assert run.name == "acme/payroll/5 files: s0.csv, s1.csv, s2.csv ... s4.csv"
    assert run.state is not None
    assert (run.state.type.value, run.state.name) == ("COMPLETED", "In review")
    assert {"client:acme", "doc:payroll", "batch"} <= set(run.tags)
    mine = [a for a in artifacts if a.flow_run_id == run.id]
    assert sorted(str(a.key) for a in mine) == sorted(keys)


def run_ids(runtime: App) -> set[UUID]:
    """The flow runs the files' answers name (``File.flow_run_id``)."""
    with transaction(runtime.engine) as s:
        return {UUID(str(i)) for i in s.scalars(select(File.flow_run_id))}


def test_the_same_bytes_twice_within_one_batch_are_billed_once(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = events(monkeypatch)
    same = payroll(seed=7)
    drop(workdir, "first.csv", same)
    drop(workdir, "again.csv", same)
    drop(workdir, "other.csv", payroll(seed=8))

    summary = ingest()

    assert summary.errors == 0
    assert (summary.taken, summary.duplicates) == (2, 1)
    assert waiting(workdir) == []
    statuses = sorted(receipt(workdir, name, same)["status"] for name in ("first.csv", "again.csv"))
    assert statuses == ["duplicate", "processed"]
    assert sorted(e["event"] for e in seen if e["event"].startswith("bpo.file.")) == [
        "bpo.file.duplicate",
        "bpo.file.processed",
        "bpo.file.processed",
    ]
    book = ledger(runtime.engine)
    assert (book.files, book.shas) == (2, 2)
    assert_billed_once(book)


@pytest.mark.parametrize("step", ["route", "meter", "finish"])
def test_a_crash_in_the_middle_of_a_batch_is_finished_by_the_next_poll(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    dropped = {f"c{i}.csv": payroll(seed=20 + i) for i in range(6)}
    for name, data in dropped.items():
        drop(workdir, name, data)
    real = getattr(flows.process.INLINE, step)
    calls = {"n": 0}

    def dies_on_the_third(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            if step == "route":
                real(*args, **kwargs)  # the record states are committed, then it dies
            raise Crash
        return real(*args, **kwargs)

    crashing = dataclasses.replace(flows.process.INLINE, **{step: dies_on_the_third})
    monkeypatch.setattr(flows.process, "INLINE", crashing)
    with pytest.raises(Crash):
        ingest()
    answered_before = 6 - len(waiting(workdir))
    assert answered_before == 2  # the two answered before the crash were archived
    before = ledger(runtime.engine)
    assert before.unfinished == 1

    monkeypatch.setattr(flows.process, "INLINE", dataclasses.replace(crashing, **{step: real}))
    summary = ingest()

    assert summary.errors == 0
    assert (summary.taken, summary.duplicates) == (4, 0)
    assert waiting(workdir) == []
    for name, data in dropped.items():
        assert receipt(workdir, name, data)["status"] == FileOutcome.PROCESSED.value
    book = ledger(runtime.engine)
    assert book.files == 6
    assert_billed_once(book)


def test_a_file_failing_in_a_batch_leaves_the_others_answered(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = events(monkeypatch)
    for i in range(3):
        drop(workdir, f"f{i}.csv", payroll(seed=40 + i))
    real = flows.process.INLINE.meter
    calls = {"n": 0}

    def fails_once(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(
        flows.process, "INLINE", dataclasses.replace(flows.process.INLINE, meter=fails_once)
    )
    summary = ingest()

    assert (summary.taken, summary.errors) == (2, 1)
    assert len(waiting(workdir)) == 1
    assert [e["event"] for e in seen].count("bpo.file.failed") == 1
    retry = ingest()
    assert (retry.taken, retry.errors) == (1, 0)
    assert waiting(workdir) == []
    assert_billed_once(ledger(runtime.engine))
