"""The umbrella's extras pull exactly the matching backend distributions."""

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib
from pathlib import Path

PACKAGES = Path(__file__).resolve().parents[2]


def test_every_extra_names_an_existing_distribution() -> None:
    umbrella = tomllib.loads((PACKAGES / "litestar-storages" / "pyproject.toml").read_text())
    distributions = {
        tomllib.loads(path.read_text())["project"]["name"]
        for path in PACKAGES.glob("litestar-storages-*/pyproject.toml")
    }
    extras = umbrella["project"]["optional-dependencies"]
    assert set(extras) == {"fs", "s3", "gcs", "azure", "litestar", "all"}
    named = {requirement.split(">")[0] for requirement in extras["all"]}
    assert named == distributions - {"litestar-storages-core"}
    for extra in ("fs", "s3", "gcs", "azure", "litestar"):
        assert extras[extra] == [f"litestar-storages-{extra}>=0.1.0,<0.2"]
