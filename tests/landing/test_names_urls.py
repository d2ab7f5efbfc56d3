"""Name safety, URL parsing, credentials from the environment and zones from ``bpo.toml``."""

from __future__ import annotations

from pathlib import Path

import pytest

from landing.credentials import credentials_from_env
from landing.names import (
    UnsafeNameError,
    is_skipped,
    name_problem,
    prefixed_name,
    relative_parts,
)
from landing.sources import outbox_for, zones_from_config
from landing.stability import StabilityTracker
from landing.urls import Location, parse_location
from schemas.config import BpoConfig


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("..", "traversal"),
        ("a/b", "separator"),
        ("a\\b", "separator"),
        ("nul\x00.csv", "NUL"),
        ("bell\x07.csv", "control"),
        ("x" * 256, "at most 255 bytes"),
        ("é" * 128, "at most 255 bytes"),
    ],
)
def test_unsafe_names_have_a_reason(name: str, words: str) -> None:
    problem = name_problem(name)
    assert problem is not None
    assert words in problem
    assert "\x00" not in problem


def test_ordinary_names_pass_and_partials_are_skipped() -> None:
    assert name_problem("Payroll March 2025 (final).csv") is None
    assert name_problem("x" * 255) is None
    assert all(is_skipped(n) for n in ("a.PART", "b.tmp", ".env", "c.crdownload", "d.filepart"))
    assert not is_skipped("a.csv")


def test_relative_parts() -> None:
    assert relative_parts("receipts/./a.json") == ("receipts", "a.json")
    for bad in ("/abs", "C:\\x", "a/../../b", ""):
        with pytest.raises(UnsafeNameError):
            relative_parts(bad)


def test_prefixed_name_stays_within_the_limit_and_keeps_the_suffix() -> None:
    name = prefixed_name("0123456789ab", "n" * 250 + ".csv")
    assert len(name.encode()) == 255
    assert name.startswith("0123456789ab-")
    assert name.endswith(".csv")


def test_parse_locations(tmp_path: Path) -> None:
    assert parse_location("file://./landing", base_dir=tmp_path) == Location(
        "file", f"{tmp_path}/landing"
    )
    assert parse_location("file:///srv/in").path == "/srv/in"
    assert parse_location(str(tmp_path / "x")).path == f"{tmp_path}/x"
    sftp = parse_location("sftp://acme@127.0.0.1:2222/drop/")
    assert (sftp.host, sftp.port, sftp.username, sftp.path) == ("127.0.0.1", 2222, "acme", "/drop")
    assert sftp.child("a", "b").url == "sftp://acme@127.0.0.1:2222/drop/a/b"
    assert parse_location("s3://bucket/pre/fix/").path == "bucket/pre/fix"
    assert parse_location("s3://bucket").child("k").url == "s3://bucket/k"


@pytest.mark.parametrize(
    "url", ["sftp://acme:hunter2@host/", "ftp://host/x", "s3:///nobucket", "sftp:///x"]
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"password|use file|no bucket|no host") as info:
        parse_location(url)
    assert "hunter2" not in str(info.value)


def test_location_contains_compares_literally() -> None:
    root = parse_location("s3://b/landing/acme")
    assert root.contains("b/landing/acme/invoices/x")
    assert not root.contains("b/landing/acme")
    assert not root.contains("b/landing/acme-evil/x")
    assert not root.contains("b/landing/globex/x")


def test_credentials_from_env_never_show_secrets() -> None:
    env = {
        "ACME_SFTP_PASSWORD": "pw-123",
        "ACME_SFTP_USER": "acme",
        "ACME_AWS_ACCESS_KEY_ID": "AKIA1",
        "ACME_AWS_SECRET_ACCESS_KEY": "sk-456",
        "GLOBEX_SFTP_PASSWORD": "other",
    }
    creds = credentials_from_env("ACME", env, host_key="ssh-ed25519 AAAA")
    assert creds.username == "acme"
    assert creds.password is not None
    assert creds.password.get_secret_value() == "pw-123"
    assert "pw-123" not in repr(creds)
    assert "sk-456" not in repr(creds)
    assert credentials_from_env(None, env).password is None


def test_stability_tracker_needs_two_equal_listings(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    assert StabilityTracker(state).observe({"u": (1, "a")}) == set()
    tracker = StabilityTracker(state)
    assert tracker.observe({"u": (2, "b")}) == set()
    assert tracker.observe({"u": (2, "b")}) == {"u"}
    state.write_text("{not json")
    assert StabilityTracker(state).observe({"u": (2, "b")}) == set()


def test_zones_from_config_scope_each_client_with_its_own_source(tmp_path: Path) -> None:
    config = BpoConfig.model_validate(
        {
            "base_dir": tmp_path,
            "landing": {"root": "file://./landing", "credentials_env": "BPO_LANDING"},
            "clients": {
                "acme": {
                    "name": "Acme",
                    "landing": {
                        "root": "sftp://acme@127.0.0.1:2222/",
                        "credentials_env": "ACME",
                        "host_key": "ssh-ed25519 AAAA",
                    },
                },
                "globex": {"name": "Globex"},
            },
        }
    )
    shared, acme = zones_from_config(config, {"ACME_SFTP_PASSWORD": "pw"})
    assert shared.url == f"file://{tmp_path}/landing"
    assert shared.owner is None
    assert acme.owner == "acme"
    assert acme.url == "sftp://acme@127.0.0.1:2222/"
    box = outbox_for(config, "globex", {})
    assert box.folder.url == f"file://{tmp_path}/outbox/globex"
    with pytest.raises(KeyError):
        outbox_for(config, "initech", {})
