"""The ingest flow over each landing scheme (file, sftp, s3) on real local servers.

Proves, per scheme: complete files are processed, archived out of the landing zone, answered
with a receipt in the outbox and billed once; the same bytes again are ``duplicate`` and billed
nothing more; an unknown client folder and an odd name are quarantined with a reason; a file
still being written is taken only once it holds still. Credentials come from the runtime's
environment mapping, never from ``os.environ``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from app.root import App, install_app
from app.settings import Settings
from flows.ingest import IngestSummary, ingest
from landing.files import LandedFile, Refused
from landing.zone import LandingZone
from samples.payroll import BAD_ROUTING, payroll_frame, plant_errors
from schemas.config import load_config
from store.db import make_engine, migrate, transaction
from store.files import sync_clients
from store.models import File, UsageEntry
from store.reconcile import reconcile
from tests.landing.landing_backends import Backend, new_sftp_user
from tests.real_servers import (
    SEAWEED_KEY_ID,
    SEAWEED_SECRET,
    OpenSshServer,
    SeaweedS3Server,
    openssh_server,
    seaweed_server,
)
from tests.servers import S3_KEY_ID, S3_SECRET, S3Server, SftpServer, s3_server, sftp_server

__all__ = ["openssh_server", "s3_server", "seaweed_server", "sftp_server"]

pytestmark = pytest.mark.flow

PREFIX = "BPOTEST"
SFTP_PASSWORD = "ingest-pw"  # a test server's login, nothing secret

CONFIG = """\
[landing]
root = "{base}/landing"
outbox = "{base}/outbox"
archive = "{base}/archive"
quarantine = "{base}/quarantine"
credentials_env = "{prefix}"
{extra}

[clients.acme]
name = "Acme Corp"
currency = "USD"
[clients.acme.rates]
payroll_payment = "0.45"
"""


@dataclass
class Landing:
    """A landing layout on one scheme, the runtime that ingests from it, and direct access."""

    backend: Backend
    rt: App
    extra_env: dict[str, str] = field(default_factory=dict)

    def drop(self, name: str, data: bytes, *, marker: bool = True, client: str = "acme") -> None:
        rel = f"landing/{client}/payroll/{name}"
        self.backend.put(rel, data)
        if marker:
            self.backend.put(f"{rel}.done", b"")

    def files(self, prefix: str) -> list[str]:
        return self.backend.files(prefix)


def payroll_csv(rows: int = 12, seed: int = 7) -> bytes:
    """A batch of its own: each seed pays other employees (the same ones twice would be a
    duplicate payment)."""
    frame = plant_errors(payroll_frame(rows, seed=seed, first_employee=1000 * seed), every=5)
    return frame.write_csv().encode("utf-8")


def _backend(scheme: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Backend, str]:
    """The scheme's layout and the ``[landing]`` lines it needs besides the URLs."""
    from pydantic import SecretStr

    from schemas.landing_options import LandingCredentials

    if scheme == "file":
        local = tmp_path / "zone"
        return Backend("file", f"file://{local}", LandingCredentials(), local=local), ""
    if scheme == "sftp-openssh":
        sshd: OpenSshServer = request.getfixturevalue("openssh_server")
        folder = f"t-{uuid.uuid4().hex[:12]}"
        (sshd.chroot / folder).mkdir()
        ENVIRON[scheme] = {f"{PREFIX}_SFTP_KEY": sshd.client_private_key}
        backend = Backend("sftp", sshd.url(f"/{folder}"), LandingCredentials())
        backend.local = sshd.chroot / folder
        return backend, f'host_key = "{sshd.host_public_key}"'
    if scheme == "s3-seaweedfs":
        weed: SeaweedS3Server = request.getfixturevalue("seaweed_server")
        bucket = weed.new_bucket()
        creds = LandingCredentials(aws_access_key_id=SEAWEED_KEY_ID)
        return Backend("s3", f"s3://{bucket}", creds, s3=weed.client(), bucket=bucket), (
            f's3_endpoint_url = "{weed.endpoint_url}"'
        )
    if scheme == "sftp":
        server: SftpServer = request.getfixturevalue("sftp_server")
        root = tmp_path / "chroot"
        user = new_sftp_user(server, root, password=SFTP_PASSWORD)
        creds = LandingCredentials(password=SecretStr(SFTP_PASSWORD))
        url = server.url(user, "").rstrip("/")
        return Backend("sftp", url, creds, local=root, sftp=server), (
            f'host_key = "{server.host_public_key}"'
        )
    s3: S3Server = request.getfixturevalue("s3_server")
    bucket = s3.new_bucket()
    creds = LandingCredentials(aws_access_key_id=S3_KEY_ID)
    return Backend("s3", f"s3://{bucket}", creds, s3=s3.client(), bucket=bucket), (
        f's3_endpoint_url = "{s3.endpoint_url}"'
    )


