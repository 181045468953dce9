"""packages/_template is a working skeleton: a copy, renamed, passes the conformance kit.

The copy runs in a subprocess with only its own src folder added to the path (the core
comes from the workspace), exactly as a new backend would start.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "_template"
WORKSPACE = TEMPLATE.parents[1]


def _listed_files(readme: str) -> list[str]:
    # The tree in the README: "├── name   comment" lines; folders end with "/".
    tree = readme.split("```")[1]
    stack: list[str] = []
    files: list[str] = []
    for line in tree.splitlines()[2:]:
        match = re.match(r"^((?:│   |    )*)[├└]── (\S+)", line)
        if match is None:
            continue
        depth = len(match.group(1)) // 4
        del stack[depth:]
        name = match.group(2)
        if name.endswith("/"):
            stack.append(name.rstrip("/"))
        else:
            files.append("/".join([*stack, name]))
    return files


def test_every_file_the_readme_lists_exists() -> None:
    files = _listed_files((TEMPLATE / "README.md").read_text(encoding="utf-8"))
    assert len(files) >= 10, files
    missing = [name for name in files if not (TEMPLATE / name).is_file()]
    assert not missing


def _copy_as(name: str, cls: str, target: Path) -> Path:
    package = target / f"litestar-storages-{name}"
    shutil.copytree(TEMPLATE, package)
    for path in sorted(package.rglob("*"), key=lambda path: len(path.parts), reverse=True):
        if path.is_file():
            text = path.read_text(encoding="utf-8").replace("NAME", name).replace("Name", cls)
            path.write_text(text, encoding="utf-8")
        if "NAME" in path.name:
            path.rename(path.with_name(path.name.replace("NAME", name)))
    return package


def test_a_renamed_copy_passes_the_conformance_kit(tmp_path: Path) -> None:
    package = _copy_as("sample", "Sample", tmp_path)
    assert not [path for path in package.rglob("*") if "NAME" in path.name]
    assert (package / "src/litestar_storages/backends/sample/storage.py").is_file()
    environment = {**os.environ, "PYTHONPATH": str(package / "src")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            # The workspace's pytest settings, as when the copy sits under packages/.
            "-c",
            str(WORKSPACE / "pyproject.toml"),
            "--rootdir",
            str(package),
            str(package / "tests"),
        ],
        env=environment,
        cwd=package,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed is not None, result.stdout[-2000:]
    assert int(passed.group(1)) >= 100  # the whole kit ran, not an empty selection
    assert " failed" not in result.stdout
    assert " skipped" not in result.stdout
