"""The composition root refuses landing locations that are the program's own code."""

from __future__ import annotations

from pathlib import Path

import pytest

import landing
from app.root import check_locations
from schemas.config import ConfigError, load_config

ROOT = Path(landing.__file__).resolve().parents[1]


def _config(tmp_path: Path, root: str) -> Path:
    path = tmp_path / "bpo.toml"
    path.write_text(f'[landing]\nroot = "{root}"\n\n[clients.acme]\nname = "Acme"\n', "utf-8")
    return path


@pytest.mark.parametrize("folder", ["landing", "tasks", "."])
def test_a_code_folder_is_no_landing_zone(tmp_path: Path, folder: str) -> None:
    url = f"file://{(ROOT / folder).resolve()}"
    with pytest.raises(ConfigError, match="program's own code"):
        check_locations(load_config(_config(tmp_path, url)))


def test_an_ordinary_folder_is_fine(tmp_path: Path) -> None:
    check_locations(load_config(_config(tmp_path, "file://./landing")))
