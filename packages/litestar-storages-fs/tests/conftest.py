from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage

SECRET = "test-signing-secret-0123456789abcdef"


RESERVED = ".lss~"
"""The documented prefix of every name the storage keeps for itself (docs/backends/filesystem.md)."""


def _internal_files(root: Path) -> list[str]:
    found: list[str] = []
    for directory, dirnames, filenames in os.walk(root):
        found.extend(os.path.join(directory, name) for name in [*dirnames, *filenames] if name.startswith(RESERVED))
    return sorted(found)


@pytest.fixture
def internal_files(root: Path) -> Callable[[], list[str]]:
    """Every name under the root that belongs to the storage (temporary files, sidecars, staging)."""
    return lambda: _internal_files(root)


@pytest.fixture
def temp_files(root: Path) -> Callable[[], list[str]]:
    """Temporary files under the root (left by unfinished writes)."""
    return lambda: [path for path in _internal_files(root) if os.path.basename(path).startswith(RESERVED + "t.")]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "root"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(b"top secret")
    return folder


@pytest_asyncio.fixture
async def storage(root: Path) -> AsyncIterator[FileSystemStorage]:
    async with FileSystemStorage(FileSystemConfig(path=root)) as storage:
        yield storage


@pytest_asyncio.fixture
async def signed_storage(root: Path) -> AsyncIterator[FileSystemStorage]:
    config = FileSystemConfig(path=root, base_url="https://files.example.com/media", signing_secret=SECRET)
    async with FileSystemStorage(config) as storage:
        yield storage