ENVIRON: dict[str, dict[str, str]] = {
    "file": {},
    "sftp": {f"{PREFIX}_SFTP_PASSWORD": SFTP_PASSWORD},
    "s3": {f"{PREFIX}_AWS_ACCESS_KEY_ID": S3_KEY_ID, f"{PREFIX}_AWS_SECRET_ACCESS_KEY": S3_SECRET},
    "s3-seaweedfs": {
        f"{PREFIX}_AWS_ACCESS_KEY_ID": SEAWEED_KEY_ID,
        f"{PREFIX}_AWS_SECRET_ACCESS_KEY": SEAWEED_SECRET,
    },
}


@pytest.fixture(params=["file", "sftp", "s3", "sftp-openssh", "s3-seaweedfs"])
def landing(
    request: pytest.FixtureRequest, workdir: Path, db_url: str, tmp_path: Path
) -> Iterator[Landing]:
    scheme: str = request.param
    backend, extra = _backend(scheme, request, tmp_path)
    config_path = workdir / "bpo.toml"
    config_path.write_text(
        CONFIG.format(base=backend.base_url, prefix=PREFIX, extra=extra), encoding="utf-8"
    )
    settings = Settings(database_url=db_url, config=config_path, state_dir=workdir / ".bpo")
    config = load_config(config_path)
    engine = make_engine(db_url)
    migrate(engine)
    with transaction(engine) as db:
        sync_clients(db, config)
    rt = App(settings=settings, config=config, engine=engine, environ=ENVIRON[scheme])
    install_app(rt)
    try:
        yield Landing(backend, rt)
    finally:
        install_app(None)
        engine.dispose()


def usage_count(rt: App) -> int:
    with transaction(rt.engine) as s:
        return int(s.scalar(select(func.count()).select_from(UsageEntry)) or 0)


def file_count(rt: App) -> int:
    with transaction(rt.engine) as s:
        return int(s.scalar(select(func.count()).select_from(File)) or 0)


def run_ingest() -> IngestSummary:
    summary = ingest()
    assert summary.errors == 0, summary
    return summary


def test_ingest_processes_archives_receipts_and_bills_once(landing: Landing) -> None:
    jan, feb = payroll_csv(seed=1), payroll_csv(seed=2)
    landing.drop("jan.csv", jan)
    landing.drop("feb.csv", feb)

    first = run_ingest()

    assert (first.taken, first.duplicates, first.quarantined) == (2, 0, 0)
    assert {f.status for f in first.files} == {"processed"}
    completed = sum(f.completed for f in first.files)
    assert completed == 2 * 10
    assert sum(f.in_review for f in first.files) == 2 * 2
    assert landing.files("landing/acme") == []
    archived = landing.files("archive/acme/payroll")
    assert len(archived) == 4  # two files, each with its marker
    assert {p.rsplit("-", 1)[-1] for p in archived} == {
        "jan.csv",
        "feb.csv",
        "jan.csv.done",
        "feb.csv.done",
    }
    receipts = [p for p in landing.files("outbox/acme/receipts") if p.endswith(".json")]
    assert len(receipts) == 2
    answer = json.loads(landing.backend.get(receipts[0]))
    assert answer["status"] == "processed"
    assert answer["client_id"] == "acme"
    assert usage_count(landing.rt) == completed

    landing.drop("jan-resent.csv", jan)
    again = run_ingest()

    assert (again.taken, again.duplicates) == (0, 1)
    (dup,) = again.files
    assert dup.status == "duplicate"
    assert dup.name == "jan.csv"
    assert usage_count(landing.rt) == completed  # nothing billed twice
    assert file_count(landing.rt) == 2
    assert landing.files("landing/acme") == []
    with transaction(landing.rt.engine) as s:
        assert all(b.ok for b in reconcile(s))


def test_unknown_client_and_odd_names_are_quarantined_with_a_reason(landing: Landing) -> None:
    from botocore.exceptions import ClientError  # type: ignore[import-untyped]

    landing.drop("x.csv", payroll_csv(), client="nobody")
    try:
        landing.drop("..\\..\\etc.csv", payroll_csv(seed=3), marker=False)
    except ClientError as exc:  # SeaweedFS refuses to store such a key at all
        pytest.skip(f"this S3 server refuses such keys itself: {exc}")

    summary = run_ingest()

    assert summary.taken == 0
    assert summary.quarantined == 2
    reasons = {r["client_id"]: str(r["reason"]) for r in summary.refused}
    assert "not a configured client" in reasons[None]
    assert "path separator" in reasons["acme"]
    assert landing.files("landing/nobody") == []
    assert landing.files("landing/acme") == []
    notes = [p for p in landing.files("quarantine") if p.endswith(".reason.txt")]
    assert len(notes) == 2
    texts = [landing.backend.get(p).decode("utf-8") for p in notes]
    assert any("not a configured client" in t for t in texts)
    assert any("path separator" in t for t in texts)
    assert file_count(landing.rt) == 0
    assert usage_count(landing.rt) == 0


