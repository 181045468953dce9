"""Each distribution installs from its folder into a fresh venv with only its own dependencies.

These tests build real wheels and install them (not editable) with uv, as a user
would, so they catch packaging mistakes that editable workspace installs hide.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[2]
BACKENDS = ["fs", "s3", "gcs", "azure", "obstore", "litestar"]

# Third-party distributions that belong to one backend only.
# gcloud-aio-storage itself requires aiofiles (every release up to 9.6), so the GCS
# backend is the one exception: it may pull aiofiles, never the fs backend's code.
SHARED_WITH = {"gcs": {"aiofiles"}}
OWN_SDK = {
    # The filesystem backend batches plain os calls into worker threads: no SDK at all.
    "fs": set(),
    "s3": {"aiobotocore", "botocore"},
    "gcs": {"gcloud-aio-storage"},
    "azure": {"azure-storage-blob"},
    "obstore": {"obstore"},
    "litestar": {"litestar"},
}

SEED_EXAMPLES = """
import asyncio, importlib.metadata, sys
from litestar_storages import MemoryStorage, MemoryConfig
from litestar_storages.exceptions import StorageError, StorageFileNotFoundError

async def main():
    storage = MemoryStorage()
    result = await storage.put("documents/readme.txt", b"Hello, World!", content_type="text/plain")
    print(f"Stored {result.size} bytes")
    data = await storage.get_bytes("documents/readme.txt")
    print(data.decode())
    exists = await storage.exists("documents/readme.txt")
    print(f"Exists: {exists}")
    await storage.delete("documents/readme.txt")
    storage = MemoryStorage(config=MemoryConfig(max_size=1024 * 1024))
    large_data = b"x" * (1024 * 1024 + 1)
    try:
        await storage.put("large-file.bin", large_data)
    except StorageError as e:
        print(f"Storage full: {e}")
    url = await storage.url("test.txt")
    print(url)
    try:
        await storage.get_bytes("nonexistent.txt")
    except StorageFileNotFoundError:
        print("not found")

asyncio.run(main())
try:
    from litestar_storages import S3Storage
except ImportError as error:
    print("import error:", error)
