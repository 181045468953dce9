from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest_asyncio

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.testing import StorageConformance

SECRET = "conformance-secret-0123456789abcdef"


class TestFileSystemStorage(StorageConformance):
    @pytest_asyncio.fixture
    async def storage(self, tmp_path: Path) -> AsyncIterator[FileSystemStorage]:
        async with FileSystemStorage(FileSystemConfig(path=tmp_path / "root")) as storage:
            yield storage


class TestFileSystemStorageSignedSmallChunks(StorageConformance):
    """Signed URLs, and a tiny chunk size so every stream takes the multi-chunk paths."""

    signs_download_names: ClassVar[bool] = True

    @pytest_asyncio.fixture
    async def storage(self, tmp_path: Path) -> AsyncIterator[FileSystemStorage]:
        config = FileSystemConfig(
            path=str(tmp_path / "root"),
            base_url="https://files.example.com/media",
            signing_secret=SECRET,
            chunk_size=4093,
        )
        async with FileSystemStorage(config) as storage:
            yield storage
