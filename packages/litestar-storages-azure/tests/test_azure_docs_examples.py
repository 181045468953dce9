"""The examples of docs/backends/azure.md run here, against the session's Azurite."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from litestar_storages.testing.emulators.azurite import Azurite

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples" / "azure"
PAGE = ROOT / "docs" / "backends" / "azure.md"
SCRIPTS = sorted(path for path in EXAMPLES.glob("*.py") if not path.name.startswith("test_"))
TEST_FILES = sorted(EXAMPLES.glob("test_*.py"))


def test_examples_exist_and_are_all_included_by_the_page() -> None:
    assert len(SCRIPTS) >= 4
    page = PAGE.read_text(encoding="utf-8")
    for path in [*SCRIPTS, *TEST_FILES]:
        assert f"{{literalinclude}} ../examples/azure/{path.name}" in page, path.name


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.name)
def test_example_runs(
    path: Path, azurite: Azurite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite.connection_string)
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out  # each example shows what it did


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda path: path.name)
def test_example_test_file_passes(path: Path, tmp_path: Path) -> None:
    # Starts its own Azurite, as a reader's test session would.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-rs", str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "skipped" not in result.stdout
