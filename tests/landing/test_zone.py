"""LandingZone on file://, sftp:// and s3:// alike: completeness, reads, archive, quarantine."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from landing.files import LandedFile, Refused
from landing.zone import LandingZone
from schemas.doc_type import DocType
from tests.landing.landing_backends import Backend

CSV = b"employee_id,net_pay\nE1,100.00\n"


def ready(zone: LandingZone) -> list[LandedFile]:
    return [f for f in zone.scan() if isinstance(f, LandedFile)]


def refused(zone: LandingZone) -> list[Refused]:
    return [f for f in zone.scan() if isinstance(f, Refused)]


def test_a_file_still_growing_is_not_taken(backend: Backend) -> None:
    zone = backend.zone()
    backend.put("landing/acme/payroll/batch.csv", CSV[:10])
    assert ready(zone) == []
    backend.put("landing/acme/payroll/batch.csv", CSV)  # still being written
    assert ready(zone) == []
    [f] = ready(zone)  # unchanged over two listings
    assert (f.client_id, f.doc_type, f.name, f.size) == ("acme", DocType.PAYROLL, "batch.csv", 30)
    assert f.url == backend.url("landing/acme/payroll/batch.csv")
    assert f.version


def test_previous_listing_survives_a_fresh_process(backend: Backend, tmp_path: Path) -> None:
    state = tmp_path / "state" / "landing.json"
    backend.put("landing/globex/claims/x.837", b"ISA*00*")
    assert ready(backend.zone(state_path=state)) == []
    assert json.loads(state.read_text())["files"]
    [f] = ready(backend.zone(state_path=state))  # a new zone, as in `bpo ingest --once`
    assert f.client_id == "globex"


def test_done_marker_makes_a_file_ready_at_once(backend: Backend) -> None:
    backend.put("landing/acme/invoices/inv.pdf", b"%PDF-1.7")
    backend.put("landing/acme/invoices/inv.pdf.done", b"")
    [f] = ready(backend.zone())
    assert f.name == "inv.pdf"
    assert f.marker_path is not None


def test_partial_uploads_and_dot_files_are_skipped_silently(backend: Backend) -> None:
    for name in ("a.csv.part", "b.tmp", "c.filepart", "d.crdownload", ".hidden", "e.done"):
        backend.put(f"landing/acme/payroll/{name}", b"x")
    zone = backend.zone()
    assert zone.scan() == []
    assert zone.scan() == []


def test_dropped_connection_mid_download_retries_and_takes_the_file_once(
    backend: Backend,
) -> None:
    data = bytes(range(256)) * 2048  # 512 KiB: several SFTP read requests
    backend.put("landing/acme/claims/big.837", data)
    backend.put("landing/acme/claims/big.837.done", b"")
    zone = backend.zone(filesystem_factory=backend.drop_next_read())
    [f] = ready(zone)
    assert zone.read(f) == data
    assert backend.reads_dropped() == 1
    archived = zone.archive(f)
    assert ready(zone) == []
    assert ready(zone) == []
    assert backend.files("archive") == [
        f"archive/acme/claims/2025/03/{hashlib.sha256(data).hexdigest()[:12]}-big.837",
        f"archive/acme/claims/2025/03/{hashlib.sha256(data).hexdigest()[:12]}-big.837.done",
    ]
    assert archived.endswith("-big.837")


def test_archive_moves_the_file_and_its_marker(backend: Backend) -> None:
    backend.put("landing/acme/invoices/inv.xml", b"<Invoice/>")
    backend.put("landing/acme/invoices/inv.xml.done", b"")
    zone = backend.zone()
    [f] = ready(zone)
    digest = hashlib.sha256(b"<Invoice/>").hexdigest()
    url = zone.archive(f, sha256=digest)
    rel = f"archive/acme/invoices/2025/03/{digest[:12]}-inv.xml"
    assert url == backend.url(rel)
    assert backend.get(rel) == b"<Invoice/>"
    assert backend.files("archive") == [rel, f"{rel}.done"]
    assert backend.files("landing") == []


def test_quarantine_moves_the_file_and_writes_the_reason(backend: Backend) -> None:
    backend.put("landing/globex/payroll/bad.csv", b"garbage")
    backend.put("landing/globex/payroll/bad.csv.done", b"")
    zone = backend.zone()
    [f] = ready(zone)
    url = zone.quarantine(f, "not a CSV: no header row")
    # Named from the file (its time, a digest of its URL, version and size), not the clock.
    assert f.mtime is not None
    moment = f.mtime
    (rel,) = [p for p in backend.files("quarantine") if p.endswith("-bad.csv")]
    assert re.fullmatch(
        rf"quarantine/globex/payroll/{moment:%Y}/{moment:%m}/{moment:%Y%m%dT%H%M%S%f}Z-"
        r"[0-9a-f]{8}-bad\.csv",
        rel,
    )
    assert url == backend.url(rel)
    assert backend.get(rel) == b"garbage"
    note = backend.get(f"{rel}.reason.txt").decode()
    assert "reason: not a CSV: no header row" in note
    assert "client: globex" in note
    assert backend.files("landing") == []
    assert sorted(backend.files("quarantine")) == sorted([rel, f"{rel}.done", f"{rel}.reason.txt"])
