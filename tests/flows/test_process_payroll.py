"""Payroll end to end through the Prefect flow: invariants 1, 2, 3, 4, 6 and 7 of DESIGN.md."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from app.root import App
from flows.process import process_payroll
from review.views import list_items
from samples.payroll import payroll_frame, plant_errors
from store.db import transaction
from store.models import File, Record, ReviewItem, UsageEntry
from store.reconcile import reconcile
from tasks.steps import meter_task, outputs_task


def drop(workdir: Path, name: str, rows: int = 40, every: int = 10) -> Path:
    path = workdir / name
    plant_errors(payroll_frame(rows), every=every).write_csv(path)
    return path


def run(path: Path, client: str = "acme"):  # type: ignore[no-untyped-def]
    return process_payroll(path=str(path), client_id=client, name=path.name)


def usage(rt: App) -> list[UsageEntry]:
    with transaction(rt.engine) as s:
        return list(s.scalars(select(UsageEntry).order_by(UsageEntry.id)))


def test_process_routes_meters_and_balances(runtime: App, workdir: Path) -> None:
    res = run(drop(workdir, "jan.csv"))
    assert res.status == "processed"
    assert (res.records, res.completed, res.in_review, res.rejected) == (40, 36, 4, 0)
    entries = usage(runtime)
    assert len(entries) == 36
    assert {e.unit for e in entries} == {"payroll_payment"}
    assert all(isinstance(e.amount, Decimal) and e.amount == Decimal("0.45") for e in entries)
    assert all(e.currency == "USD" and e.source_file == "jan.csv" for e in entries)
    assert any(o.endswith(".ach") for o in res.outputs)
    with transaction(runtime.engine) as s:
        balances = reconcile(s)
    assert [b.ok for b in balances] == [True]


def test_same_bytes_twice_register_once_and_bill_once(runtime: App, workdir: Path) -> None:
    path = drop(workdir, "jan.csv")
    first = run(path)
    copy = workdir / "jan-again.csv"
    copy.write_bytes(path.read_bytes())
    second = run(copy)
    assert second.status == "duplicate"
    assert second.file_id == first.file_id
    assert (second.completed, second.in_review) == (first.completed, first.in_review)
    assert len(usage(runtime)) == first.completed
    with transaction(runtime.engine) as s:
        assert s.scalar(select(func.count()).select_from(File)) == 1
    assert path.exists()
    assert copy.exists()


def test_crash_between_records_and_usage_is_finished_by_the_next_run(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = drop(workdir, "feb.csv")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("worker killed")

    monkeypatch.setattr(meter_task, "fn", crash)
    monkeypatch.setattr(meter_task, "retries", 0)
    with pytest.raises(RuntimeError):
        run(path)
    with transaction(runtime.engine) as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 40
        assert s.scalar(select(func.count()).select_from(UsageEntry)) == 0
        assert not all(b.ok for b in reconcile(s))  # the stuck file shows
    monkeypatch.undo()

    res = run(path)
    assert res.status == "processed"
    assert res.completed == 36
    assert len(usage(runtime)) == 36
    again = run(path)
    assert again.status == "duplicate"
    assert len(usage(runtime)) == 36
    with transaction(runtime.engine) as s:
        assert all(b.ok for b in reconcile(s))
        assert s.scalar(select(func.count()).select_from(ReviewItem)) == 4


def test_outputs_that_cannot_be_written_bill_nothing_until_a_run_writes_them(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outputs are written beside the record states; a failure there must still stop metering.
    path = drop(workdir, "apr.csv")

    def outbox_down(*args: object, **kwargs: object) -> list[str]:
        raise OSError("outbox unreachable")

    monkeypatch.setattr(outputs_task, "fn", outbox_down)
    monkeypatch.setattr(outputs_task, "retries", 0)
    with pytest.raises(OSError, match="outbox unreachable"):
        run(path)
    with transaction(runtime.engine) as s:
        assert s.scalar(select(func.count()).select_from(Record)) == 40
        assert s.scalar(select(func.count()).select_from(UsageEntry)) == 0
    monkeypatch.undo()

    res = run(path)
    assert res.status == "processed"
    assert any(o.endswith(".ach") for o in res.outputs)
    assert len(usage(runtime)) == res.completed == 36
    assert run(path).status == "duplicate"
    assert len(usage(runtime)) == 36
    with transaction(runtime.engine) as s:
        assert all(b.ok for b in reconcile(s))


def test_meter_is_idempotent_when_retried(runtime: App, workdir: Path) -> None:
    res = run(drop(workdir, "mar.csv"))
    from billing.meter import meter
    from tasks.payroll.extract import extract_payroll
    from tasks.payroll.handler import PayrollHandler

    path = workdir / "mar.csv"
    batch = extract_payroll(path.read_bytes(), "mar.csv", runtime.client_context("acme"))
    with transaction(runtime.engine) as s:
        file = s.get(File, res.file_id)
        assert file is not None
        again = meter(
            s,
            client=runtime.config.client("acme"),
            file=file,
            units=PayrollHandler().billable_units(batch.valid_records()),
            completed_at=file.received_at,
            flow_run_id=None,
        )
    assert again.inserted == 0
    assert again.units == 36
    assert len(usage(runtime)) == 36


def test_bad_file_is_quarantined_and_others_go_on(runtime: App, workdir: Path) -> None:
    empty = workdir / "empty.csv"
    empty.write_bytes(b"")
    bad = run(empty)
    good = run(drop(workdir, "ok.csv"))
    assert bad.status == "quarantined"
    assert "FILE-EMPTY" in bad.reason
    assert good.status == "processed"
    receipts = sorted((workdir / "outbox" / "acme" / "receipts").glob("empty.csv.*.json"))
    assert json.loads(receipts[0].read_text())["status"] == "quarantined"
    with transaction(runtime.engine) as s:
        assert all(b.ok for b in reconcile(s))


def test_reconcile_catches_a_lost_usage_entry(runtime: App, workdir: Path) -> None:
    run(drop(workdir, "apr.csv"))
    with transaction(runtime.engine) as s:
        victim = s.scalars(select(UsageEntry).limit(1)).one()
        s.execute(delete(UsageEntry).where(UsageEntry.id == victim.id))
    with transaction(runtime.engine) as s:
        (balance,) = reconcile(s)
    assert not balance.ok
    assert balance.unbilled == 1


def test_review_view_masks_account_numbers(runtime: App, workdir: Path) -> None:
    path = workdir / "pii.csv"
    frame = plant_errors(payroll_frame(20), every=10)
    frame.write_csv(path)
    run(path)
    account_numbers = set(frame.get_column("account_number").drop_nulls().to_list())
    with transaction(runtime.engine) as s:
        items = list_items(s, client_id="acme")
    assert items
    text = json.dumps(items)
    assert not any(a in text for a in account_numbers)
    assert all(
        it["fields"]["account_number"] is None or it["fields"]["account_number"].startswith("*")
        for it in items
    )


def test_tenant_isolation_in_the_queue(runtime: App, workdir: Path) -> None:
    run(drop(workdir, "a.csv"))
    with transaction(runtime.engine) as s:
        assert list_items(s, client_id="globex") == []
        assert len(list_items(s, client_id="acme")) == 4


def test_review_items_are_due_in_business_hours(runtime: App, workdir: Path) -> None:
    from review.due import business_due

    run(drop(workdir, "sla.csv"))
    client = runtime.config.client("acme")
    with transaction(runtime.engine) as s:
        items = list(s.scalars(select(ReviewItem)))
    assert items
    for item in items:
        assert item.due_at == business_due(item.created_at, client)
        assert item.sla_scheduled


def test_every_finished_file_is_announced_as_an_event(
    runtime: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.operators

    seen: list[dict[str, object]] = []
    monkeypatch.setattr(flows.operators, "emit_event", lambda **kw: seen.append(kw))
    run(drop(workdir, "ev.csv"))
    empty = workdir / "ev-empty.csv"
    empty.write_bytes(b"")
    run(empty)
    assert [e["event"] for e in seen] == ["bpo.file.processed", "bpo.file.quarantined"]
    processed = seen[0]["payload"]
    assert isinstance(processed, dict)
    assert (processed["records"], processed["in_review"], processed["review_share"]) == (40, 4, 0.1)
    resource = seen[1]["resource"]
    assert isinstance(resource, dict)
    assert resource["bpo.client"] == "acme"


def test_a_run_is_named_tagged_and_leaves_its_artifact(runtime: App, workdir: Path) -> None:
    """Operators find a file's run by name and tags and its artifact by client and file name;
    task runs carry the client tag, which is what a per-client concurrency limit
    (``prefect concurrency-limit create client:acme 2``) counts."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )

    res = run(drop(workdir, "feb.csv"))
    with transaction(runtime.engine) as s:
        file = s.get(File, res.file_id)
        assert file is not None
        run_id = UUID(str(file.flow_run_id))
        keys = list(s.scalars(select(ReviewItem.record_key).where(ReviewItem.file_id == file.id)))
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(run_id)
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
        )
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["file-acme-payroll-feb-csv"])
            )
        )
    assert flow_run.name == "acme/payroll/feb.csv"
    assert {"client:acme", "doc:payroll"} <= set(flow_run.tags)
    assert task_runs
    assert all("client:acme" in t.tags for t in task_runs)
    (markdown,) = [
        str(a.data)
        for a in artifacts
        if a.flow_run_id == run_id  # the key recurs across this session's test databases
    ]
    assert "| processed | 40 | 36 | 4 | 0 | 36 |" in markdown
    assert "Records in review (4)" in markdown
    assert len(keys) == 4
    assert all(key in markdown for key in keys)
