"""Findings 1 and 6 of issue 15 end to end: a workbook zip bomb and PDF CPU and memory bombs
dropped by a client are answered ``quarantined`` with the budget named, within a time bound,
moved to the quarantine with their reason, and the files beside them are processed: the
worker lives (invariant 9)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.root import App
from cli.main import app as bpo_app
from flows.ingest import ingest
from landing.files import LandedFile
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


@pytest.fixture
def small_budget(runtime: App) -> Iterator[App]:
    """The runtime with a file-size budget of 2,000 bytes, installed for ingest."""
    from app.root import install_app

    limits = runtime.config.limits.model_copy(update={"max_file_bytes": 2_000})
    app = App(
        settings=runtime.settings,
        config=runtime.config.model_copy(update={"limits": limits}),
        engine=runtime.engine,
    )
    install_app(app)
    try:
        yield app
    finally:
        install_app(runtime)
        if app.__dict__.get("reader_pool") is not None:
            app.reader_pool.close()


def _reads(monkeypatch: pytest.MonkeyPatch, grow: bytes = b"") -> list[tuple[str, int]]:
    """Record each landing read (name, bytes read); ``grow`` is appended to the file just
    before it is read (it grew after the listing)."""
    from landing.zone import LandingZone

    seen: list[tuple[str, int]] = []
    read = LandingZone.read

    def recording(zone: LandingZone, item: LandedFile, limit: int = -1) -> bytes:
        if grow:
            with Path(item.path).open("ab") as fh:
                fh.write(grow)
        data = read(zone, item, limit)
        seen.append((item.name, len(data)))
        return data

    monkeypatch.setattr(LandingZone, "read", recording)
    return seen


def _reason(workdir: Path, name: str) -> str:
    (note,) = (workdir / "quarantine" / "acme").rglob(f"*-{name}.reason.txt")
    return note.read_text().split("\nreason: ", 1)[1]


def test_a_file_listed_over_the_size_budget_is_quarantined_unread(
    small_budget: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(monkeypatch)
    big = payroll_frame(40).write_csv().encode()
    assert len(big) > 2_000
    drop(workdir, "acme", "payroll", "big.csv", big)
    drop(workdir, "acme", "payroll", "small.csv", payroll_frame(2).write_csv().encode())
    summary = ingest()
    assert (summary.taken, summary.quarantined, summary.errors) == (1, 1, 0)
    assert [name for name, _n in reads] == ["small.csv"]
    assert not list((workdir / "landing" / "acme").rglob("*.csv*"))  # its marker moved too
    reason = _reason(workdir, "big.csv")
    assert reason.startswith("FILE-TOO-LARGE")
    assert "max_file_bytes" in reason
    receipts = [
        json.loads(r.read_text()) for r in (workdir / "outbox" / "acme" / "receipts").glob("*.json")
    ]
    assert sorted(r["status"] for r in receipts) == ["processed", "quarantined"]
    assert balanced(small_budget)


def test_a_file_that_grew_past_the_budget_after_listing_is_read_no_further(
    small_budget: App, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(monkeypatch, grow=b"9" * 1_000_000)
    drop(workdir, "acme", "payroll", "grew.csv", payroll_frame(2).write_csv().encode())
    summary = ingest()
    assert (summary.taken, summary.quarantined, summary.errors) == (0, 1, 0)
    assert reads == [("grew.csv", 2_001)]  # one byte past the budget, not the megabyte
    assert not list((workdir / "landing" / "acme").rglob("grew.csv*"))
    reason = _reason(workdir, "grew.csv")
    assert reason.startswith("FILE-TOO-LARGE")
    assert "more than 2.0 KiB" in reason
    assert "max_file_bytes" in reason
    assert balanced(small_budget)
