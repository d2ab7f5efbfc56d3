"""Prefect's logging as the CLI sets it: runs log INFO to the API under every command, the
console shows INFO only under ``bpo serve`` (issue 18: serve's run pages had no logs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.env import prefect_defaults, serve_logging

KEYS = ("PREFECT_LOGGING_LEVEL", "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "PREFECT_HOME")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A private copy of the environment: the defaults set here never leak to other tests."""
    import os

    environ = {k: v for k, v in os.environ.items() if k not in KEYS}
    monkeypatch.setattr(os, "environ", environ)
    return monkeypatch


def test_one_shot_commands_send_info_to_the_api_and_keep_the_console_quiet(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os

    prefect_defaults(tmp_path / ".bpo")
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "INFO"
    assert os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] == "WARNING"
    assert os.environ["PREFECT_HOME"] == str((tmp_path / ".bpo" / "prefect").resolve())


def test_serve_logs_info_on_its_console_too(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    serve_logging()
    prefect_defaults(tmp_path / ".bpo")
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "INFO"
    assert os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] == "INFO"