def test_a_held_file_goes_to_the_quarantine_with_its_reason(landing: Landing) -> None:
    frame = payroll_frame(40, first_employee=9000).with_columns(
        pl.lit(BAD_ROUTING).alias("routing_number")  # last year's bank list: every row
    )
    landing.drop("swapped.csv", frame.write_csv().encode("utf-8"))
    landing.drop("fine.csv", payroll_csv(seed=5))

    summary = run_ingest()

    assert (summary.taken, summary.quarantined) == (1, 1)
    held = next(f for f in summary.files if f.name == "swapped.csv")
    assert held.status == "quarantined"
    assert held.reason.startswith("FILE-SYSTEMATIC-ERROR: PAY-ROUTING-CHECKSUM")
    assert landing.files("landing/acme") == []
    moved = landing.files("quarantine/acme/payroll")
    assert any(p.endswith("-swapped.csv") for p in moved)
    (note,) = [p for p in moved if p.endswith(".reason.txt")]
    assert "FILE-SYSTEMATIC-ERROR" in landing.backend.get(note).decode("utf-8")
    archived = sorted(p.rsplit("-", 1)[-1] for p in landing.files("archive/acme/payroll"))
    assert archived == ["fine.csv", "fine.csv.done"]
    assert usage_count(landing.rt) == 10  # the fine file's only
    with transaction(landing.rt.engine) as s:
        assert all(b.ok for b in reconcile(s))


def test_a_quarantined_file_sent_again_goes_back_to_the_quarantine_with_its_reason(
    landing: Landing,
) -> None:
    broken = b"\x00\x01 not a table " * 20
    landing.drop("broken.csv", broken)
    first = run_ingest()
    (answer,) = first.files
    assert answer.status == "quarantined"
    assert answer.reason.startswith("FILE-NOT-TABULAR")

    landing.drop("broken-again.csv", broken)
    again = run_ingest()

    assert (again.taken, again.duplicates, again.quarantined) == (0, 0, 1)
    (resent,) = again.files
    assert resent.status == "quarantined"
    assert resent.reason.startswith("FILE-QUARANTINED-BEFORE: the same bytes were quarantined")
    assert "as broken.csv" in resent.reason
    assert answer.reason in resent.reason  # the earlier reason, whole
    assert landing.files("landing/acme") == []
    assert landing.files("archive/acme") == []
    moved = landing.files("quarantine/acme/payroll")
    assert any(p.endswith("-broken-again.csv") for p in moved)
    notes = [p for p in moved if p.endswith("-broken-again.csv.reason.txt")]
    assert "FILE-QUARANTINED-BEFORE" in landing.backend.get(notes[0]).decode("utf-8")
    receipts = [
        json.loads(landing.backend.get(p))
        for p in landing.files("outbox/acme/receipts")
        if p.endswith(".json")
    ]
    assert sorted(r["status"] for r in receipts) == ["quarantined", "quarantined"]
    assert file_count(landing.rt) == 1
    assert usage_count(landing.rt) == 0
    with transaction(landing.rt.engine) as s:
        assert all(b.ok for b in reconcile(s))


def test_a_file_still_being_written_is_taken_once_stable(landing: Landing) -> None:
    full = payroll_csv(seed=4)
    half = full[: len(full) // 2]
    landing.drop("growing.csv", half, marker=False)

    assert run_ingest().taken == 0  # first sight: not yet known to be complete
    landing.drop("growing.csv", full, marker=False)
    assert run_ingest().taken == 0  # size changed since the last poll
    assert landing.files("landing/acme") == ["landing/acme/payroll/growing.csv"]

    done = run_ingest()

    assert done.taken == 1
    (res,) = done.files
    assert res.status == "processed"
    assert res.records == 12
    assert landing.files("landing/acme") == []
    assert usage_count(landing.rt) == res.completed


def test_a_file_taken_by_another_run_after_listing_is_skipped_not_an_error(
    landing: Landing, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing.drop("mine.csv", payroll_csv(seed=5))
    landing.drop("theirs.csv", payroll_csv(seed=6))
    real_scan = LandingZone.scan

    def scan_then_lose_one(zone: LandingZone) -> list[LandedFile | Refused]:
        items = real_scan(zone)
        theirs = next(i for i in items if isinstance(i, LandedFile) and i.name == "theirs.csv")
        zone.archive(theirs)  # what a concurrent ingest run on another worker does
        return items

    monkeypatch.setattr(LandingZone, "scan", scan_then_lose_one)
    summary = run_ingest()

    assert summary.taken_elsewhere == 1
    assert summary.taken == 1
    assert [f.name for f in summary.files] == ["mine.csv"]
    assert landing.files("landing/acme") == []


def test_a_key_with_a_control_character_never_blocks_the_zone(landing: Landing) -> None:
    """Issue 15, finding 11: on a real S3 server s3fs's bulk delete cannot carry such a key; it
    used to stay, be copied to quarantine again on every poll, and stop the poll."""
    landing.drop("bad\x01key.csv", payroll_csv(seed=8), marker=False)
    landing.drop("good.csv", payroll_csv(seed=9))

    first = run_ingest()
    second = run_ingest()

    assert first.taken == 1
    assert first.quarantined == 1
    assert (second.taken, second.quarantined, second.errors) == (0, 0, 0)
    assert landing.files("landing/acme") == []
    moved = landing.files("quarantine/acme")
    assert len([p for p in moved if p.endswith(".reason.txt")]) == 1
    assert len([p for p in moved if not p.endswith(".reason.txt")]) == 1
