"""``bpo demo`` never treats the source tree's ``landing`` package as a landing zone."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.main import app


def test_demo_refuses_a_workdir_whose_landing_folder_is_the_package(tmp_path: Path) -> None:
    package = tmp_path / "landing"
    package.mkdir()
    (package / "__init__.py").write_text('"""the landing package"""\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--workdir" in result.output
    # Nothing was moved, written or configured.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing"]
    assert [p.name for p in package.iterdir()] == ["__init__.py"]
