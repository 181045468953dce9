"""The umbrella's extras pull exactly the matching backend distributions, all at one version."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PACKAGES = Path(__file__).resolve().parents[2]
METADATA = PACKAGES / "litestar-storages-core" / "src" / "litestar_storages" / "__metadata__.py"
PYPROJECTS = sorted(PACKAGES.glob("litestar-storages*/pyproject.toml"))


def _version() -> str:
    match = re.search(r'^__version__ = "([^"]+)"$', METADATA.read_text(), flags=re.MULTILINE)
    assert match, "__metadata__.py must define __version__"
    return match.group(1)


def _next_minor(version: str) -> str:
    major, minor = version.split(".")[:2]
    return f"{major}.{int(minor) + 1}"


def test_every_extra_names_an_existing_distribution() -> None:
    umbrella = tomllib.loads((PACKAGES / "litestar-storages" / "pyproject.toml").read_text())
    distributions = {
        tomllib.loads(path.read_text())["project"]["name"]
        for path in PACKAGES.glob("litestar-storages-*/pyproject.toml")
    }
    extras = umbrella["project"]["optional-dependencies"]
    assert set(extras) == {"fs", "filesystem", "s3", "gcs", "azure", "obstore", "litestar", "all"}
    named = {re.split(r"[=<>]", requirement)[0] for requirement in extras["all"]}
    assert named == distributions - {"litestar-storages-core"}
    for extra in ("fs", "s3", "gcs", "azure", "obstore", "litestar"):
        assert extras[extra] == [f"litestar-storages-{extra}=={_version()}"]
    # The 0.2.x name of the filesystem extra.
    assert extras["filesystem"] == extras["fs"]


def test_every_distribution_reads_the_one_version() -> None:
    for path in PYPROJECTS:
        project = tomllib.loads(path.read_text())
        assert "version" not in project["project"], f"{path}: a static version"
        assert project["project"]["dynamic"] == ["version"], path
        source = (path.parent / project["tool"]["hatch"]["version"]["path"]).resolve()
        assert source == METADATA.resolve(), f"{path} reads its version from {source}"


def test_every_pin_agrees_with_the_version() -> None:
    version = _version()
    exact = f"=={version}"
    compatible = f">={version},<{_next_minor(version)}"
    pins = 0
    for path in PYPROJECTS:
        project = tomllib.loads(path.read_text())["project"]
        umbrella = project["name"] == "litestar-storages"
        requirements = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            requirements.extend(extra)
        for requirement in requirements:
            name = re.split(r"[=<>]", requirement)[0]
            if not name.startswith("litestar-storages"):
                continue
            specifier = requirement[len(name) :]
            assert specifier == (exact if umbrella else compatible), f"{path}: {requirement}"
            pins += 1
    assert pins >= 13  # 4 backends + litestar on core, umbrella's core and 7 extras


def test_metadata_version_is_above_the_published_single_distribution() -> None:
    # PyPI has litestar-storages 0.2.3: pip must pick this release instead.
    assert tuple(int(part) for part in _version().split(".")) > (0, 2, 3)
