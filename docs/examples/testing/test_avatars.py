"""Testing code that uses a storage: hand it a MemoryStorage.

In your project the service lives in your package and the tests in tests/; both are
in one file here so the example runs as it is: ``pytest test_avatars.py``.
"""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from litestar_storages import MemoryStorage, Storage, StorageFileNotFoundError

# -- the code under test ------------------------------------------------------------ [service]


class AvatarService:
    """Stores one avatar per user. Takes any Storage, so tests can pass a MemoryStorage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def upload(self, user_id: int, image: bytes) -> str:
        if not image.startswith(b"\x89PNG"):
            raise ValueError("avatars must be PNG images")
        key = f"avatars/{user_id}.png"
        await self.storage.put(key, image, metadata={"user-id": str(user_id)})
        return key

    async def remove(self, user_id: int) -> None:
        await self.storage.delete(f"avatars/{user_id}.png", missing_ok=True)


# -- the tests ------------------------------------------------------------------------ [tests]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest_asyncio.fixture
async def storage() -> AsyncIterator[MemoryStorage]:
    # A fresh, empty storage per test: no cleanup, no shared state, no network.
    async with MemoryStorage() as storage:
        yield storage


async def test_upload_stores_png_with_owner(storage: MemoryStorage) -> None:
    key = await AvatarService(storage).upload(7, PNG)

    assert await storage.get_bytes(key) == PNG
    info = await storage.info(key)
    assert info.content_type == "image/png"
    assert info.metadata == {"user-id": "7"}


async def test_upload_rejects_other_formats(storage: MemoryStorage) -> None:
    with pytest.raises(ValueError, match="PNG"):
        await AvatarService(storage).upload(7, b"GIF89a")
    assert [item async for item in storage.list()] == []


async def test_remove_is_idempotent(storage: MemoryStorage) -> None:
    service = AvatarService(storage)
    await service.upload(7, PNG)
    await service.remove(7)
    await service.remove(7)
    with pytest.raises(StorageFileNotFoundError):
        await storage.info("avatars/7.png")
