"""The docs' ``Azurite()`` snippet works from an installed wheel, outside this repository.

The core wheel is built and installed (not editable) into a fresh virtual environment,
and the snippet of docs/backends/azure.md runs from a temporary folder: the launcher
finds the pinned Azurite version inside the installed package and installs it with npm
into the per-user cache (or reuses the install a previous session made there).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from litestar_storages.testing.emulators.azurite import AZURITE_VERSION

REPO = Path(__file__).resolve().parents[3]
DOCS = REPO / "docs" / "backends" / "azure.md"


def _uv() -> str:
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    assert Path(uv).exists(), "uv is a test dependency (hatch.toml) and must be installed"
    return uv


def docs_snippet() -> str:
    section = DOCS.read_text(encoding="utf-8").split("## Running Azurite", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "docs/backends/azure.md lost its Azurite snippet"
    return match.group(1)


@pytest.mark.timeout(600)
def test_the_docs_snippet_starts_azurite_from_an_installed_wheel(tmp_path: Path) -> None:
    # The suite needs Node.js and npm (README): missing, this fails rather than skips.
    assert shutil.which("npm") is not None, "Azurite needs Node.js and npm on PATH (see README)"
    assert shutil.which("node") is not None, "Azurite needs Node.js and npm on PATH (see README)"
    wheels = tmp_path / "wheels"
    subprocess.run(
        [_uv(), "build", "--wheel", "--quiet", "-o", str(wheels), str(REPO / "packages" / "litestar-storages-core")],
        check=True,
    )
    (wheel,) = wheels.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([_uv(), "pip", "install", "--quiet", "--python", str(python), str(wheel)], check=True)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    script = outside / "snippet.py"
    script.write_text(
        docs_snippet()
        + "\nimport urllib.error, urllib.request\n"
        + "from litestar_storages.testing.emulators import azurite as module\n"
        + "with Azurite() as again:\n"
        + "    try:\n"
        + "        answer = urllib.request.urlopen(again.account_url + '?comp=list', timeout=10)\n"
        + "    except urllib.error.HTTPError as refused:  # unsigned: 403, from Azurite itself\n"
        + "        answer = refused\n"
        + "    print('server', answer.headers['Server'])\n"
        + "print('from', module.__file__)\n"
        + "print('installed in', module.default_install_dir())\n"
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.pop("LITESTAR_STORAGES_AZURITE_DIR", None)
    result = subprocess.run(
        [str(python), str(script)], cwd=outside, env=env, capture_output=True, text=True, check=False, timeout=540
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r".*;BlobEndpoint=http://127\.0\.0\.1:\d+/devstoreaccount1;", lines[0])
    assert f"server Azurite-Blob/{AZURITE_VERSION}" in lines
    (source,) = [line for line in lines if line.startswith("from ")]
    assert source.startswith(f"from {venv}"), source
    (installed,) = [line for line in lines if line.startswith("installed in ")]
    folder = Path(installed.removeprefix("installed in "))
    assert (folder / "node_modules" / ".bin" / "azurite-blob").exists()
    assert REPO not in folder.parents
