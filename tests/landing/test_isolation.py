"""Tenant isolation and traversal: what does not fit the layout is refused, never taken."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from landing.files import LandedFile, Refused
from landing.names import UnsafeNameError
from tests.landing.landing_backends import Backend


def refusals(backend: Backend) -> dict[str, Refused]:
    items = backend.zone().scan()
    assert not [f for f in items if isinstance(f, LandedFile)]
    return {r.url.removeprefix(backend.url("landing/")): r for r in items if isinstance(r, Refused)}


@pytest.mark.parametrize(
    ("rel", "refused_as", "client", "words"),
    [
        ("landing/initech/invoices/a.csv", "initech", None, "not a configured client id"),
        ("landing/acme/receipts/a.csv", "acme/receipts", "acme", "not a document type"),
        ("landing/acme/invoices/2024/a.csv", "acme/invoices/2024", "acme", "sub-folder"),
        ("landing/acme/a.csv", "acme/a.csv", "acme", "not in a document folder"),
        ("landing/a.csv", "a.csv", None, "cannot be attributed"),
        ("landing/acme/payroll/tab\there.csv", "acme/payroll/tab\there.csv", "acme", "control"),
    ],
)
def test_entries_outside_the_layout_are_refused_with_a_reason(
    backend: Backend, rel: str, refused_as: str, client: str | None, words: str
) -> None:
    backend.put(rel, b"data")
    found = refusals(backend)
    assert list(found) == [refused_as]
    assert found[refused_as].client_id == client
    assert words in found[refused_as].reason


def test_refused_folder_is_quarantined_whole(backend: Backend) -> None:
    backend.put("landing/acme/invoices/nested/deeper/a.csv", b"a")
    zone = backend.zone()
    [item] = zone.scan()
    assert isinstance(item, Refused)
    assert item.is_dir
    zone.quarantine(item, item.reason)
    assert backend.files("landing") == []
    moved = backend.files("quarantine")
    assert any(p.endswith("-nested/deeper/a.csv") for p in moved)
    assert any(p.endswith("-nested.reason.txt") for p in moved)


def test_refused_name_with_control_characters_is_stored_escaped(backend: Backend) -> None:
    backend.put("landing/acme/payroll/line\tbreak.csv", b"x")
    zone = backend.zone()
    [item] = zone.scan()
    assert isinstance(item, Refused)
    url = zone.quarantine(item, item.reason)
    assert "\t" not in url
    assert url.endswith("-line_x09break.csv")


@pytest.mark.parametrize("scheme", ["s3"])
def test_s3_keys_with_traversal_or_overlong_names_are_refused(
    backend: Backend, scheme: str
) -> None:
    if backend.scheme != scheme:
        pytest.skip("only S3 stores such keys")
    from botocore.exceptions import ClientError  # type: ignore[import-untyped]

    try:
        backend.put("landing/acme/invoices/../../globex/invoices/x.csv", b"x")
        backend.put(f"landing/acme/payroll/{'n' * 300}.csv", b"x")
    except ClientError as exc:  # SeaweedFS refuses to store them at all: nothing to list
        pytest.skip(f"this S3 server refuses such keys itself: {exc}")
    reasons = [r.reason for r in refusals(backend).values()]
    assert any("path traversal" in r for r in reasons)
    assert any("at most 255 bytes" in r for r in reasons)


def test_symlinks_are_refused_not_followed(backend: Backend, tmp_path: Path) -> None:
    if backend.local is None:
        pytest.skip("S3 has no links")
    secret = tmp_path / "outside.txt"
    secret.write_text("not yours")
    target = backend.local / "landing/acme/invoices/link.csv"
    target.parent.mkdir(parents=True)
    target.symlink_to(secret)
    found = refusals(backend)
    assert "symbolic links" in found["acme/invoices/link.csv"].reason


def test_a_client_zone_sees_only_its_own_folder(backend: Backend) -> None:
    backend.put("landing/acme/invoices/mine.csv", b"a")
    backend.put("landing/acme/invoices/mine.csv.done", b"")
    backend.put("landing/globex/invoices/theirs.csv", b"g")
    backend.put("landing/globex/invoices/theirs.csv.done", b"")
    zone = backend.zone(root_url=backend.url("landing/acme"), owner="acme", clients=())
    [f] = zone.scan()
    assert isinstance(f, LandedFile)
    assert (f.client_id, f.name) == ("acme", "mine.csv")
    forged = dataclasses.replace(
        f, path=f.path.replace("/acme/", "/globex/").replace("mine", "theirs")
    )
    with pytest.raises(UnsafeNameError, match="outside this landing zone"):
        zone.read(forged)
    climbing = dataclasses.replace(
        f, path=f.path.replace("mine.csv", "../../globex/invoices/theirs.csv")
    )
    with pytest.raises(UnsafeNameError):
        zone.archive(climbing)


def test_shared_zone_leaves_folders_of_clients_with_their_own_source(backend: Backend) -> None:
    backend.put("landing/acme/invoices/a.csv", b"a")
    backend.put("landing/acme/invoices/a.csv.done", b"")
    zone = backend.zone(clients=("globex",), ignore=("acme",))
    assert zone.scan() == []
