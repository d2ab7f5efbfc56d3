"""The ``bpo`` command's contracts (DESIGN.md): JSON answers and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from app.root import App
from cli.main import app
from samples.payroll import payroll_frame, plant_errors

runner = CliRunner()


def bpo(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    # A script reads a --json answer from stdout alone (log lines go to stderr); an error
    # is told on stderr.
    answered = "--json" in args and result.exit_code == 0
    return result.exit_code, result.stdout if answered else result.output


@pytest.fixture
def batch(workdir: Path) -> Path:
    path = workdir / "batch.csv"
    plant_errors(payroll_frame(30), every=10).write_csv(path)
    return path


def test_process_json_contract(runtime: App, batch: Path) -> None:
    code, out = bpo("process", str(batch), "--client", "acme", "--type", "payroll", "--json")
    assert code == 0, out
    (f,) = json.loads(out)["files"]
    assert {
        "file_id",
        "path",
        "client_id",
        "doc_type",
        "status",
        "records",
        "completed",
        "in_review",
        "rejected",
        "outputs",
    } <= set(f)
    assert (f["status"], f["records"], f["completed"], f["in_review"]) == ("processed", 30, 27, 3)
    code, out = bpo("process", str(batch), "--client", "acme", "--type", "payroll", "--json")
    assert json.loads(out)["files"][0]["status"] == "duplicate"


def test_process_unknown_client_is_a_usage_error(runtime: App, batch: Path) -> None:
    code, out = bpo("process", str(batch), "--client", "nobody", "--type", "payroll", "--json")
    assert code == 2
    assert "unknown client" in out


def test_process_missing_file_is_a_usage_error(runtime: App, workdir: Path) -> None:
    code, out = bpo("process", "nope.csv", "--client", "acme", "--type", "payroll")
    assert code == 2
    assert "no such file" in out


def test_extract_json_contract_persists_nothing(runtime: App, batch: Path) -> None:
    code, out = bpo("extract", str(batch), "--type", "payroll", "--json")
    assert code == 0, out
    answer = json.loads(out)
    assert answer["file_issues"] == []
    assert len(answer["records"]) == 30
    first = answer["records"][0]
    assert set(first) == {"record_key", "fields", "issues"}
    assert first["record_key"] == "E0000000"
    assert first["fields"]["employee_id"] == "E0000000"
    flagged = [r for r in answer["records"] if r["issues"]]
    assert len(flagged) == 3
    assert {"code", "field", "message"} == set(flagged[0]["issues"][0])
    code, out = bpo("review", "list", "--json")
    assert json.loads(out) == []


def test_extract_unreadable_file_gives_file_issues(runtime: App, workdir: Path) -> None:
    empty = workdir / "empty.csv"
    empty.write_bytes(b"")
    code, out = bpo("extract", str(empty), "--type", "payroll", "--json")
    assert code == 0
    answer = json.loads(out)
    assert answer["records"] == []
    assert answer["file_issues"][0]["code"] == "FILE-EMPTY"


def test_review_list_and_show(runtime: App, batch: Path) -> None:
    bpo("process", str(batch), "--client", "acme", "--type", "payroll")
    code, out = bpo("review", "list", "--client", "acme", "--json")
    items = json.loads(out)
    assert code == 0
    assert len(items) == 3
    assert {"id", "client_id", "doc_type", "file", "record_key", "status", "reasons"} <= set(
        items[0]
    )
    assert items[0]["reasons"][0]["code"].startswith("PAY-")
    code, out = bpo("review", "show", str(items[0]["id"]), "--json")
    assert code == 0
    assert json.loads(out)["record_key"] == items[0]["record_key"]
    code, _ = bpo("review", "show", "999999", "--json")
    assert code == 1


def test_billing_export_csv_columns(runtime: App, batch: Path, workdir: Path) -> None:
    bpo("process", str(batch), "--client", "acme", "--type", "payroll")
    import datetime as dt

    from billing.pricing import period_of

    period = period_of(runtime.config.client("acme"), dt.datetime.now(dt.UTC))
    out = workdir / "usage.csv"
    code, text = bpo(
        "billing",
        "export",
        "--client",
        "acme",
        "--period",
        period,
        "--format",
        "csv",
        "--out",
        str(out),
    )
    assert code == 0, text
    detail = pl.read_csv(out, infer_schema_length=0)
    assert detail.columns == [
        "client_id",
        "period",
        "transaction_id",
        "record_key",
        "doc_type",
        "unit",
        "quantity",
        "unit_price",
        "amount",
        "currency",
        "completed_at",
        "source_file",
        "source_sha256",
        "flow_run_id",
    ]
    assert detail.height == 27
    assert detail.get_column("transaction_id").n_unique() == 27
    employees = set(pl.read_csv(batch, infer_schema_length=0).get_column("employee_id"))
    assert detail.get_column("record_key").null_count() == 0
    assert set(detail.get_column("record_key")) <= employees
    assert detail.get_column("record_key").n_unique() == 27


def test_reconcile_exit_codes(runtime: App, batch: Path) -> None:
    bpo("process", str(batch), "--client", "acme", "--type", "payroll")
    code, out = bpo("reconcile", "--json")
    assert code == 0
    assert json.loads(out)["ok"] is True
    from sqlalchemy import text

    from store.db import transaction

    with transaction(runtime.engine) as s:
        s.execute(text("DELETE FROM review_items"))
    code, out = bpo("reconcile", "--json")
    assert code == 1
    assert json.loads(out)["ok"] is False


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["process", "--help"],
        ["extract", "--help"],
        ["review", "--help"],
        ["review", "list", "--help"],
        ["billing", "export", "--help"],
        ["reconcile", "--help"],
        ["demo", "--help"],
        ["ingest", "--help"],
    ):
        code, out = bpo(*args)
        assert code == 0, args
        assert "Usage" in out, args


def test_a_held_file_is_answered_quarantined_until_accepted(runtime: App, workdir: Path) -> None:
    from samples.payroll import BAD_ROUTING, csv_bytes, export_frame

    frame = export_frame(100).with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0)
        .then(pl.lit(BAD_ROUTING))
        .otherwise("routing_number")
        .alias("routing_number")
    )
    path = workdir / "swapped.csv"
    path.write_bytes(csv_bytes(frame))
    args = ("process", str(path), "--client", "acme", "--type", "payroll", "--json")
    code, out = bpo(*args)
    assert code == 0, out
    (held,) = json.loads(out)["files"]
    assert (held["status"], held["completed"], held["in_review"]) == ("quarantined", 0, 0)
    assert held["reason"].startswith("FILE-SYSTEMATIC-ERROR: PAY-ROUTING-CHECKSUM fails on 50")
    code, out = bpo(*args, "--accept-systematic")
    assert code == 0, out
    (done,) = json.loads(out)["files"]
    assert (done["status"], done["completed"], done["in_review"]) == ("processed", 50, 50)
    code, out = bpo("reconcile", "--json")
    assert code == 0, out
    assert json.loads(out)["clients"]["acme"]["completed"] == 50
