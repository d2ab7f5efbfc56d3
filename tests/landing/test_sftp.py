"""SFTP specifics on a real server: pinned host keys, key logins and per-user chroots."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest
from pydantic import SecretStr

from landing.files import LandedFile
from landing.filesystems import HostKeyMismatchError, open_filesystem
from landing.urls import parse_location
from landing.zone import LandingZone
from schemas.landing_options import LandingCredentials
from tests.landing.landing_backends import FAST_RETRY, new_sftp_user
from tests.servers import SftpServer


def test_a_server_with_another_host_key_is_refused(sftp_server: SftpServer, tmp_path: Path) -> None:
    user = new_sftp_user(sftp_server, tmp_path / "root", password="pw")
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    creds = LandingCredentials(password=SecretStr("pw"), host_key=impostor)
    with pytest.raises(HostKeyMismatchError, match="does not match the pinned host_key"):
        open_filesystem(parse_location(sftp_server.url(user)), creds)


def test_host_key_mismatch_is_not_retried(sftp_server: SftpServer, tmp_path: Path) -> None:
    user = new_sftp_user(sftp_server, tmp_path / "root", password="pw")
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    sleeps: list[float] = []
    zone = LandingZone(
        sftp_server.url(user, "/landing"),
        archive_url=sftp_server.url(user, "/archive"),
        quarantine_url=sftp_server.url(user, "/quarantine"),
        credentials=LandingCredentials(password=SecretStr("pw"), host_key=impostor),
        retry=FAST_RETRY,
        sleep=sleeps.append,
    )
    with pytest.raises(HostKeyMismatchError):
        zone.scan()
    assert sleeps == []


def test_key_login_works_and_a_wrong_password_is_a_clear_error(
    sftp_server: SftpServer, tmp_path: Path
) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    user = new_sftp_user(
        sftp_server, tmp_path / "root", public_key=key.export_public_key().decode()
    )
    (tmp_path / "root/hello.txt").write_bytes(b"hi")
    location = parse_location(sftp_server.url(user))
    pinned = sftp_server.host_public_key
    by_key = LandingCredentials(
        private_key=SecretStr(key.export_private_key().decode()), host_key=pinned
    )
    assert open_filesystem(location, by_key).cat_file("/hello.txt") == b"hi"
    wrong = LandingCredentials(password=SecretStr("guess"), host_key=pinned)
    with pytest.raises(PermissionError, match=r"SFTP login .* refused"):
        open_filesystem(location, wrong)


def test_a_chrooted_client_cannot_reach_another_clients_folder(
    sftp_server: SftpServer, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    for client in ("acme", "globex"):
        (landing / client / "invoices").mkdir(parents=True)
        (landing / client / "invoices" / f"{client}.csv").write_bytes(client.encode())
        (landing / client / "invoices" / f"{client}.csv.done").write_bytes(b"")
    acme = new_sftp_user(sftp_server, landing / "acme", password="acme-pw")
    creds = LandingCredentials(password=SecretStr("acme-pw"), host_key=sftp_server.host_public_key)
    fs = open_filesystem(parse_location(sftp_server.url(acme)), creds)
    assert fs.ls("/", detail=False) == ["/invoices"]
    for escape in ("/../globex/invoices", "/../../landing/globex", "../globex"):
        with pytest.raises(FileNotFoundError):
            fs.ls(escape)
    zone = LandingZone(
        sftp_server.url(acme, "/"),
        owner="acme",
        archive_url=f"file://{tmp_path}/archive",
        quarantine_url=f"file://{tmp_path}/quarantine",
        credentials=creds,
        retry=FAST_RETRY,
    )
    [f] = zone.scan()
    assert isinstance(f, LandedFile)
    assert (f.client_id, f.name) == ("acme", "acme.csv")
    assert zone.read(f) == b"acme"
    archived = zone.archive(f)  # across filesystems: copied, then removed from the SFTP root
    assert archived.startswith(f"file://{tmp_path}/archive/acme/invoices/")
    assert not (landing / "acme/invoices/acme.csv").exists()
    assert (landing / "globex/invoices/globex.csv").exists()
