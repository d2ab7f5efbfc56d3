"""Read-time isolation: a link swapped in between the listing and the read is refused, never
read, so another tenant's file is never taken under this client (finding 2 of issue 15)."""

from __future__ import annotations

import dataclasses

import pytest

from landing.files import LandedFile, Refused
from landing.names import UnsafeNameError
from landing.reads import LinkRefusedError
from tests.landing.landing_backends import Backend

MINE = b"employee_id,net_pay\nA1,100.00\n"
THEIRS = b"employee_id,net_pay\nG1,999999.00\n"


def listed(backend: Backend) -> LandedFile:
    backend.put("landing/acme/payroll/pay.csv", MINE)
    backend.put("landing/acme/payroll/pay.csv.done", b"")
    backend.put("landing/globex/payroll/pay.csv", THEIRS)
    zone = backend.zone()
    (f,) = [i for i in zone.scan() if isinstance(i, LandedFile) and i.client_id == "acme"]
    return f


def test_a_file_swapped_for_a_link_after_listing_is_not_read(backend: Backend) -> None:
    if backend.local is None:
        pytest.skip("S3 has no links")
    f = listed(backend)
    mine = backend.local / "landing/acme/payroll/pay.csv"
    mine.unlink()
    mine.symlink_to(backend.local / "landing/globex/payroll/pay.csv")
    with pytest.raises(LinkRefusedError, match="symbolic link"):
        backend.zone().read(f)


def test_a_folder_swapped_for_a_link_after_listing_is_not_read(backend: Backend) -> None:
    if backend.local is None:
        pytest.skip("S3 has no links")
    f = listed(backend)
    folder = backend.local / "landing/acme/payroll"
    folder.rename(backend.local / "landing/acme/payroll-old")
    folder.symlink_to("../globex/payroll", target_is_directory=True)
    with pytest.raises(LinkRefusedError):
        backend.zone().read(f)


def test_a_regular_file_is_read_whole(backend: Backend) -> None:
    f = listed(backend)
    assert backend.zone().read(f) == MINE


def test_a_path_outside_the_clients_own_prefix_is_not_read(backend: Backend) -> None:
    f = listed(backend)
    theirs = dataclasses.replace(f, path=f.path.replace("/acme/", "/globex/"))
    with pytest.raises(UnsafeNameError, match="outside this landing zone"):
        backend.zone().read(theirs)
    deeper = dataclasses.replace(f, path=f.path.replace("/pay.csv", "/x/pay.csv"))
    with pytest.raises(UnsafeNameError):
        backend.zone().read(deeper)


def test_a_key_with_a_control_character_is_quarantined_whole(backend: Backend) -> None:
    """s3fs's bulk delete cannot carry such a key (MalformedXML on real servers and on moto):
    it is deleted on its own."""
    backend.put("landing/acme/payroll/bad\x01name.csv", b"x")
    zone = backend.zone()
    (item,) = [i for i in zone.scan() if isinstance(i, Refused)]
    first = zone.quarantine(item, item.reason)
    assert backend.files("landing/acme") == []
    assert zone.quarantine(item, item.reason) == first  # a retry finds it moved: done
    moved = backend.files("quarantine")
    assert len([p for p in moved if p.endswith(".reason.txt")]) == 1
    assert len([p for p in moved if not p.endswith(".reason.txt")]) == 1


def test_a_move_that_fails_half_way_is_retried_onto_the_same_name(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copied but not deleted: the next poll moves it again onto the same quarantine name,
    which already has its reason, instead of adding a copy per poll."""
    import landing.zone as zone_module
    from landing.writes import write_atomic

    backend.put("landing/acme/payroll/odd\tname.csv", b"x")
    zone = backend.zone()
    (item,) = [i for i in zone.scan() if isinstance(i, Refused)]
    real = zone_module.move

    def copy_then_fail(src: object, src_path: str, dst: object, dst_path: str, **kw: object):  # type: ignore[no-untyped-def]
        write_atomic(dst, dst_path, b"x")  # type: ignore[arg-type]
        raise OSError("delete failed")

    monkeypatch.setattr(zone_module, "move", copy_then_fail)
    for _ in range(3):  # three polls that each fail to delete
        with pytest.raises(OSError, match="delete failed"):
            zone.quarantine(item, item.reason)
    monkeypatch.setattr(zone_module, "move", real)
    zone.quarantine(item, item.reason)
    assert backend.files("landing/acme") == []
    moved = backend.files("quarantine")
    assert len(moved) == 2, moved  # the file and its reason, once
    assert any(p.endswith(".reason.txt") for p in moved)
