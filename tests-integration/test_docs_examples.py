"""The documentation's code runs here, so the docs cannot drift from the code.

- Every example under ``docs/examples/<topic>/`` (the files the pages include with
  ``{literalinclude}``) runs as a script in a fresh working directory; the examples
  check their own results with ``assert``.
- The examples written as pytest files (``test_*.py``, and the custom backend, which
  carries the conformance kit) run under pytest in a subprocess and must pass
  without a skip.
- Every example is included by some page, and every public name of every package gets
  an entry in the generated API reference.

The backend engineers' examples (``docs/examples/{filesystem,s3,azure,gcs,litestar,demo}``)
run in their own packages' tests, against the emulators.
"""

from __future__ import annotations

import importlib.util
import re
import runpy
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
BACKEND_TOPICS = {"filesystem", "s3", "azure", "gcs", "litestar", "demo"}
PYTEST_EXAMPLES = {"custom_backend/kv_backend.py"}


def _relative(path: Path) -> str:
    return path.relative_to(EXAMPLES).as_posix()


OWN_EXAMPLES = sorted(
    path for path in EXAMPLES.glob("*/*.py") if path.parent.name not in BACKEND_TOPICS and path.name != "conftest.py"
)
SCRIPTS = [path for path in OWN_EXAMPLES if not path.name.startswith("test_")]
PYTEST_FILES = [path for path in OWN_EXAMPLES if path.name.startswith("test_") or _relative(path) in PYTEST_EXAMPLES]


@pytest.mark.parametrize("path", SCRIPTS, ids=_relative)
def test_example_script_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh working directory, as a reader running `python <example>` in a new folder.
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(path.parent))
    runpy.run_path(str(path), run_name="__main__")


@pytest.mark.parametrize("path", PYTEST_FILES, ids=_relative)
def test_example_test_file_passes(path: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", f"--rootdir={ROOT}", str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", summary), summary
    assert "skipped" not in summary, summary
    assert "xfail" not in summary, summary


def _included_files() -> set[Path]:
    included = set()
    for page in DOCS.rglob("*.md"):
        if "_build" in page.parts:
            continue
        for target in re.findall(r"```\{literalinclude\}\s+(\S+)", page.read_text(encoding="utf-8")):
            included.add((page.parent / target).resolve())
    return included


def test_every_example_is_included_in_a_page() -> None:
    missing = [_relative(path) for path in OWN_EXAMPLES if path.resolve() not in _included_files()]
    assert not missing, f"examples no page includes: {missing}"


def test_every_literalinclude_target_exists() -> None:
    missing = [str(path) for path in _included_files() if not path.is_file()]
    assert not missing, f"pages include files that do not exist: {missing}"


def _api_pages() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_api_pages", DOCS / "_ext" / "api_pages.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_public_name_is_in_the_api_reference(tmp_path: Path) -> None:
    api_pages = _api_pages()
    distributions = api_pages.write_pages(tmp_path)
    pages = "\n".join(page.read_text(encoding="utf-8") for page in tmp_path.glob("*.md"))
    places = api_pages.canonical_places(distributions)
    problems = []
    for distribution in distributions:
        for module in distribution.modules:
            imported = sys.modules[module.name]
            for name in module.exports:
                try:
                    getattr(imported, name)
                except (ImportError, AttributeError) as error:
                    problems.append(f"{module.name}.{name} does not resolve: {error}")
                    continue
                place = places[module.name, name]
                if not re.search(rf":: {re.escape(place)}\.{re.escape(name)}$", pages, flags=re.MULTILINE):
                    problems.append(f"{module.name}.{name} has no autodoc entry (expected at {place})")
    assert not problems, "\n".join(problems)


def test_every_package_with_code_has_a_reference_page(tmp_path: Path) -> None:
    api_pages = _api_pages()
    distributions = api_pages.write_pages(tmp_path)
    for distribution in distributions:
        has_code = any((distribution.folder / "src").rglob("*.py"))
        if has_code:
            assert distribution.modules, f"{distribution.name}: no importable public module"
            assert any(tmp_path.glob(f"*-{distribution.name}.md")), distribution.name


# -- README.md -------------------------------------------------------------------------------

README = ROOT / "README.md"


def test_readme_python_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for number, block in enumerate(blocks):
        path = tmp_path / f"readme_example_{number}.py"
        path.write_text(block, encoding="utf-8")
        runpy.run_path(str(path), run_name="__main__")


def test_readme_quick_start_is_the_two_hatch_commands() -> None:
    # CI and readers rely on these exact lines.
    text = README.read_text(encoding="utf-8")
    assert "```shell\npip install hatch\nhatch run demo\nhatch test\n```" in text
    hatch_toml = (ROOT / "hatch.toml").read_text(encoding="utf-8")
    assert re.search(r"^demo = ", hatch_toml, flags=re.MULTILINE)


def test_readme_links_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    targets = [target for target in re.findall(r"\]\(([^)#]+)\)", text) if "://" not in target]
    assert targets
    missing = [target for target in targets if not (ROOT / target).exists()]
    assert not missing, f"README links to missing files: {missing}"


# -- claims of docs/architecture.md ------------------------------------------------------------


def test_only_core_owns_the_shared_namespace_levels() -> None:
    shared = ("src/litestar_storages/__init__.py", "src/litestar_storages/backends/__init__.py")
    for package in (ROOT / "packages").iterdir():
        if package.name in {"litestar-storages-core", "_template"} or not package.is_dir():
            continue
        owned = [path for path in shared if (package / path).exists()]
        assert not owned, f"{package.name} ships {owned}: those belong to litestar-storages-core"


def test_pages_written_beside_the_guides_exist() -> None:
    # The build leaves these out of the toctrees while they are missing (conf.py's
    # optional_pages); the site is only complete with all of them.
    expected = ["backends/filesystem.md", "backends/s3.md", "backends/gcs.md", "backends/azure.md"]
    expected += ["litestar.md", "performance.md"]
    missing = [page for page in expected if not (DOCS / page).is_file()]
    assert not missing, f"documentation pages not written yet: {missing}"
