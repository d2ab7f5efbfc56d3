"""Findings 1 and 6 of issue 15 end to end: a workbook zip bomb and PDF CPU and memory bombs
dropped by a client are answered ``quarantined`` with the budget named, within a time bound,
moved to the quarantine with their reason, and the files beside them are processed: the
worker lives (invariant 9)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.root import App
from cli.main import app as bpo_app
from flows.ingest import ingest
from samples.hostile import facturx_bomb, pdf_operator_bomb, pdf_stream_bomb, xlsx_bomb
from samples.payroll import payroll_frame
from store.db import transaction
from store.reconcile import reconcile

runner = CliRunner()


def drop(workdir: Path, client: str, doc_type: str, name: str, data: bytes) -> Path:
    path = workdir / "landing" / client / doc_type / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.with_name(name + ".done").write_bytes(b"")
    return path


def balanced(rt: App) -> bool:
    with transaction(rt.engine) as s:
        return all(b.ok for b in reconcile(s))


@pytest.mark.parametrize(
    ("doc_type", "name", "make", "code", "budget"),
    [
        ("payroll", "bomb.xlsx", xlsx_bomb, "FILE-TOO-LARGE", "max_cells"),
        ("invoices", "ops.pdf", pdf_operator_bomb, "FILE-TOO-COMPLEX", "max_operators_per_page"),
        ("invoices", "page.pdf", pdf_stream_bomb, "FILE-TOO-LARGE", "max_stream_bytes"),
        ("invoices", "fx.pdf", facturx_bomb, "FILE-TOO-LARGE", "max_attachment_bytes"),
    ],
)
def test_bpo_process_answers_a_bomb_within_its_budget(
    runtime: App,
    workdir: Path,
    doc_type: str,
    name: str,
    make: Callable[[], bytes],
    code: str,
    budget: str,
) -> None:
    bomb = workdir / name
    bomb.write_bytes(make())
    good = workdir / "good.csv"
    payroll_frame(5).write_csv(good)
    start = time.monotonic()
    result = runner.invoke(
        bpo_app, ["process", str(bomb), "--client", "acme", "--type", doc_type, "--json"]
    )
    seconds = time.monotonic() - start
    assert result.exit_code == 0, result.output
    (answer,) = json.loads(result.output)["files"]
    assert answer["status"] == "quarantined"
    assert answer["reason"].startswith(code)
    assert budget in answer["reason"]
    assert seconds < 60
    # The worker (this process) lives on and takes the next file.
    result = runner.invoke(
        bpo_app, ["process", str(good), "--client", "acme", "--type", "payroll", "--json"]
    )
    assert json.loads(result.output)["files"][0]["status"] == "processed"
    assert balanced(runtime)


def test_ingest_quarantines_bombs_and_takes_the_files_beside_them(
    runtime: App, workdir: Path
) -> None:
    drop(workdir, "acme", "payroll", "bomb.xlsx", xlsx_bomb())
    drop(workdir, "acme", "invoices", "ops.pdf", pdf_operator_bomb())
    drop(workdir, "globex", "payroll", "run.csv", payroll_frame(4).write_csv().encode())
    start = time.monotonic()
    summary = ingest()
    assert time.monotonic() - start < 120
    assert (summary.taken, summary.quarantined, summary.errors) == (1, 2, 0)
    reasons = sorted((workdir / "quarantine" / "acme").rglob("*.reason.txt"))
    texts = " ".join(r.read_text() for r in reasons)
    assert "FILE-TOO-LARGE" in texts
    assert "FILE-TOO-COMPLEX" in texts
    assert not list((workdir / "archive" / "acme").rglob("*bomb.xlsx"))
    receipts = [
        json.loads(r.read_text()) for r in (workdir / "outbox" / "acme" / "receipts").glob("*.json")
    ]
    assert sorted(r["status"] for r in receipts) == ["quarantined", "quarantined"]
    assert list((workdir / "outbox" / "globex" / "receipts").glob("run.csv.*.json"))
    assert balanced(runtime)


def test_bpo_extract_answers_a_bomb_with_its_file_issue(workdir: Path) -> None:
    bomb = workdir / "ops.pdf"
    bomb.write_bytes(pdf_operator_bomb())
    result = runner.invoke(bpo_app, ["extract", str(bomb), "--type", "invoices", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["records"] == []
    assert [i["code"] for i in answer["file_issues"]] == ["FILE-TOO-COMPLEX"]


def test_a_clients_own_limits_apply_to_its_files_only(workdir: Path, db_url: str) -> None:
    from app.root import install_app
    from app.settings import Settings
    from schemas.config import load_config
    from store.db import make_engine, migrate
    from store.files import sync_clients

    config_path = workdir / "bpo.toml"
    config_path.write_text(
        config_path.read_text() + "\n[clients.acme.limits]\nmax_rows = 3\n", encoding="utf-8"
    )
    engine = make_engine(db_url)
    migrate(engine)
    config = load_config(config_path)
    with transaction(engine) as s:
        sync_clients(s, config)
    settings = Settings(database_url=db_url, config=config_path, state_dir=workdir / ".bpo")
    rt = App(settings=settings, config=config, engine=engine)
    install_app(rt)
    try:
        batch = workdir / "run.csv"
        payroll_frame(5).write_csv(batch)
        answers = {}
        for client in ("acme", "globex"):
            result = runner.invoke(
                bpo_app, ["process", str(batch), "--client", client, "--type", "payroll", "--json"]
            )
            answers[client] = json.loads(result.output)["files"][0]
    finally:
        install_app(None)
        if rt.__dict__.get("reader_pool") is not None:
            rt.reader_pool.close()
        engine.dispose()
    assert answers["acme"]["status"] == "quarantined"
    assert answers["acme"]["reason"].startswith("FILE-TOO-LARGE")
    assert "max_rows" in answers["acme"]["reason"]
    assert answers["globex"]["status"] == "processed"