print("requires:", importlib.metadata.requires("litestar-storages-core"))
sdks = {"aiobotocore", "botocore", "aiofiles", "azure", "gcloud", "litestar", "obstore"}
print("sdk modules:", sorted(m for m in sys.modules if m.split(".")[0] in sdks))
"""


def _uv() -> str:
    uv = shutil.which("uv")
    if uv is None:
        candidate = Path(sys.executable).parent / "uv"
        uv = str(candidate) if candidate.exists() else None
    assert uv, "uv is a test dependency (hatch.toml) and must be installed"
    return uv


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wheels")
    built: dict[str, Path] = {}
    for folder in sorted(PACKAGES.glob("litestar-storages*")):
        subprocess.run([_uv(), "build", "--wheel", "--quiet", "-o", str(out), str(folder)], check=True)
    for wheel in out.glob("*.whl"):
        name = wheel.name.split("-")[0].replace("_", "-")
        built[name] = wheel
    return built


def _venv(tmp_path: Path, *wheels: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [_uv(), "pip", "install", "--quiet", "--python", str(python), *map(str, wheels)],
        check=True,
    )
    return python


def _installed(python: Path) -> set[str]:
    listing = subprocess.run(
        [_uv(), "pip", "list", "--format", "json", "--python", str(python)], check=True, capture_output=True, text=True
    )
    return {item["name"].lower() for item in json.loads(listing.stdout)}


def test_every_wheel_has_the_one_version(wheels: dict[str, Path]) -> None:
    from litestar_storages.__metadata__ import __version__

    assert set(wheels) == {folder.name for folder in PACKAGES.glob("litestar-storages*")}
    for name, wheel in wheels.items():
        assert wheel.name.split("-")[1] == __version__, f"{name}: {wheel.name}"


def test_a_wheel_builds_from_the_sdist(tmp_path: Path) -> None:
    # The version path points outside the backend's folder; the sdist must still build
    # (hatchling takes the version from PKG-INFO there).
    from litestar_storages.__metadata__ import __version__

    subprocess.run([_uv(), "build", "--quiet", "-o", str(tmp_path), str(PACKAGES / "litestar-storages-s3")], check=True)
    assert (tmp_path / f"litestar_storages_s3-{__version__}-py3-none-any.whl").is_file()


def test_no_two_wheels_share_a_file(wheels: dict[str, Path]) -> None:
    owners: dict[str, str] = {}
    for name, wheel in wheels.items():
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if ".dist-info/" in member:
                    continue
                assert member not in owners, f"{member} is in both {owners[member]} and {name}"
                owners[member] = name
    assert "litestar_storages/__init__.py" in owners
    assert owners["litestar_storages/__init__.py"] == "litestar-storages-core"


def test_every_package_ships_py_typed(wheels: dict[str, Path]) -> None:
    for name, wheel in wheels.items():
        if name == "litestar-storages":
            continue
        with zipfile.ZipFile(wheel) as archive:
            assert any(member.endswith("/py.typed") for member in archive.namelist()), f"{name} lacks py.typed"


def test_core_alone_runs_the_seed_examples(wheels: dict[str, Path], tmp_path: Path) -> None:
    python = _venv(tmp_path, wheels["litestar-storages-core"])
    assert _installed(python) == {"litestar-storages-core"}
    result = subprocess.run([str(python), "-c", SEED_EXAMPLES], check=True, capture_output=True, text=True)
    lines = result.stdout.splitlines()
    assert lines[:3] == ["Stored 13 bytes", "Hello, World!", "Exists: True"]
    assert lines[3].startswith("Storage full:")
    assert lines[4:6] == ["memory://test.txt", "not found"]
    assert "pip install litestar-storages-s3" in lines[6]
    assert lines[7] == "requires: None"
    assert lines[8] == "sdk modules: []"
    # 0.2.x spellings: the backends package names the missing distribution too, and the
    # Litestar integration is absent (docs/migration.md says so) rather than half there.
    probe = "from litestar_storages.backends import GCSStorage"
    failed = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=False)
    assert "pip install litestar-storages-gcs" in failed.stderr
    probe = "from litestar_storages.contrib import LITESTAR_AVAILABLE"
    failed = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=False)
    assert "ModuleNotFoundError: No module named 'litestar_storages.contrib'" in failed.stderr


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_pulls_only_its_own_sdk(wheels: dict[str, Path], tmp_path: Path, backend: str) -> None:
    python = _venv(tmp_path, wheels["litestar-storages-core"], wheels[f"litestar-storages-{backend}"])
    installed = _installed(python)
    assert OWN_SDK[backend] <= installed
    allowed = SHARED_WITH.get(backend, set())
    if backend != "gcs":
        assert "aiofiles" not in installed
    for other, sdks in OWN_SDK.items():
        if other != backend:
            pulled = (sdks & installed) - allowed
            assert not pulled, f"litestar-storages-{backend} pulled {pulled}"
    assert not any(
        name.startswith("litestar-storages-") and name != "litestar-storages-core"
        for name in installed - {f"litestar-storages-{backend}"}
    )
    probe = "import litestar_storages, sys; print(sorted(litestar_storages._LAZY))"
    subprocess.run([str(python), "-c", probe], check=True, capture_output=True)


def test_umbrella_extra_installs_backend(wheels: dict[str, Path], tmp_path: Path) -> None:
    python = _venv(
        tmp_path, wheels["litestar-storages"], wheels["litestar-storages-core"], wheels["litestar-storages-fs"]
    )
    code = "from litestar_storages import FileSystemStorage, FileSystemConfig; print(FileSystemStorage.__name__)"
    result = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True)
    assert result.stdout.strip() == "FileSystemStorage"
