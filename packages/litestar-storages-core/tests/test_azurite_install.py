"""Installing Azurite for the testing kit: pinned in the package, cached per user, once.

The install logic (lock, staging folder, atomic rename, errors) runs here against a
stand-in ``npm`` that writes what ``npm ci`` would and counts its runs; the real npm
install and start, from a wheel installed outside this repository, is
``packages/litestar-storages/tests/test_azurite_from_wheel.py``.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
from importlib import resources
from pathlib import Path

import pytest

from litestar_storages.testing.emulators import azurite
from litestar_storages.testing.emulators.azurite import (
    AZURITE_VERSION,
    INSTALL_DIR_ENV,
    default_install_dir,
    install_azurite,
)

# Writes node_modules/.bin/azurite-blob where `npm ci` runs, slowly enough for racing
# sessions to overlap, and appends one line per run to $FAKE_NPM_LOG.
FAKE_NPM = """#!{python}
import json, os, sys, time
from pathlib import Path
with open(os.environ["FAKE_NPM_LOG"], "a") as log:
    log.write(os.getcwd() + "\\n")
if os.environ.get("FAKE_NPM_FAIL"):
    print("npm ERR! network unreachable", file=sys.stderr)
    sys.exit(1)
manifest = json.loads(Path("package.json").read_text())
lock = json.loads(Path("package-lock.json").read_text())
assert lock["packages"]["node_modules/azurite"]["version"] == manifest["dependencies"]["azurite"]
time.sleep(0.3)
binary = Path("node_modules/.bin/azurite-blob")
binary.parent.mkdir(parents=True)
binary.write_text("#!/bin/sh\\n")
"""


@pytest.fixture
def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, text in (("npm", FAKE_NPM.format(python=sys.executable)), ("node", "#!/bin/sh\n")):
        tool = tools / name
        tool.write_text(text)
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "npm-runs.log"
    log.touch()
    monkeypatch.setenv("PATH", str(tools))
    monkeypatch.setenv("FAKE_NPM_LOG", str(log))
    monkeypatch.delenv(INSTALL_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return log


def runs(log: Path) -> list[str]:
    return log.read_text().splitlines()


def test_the_pinned_version_ships_inside_the_package() -> None:
    pins = resources.files("litestar_storages.testing.emulators").joinpath("azurite_npm")
    manifest = json.loads(pins.joinpath("package.json").read_text())
    lock = json.loads(pins.joinpath("package-lock.json").read_text())
    assert manifest["dependencies"] == {"azurite": AZURITE_VERSION}
    assert lock["packages"]["node_modules/azurite"]["version"] == AZURITE_VERSION
    # One pin only: the repository's test session uses this one too.
    repo = Path(__file__).resolve().parents[3]
    assert not (repo / "tests-integration" / "package.json").exists()


def test_the_default_folder_is_a_per_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(INSTALL_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_install_dir() == tmp_path / "litestar-storages" / f"azurite-{AZURITE_VERSION}"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_install_dir() == tmp_path / "home" / ".cache" / "litestar-storages" / f"azurite-{AZURITE_VERSION}"
    monkeypatch.setenv(INSTALL_DIR_ENV, str(tmp_path / "mine"))
    assert default_install_dir() == tmp_path / "mine"


def test_installs_once_into_the_cache_and_reuses_it(fake_npm: Path, tmp_path: Path) -> None:
    executable = install_azurite()
    target = tmp_path / "cache" / "litestar-storages" / f"azurite-{AZURITE_VERSION}"
    assert executable == target / "node_modules" / ".bin" / "azurite-blob"
    assert executable.exists()
    assert json.loads((target / "package.json").read_text())["dependencies"] == {"azurite": AZURITE_VERSION}
    assert install_azurite() == executable
    assert len(runs(fake_npm)) == 1
    # npm ran in a staging folder beside the target, renamed into place afterwards.
    (staged,) = runs(fake_npm)
    assert Path(staged).parent == target.parent
    assert Path(staged) != target
    assert sorted(p.name for p in target.parent.iterdir()) == [f".azurite-{AZURITE_VERSION}.lock", target.name]


def test_racing_sessions_install_once(fake_npm: Path) -> None:
    results: list[Path] = []
    errors: list[BaseException] = []

    def install() -> None:
        try:
            results.append(install_azurite())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=install) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert len(runs(fake_npm)) == 1


def test_a_failed_install_leaves_nothing_half_made(
    fake_npm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NPM_FAIL", "1")
    with pytest.raises(RuntimeError, match=r"npm ci of azurite .* failed") as raised:
        install_azurite()
    assert "network unreachable" in str(raised.value)
    cache = tmp_path / "cache" / "litestar-storages"
    assert [p.name for p in cache.iterdir()] == [f".azurite-{AZURITE_VERSION}.lock"]
    monkeypatch.delenv("FAKE_NPM_FAIL")
    assert install_azurite().exists()


def test_missing_node_or_npm_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "azurite"
    with pytest.raises(RuntimeError, match=r"Node\.js.*`node` and `npm` on PATH"):
        install_azurite(target)
    with pytest.raises(RuntimeError, match="npm"):
        azurite.Azurite(install_dir=target).start()
    assert not target.exists()


def test_an_existing_install_is_used_without_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "mine"
    binary = target / "node_modules" / ".bin" / "azurite-blob"
    binary.parent.mkdir(parents=True)
    binary.touch()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv(INSTALL_DIR_ENV, str(target))
    assert install_azurite() == binary


def test_an_empty_folder_is_filled_but_a_foreign_one_refused(fake_npm: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-target"
    empty.mkdir()
    assert install_azurite(empty).exists()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(RuntimeError, match=r"holds no node_modules/\.bin/azurite-blob"):
        install_azurite(foreign)
    assert sorted(os.listdir(foreign)) == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
