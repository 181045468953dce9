"""Copy, move, delete, missing keys and invalid keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from litestar_storages.capabilities import SupportsDeleteMany
from litestar_storages.exceptions import (
    InvalidKeyError,
    StorageFileNotFoundError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    BAD_KEYS,
    ConformanceBase,
    _call_on_missing,
)


class KeyOperationTests(ConformanceBase):
    """Copy, move, delete, missing keys and invalid keys."""

    # -- copy and move ---------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_copy_keeps_content_and_metadata(self, storage: Storage) -> None:
        await storage.put("src/file.dat", b"payload", content_type="text/csv", metadata={"owner": "ada"})
        copied = await storage.copy("src/file.dat", "dst/file.dat")
        assert copied.key == "dst/file.dat"
        assert copied.size == 7
        assert await storage.get_bytes("dst/file.dat") == b"payload"
        assert await storage.get_bytes("src/file.dat") == b"payload"
        info = await storage.info("dst/file.dat")
        assert info.content_type == "text/csv"
        assert info.metadata == {"owner": "ada"}

    @pytest.mark.asyncio
    async def test_copy_replaces_destination(self, storage: Storage) -> None:
        await storage.put("src.txt", b"new")
        await storage.put("dst.txt", b"old content", metadata={"old": "1"})
        await storage.copy("src.txt", "dst.txt")
        assert await storage.get_bytes("dst.txt") == b"new"
        assert (await storage.info("dst.txt")).metadata == {}

    @pytest.mark.asyncio
    async def test_move_keeps_content_and_metadata(self, storage: Storage) -> None:
        await storage.put("old/name.bin", b"moving", content_type="image/png", metadata={"k": "v"})
        moved = await storage.move("old/name.bin", "new/name.bin")
        assert moved.key == "new/name.bin"
        assert not await storage.exists("old/name.bin")
        assert await storage.get_bytes("new/name.bin") == b"moving"
        info = await storage.info("new/name.bin")
        assert info.content_type == "image/png"
        assert info.metadata == {"k": "v"}
        assert [item.key async for item in storage.list()] == ["new/name.bin"]

    @pytest.mark.asyncio
    async def test_move_to_another_name_keeps_content_type_and_metadata(self, storage: Storage) -> None:
        await storage.put("old/first.bin", b"moving", content_type="image/png", metadata={"k": "v"})
        await storage.put("old/second.bin", b"replaced", content_type="text/plain", metadata={"other": "1"})
        await storage.move("old/first.bin", "old/second.bin")
        info = await storage.info("old/second.bin")
        assert (info.content_type, info.metadata) == ("image/png", {"k": "v"})
        assert await storage.get_bytes("old/second.bin") == b"moving"
        await storage.move("old/second.bin", "new/third.bin")
        info = await storage.info("new/third.bin")
        assert (info.content_type, info.metadata) == ("image/png", {"k": "v"})

    @pytest.mark.asyncio
    async def test_move_onto_itself_keeps_file(self, storage: Storage) -> None:
        await storage.put("same.txt", b"stay")
        await storage.move("same.txt", "same.txt")
        assert await storage.get_bytes("same.txt") == b"stay"

    # -- missing keys ------------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("operation", ["get", "get_bytes", "info", "delete", "copy", "move"])
    async def test_missing_key_raises_not_found(self, storage: Storage, operation: str) -> None:
        with pytest.raises(StorageFileNotFoundError) as caught:
            await _call_on_missing(storage, operation)
        assert caught.value.key == "missing.txt"
        assert isinstance(caught.value, FileNotFoundError)
        assert not await storage.exists("elsewhere.txt")

    @pytest.mark.asyncio
    async def test_exists_and_delete(self, storage: Storage) -> None:
        assert not await storage.exists("gone.txt")
        await storage.put("gone.txt", b"x")
        assert await storage.exists("gone.txt")
        await storage.delete("gone.txt")
        assert not await storage.exists("gone.txt")
        await storage.delete("gone.txt", missing_ok=True)
        with pytest.raises(StorageFileNotFoundError):
            await storage.delete("gone.txt")

    @pytest.mark.asyncio
    async def test_folder_is_not_a_key(self, storage: Storage) -> None:
        await storage.put("folder/inner.txt", b"x")
        assert not await storage.exists("folder")
        with pytest.raises(StorageFileNotFoundError):
            await storage.info("folder")
        with pytest.raises(StorageFileNotFoundError):
            await storage.delete("folder")
        assert await storage.exists("folder/inner.txt")

    @pytest.mark.asyncio
    async def test_delete_many(self, storage: Storage) -> None:
        assert isinstance(storage, SupportsDeleteMany)
        for key in ("m/1", "m/2", "m/3", "keep"):
            await storage.put(key, b"x")
        await storage.delete_many(["m/1", "m/2", "m/3", "m/not-there"])
        assert [item.key async for item in storage.list()] == ["keep"]
        with pytest.raises(InvalidKeyError):
            await storage.delete_many(["keep", "../bad"])
        assert await storage.exists("keep")

    # -- invalid keys ----------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("key", BAD_KEYS, ids=lambda key: repr(key[:20]))
    async def test_invalid_keys_rejected_everywhere(self, storage: Storage, key: str) -> None:
        await storage.put("valid.txt", b"x")
        operations: dict[str, Callable[[], Awaitable[object]]] = {
            "put": lambda: storage.put(key, b"x"),
            "get_bytes": lambda: storage.get_bytes(key),
            "info": lambda: storage.info(key),
            "exists": lambda: storage.exists(key),
            "delete": lambda: storage.delete(key),
            "url": lambda: storage.url(key),
            "copy-from": lambda: storage.copy(key, "valid-copy.txt"),
            "copy-to": lambda: storage.copy("valid.txt", key),
            "move-from": lambda: storage.move(key, "valid-moved.txt"),
            "move-to": lambda: storage.move("valid.txt", key),
        }
        for name, operation in operations.items():
            try:
                await operation()
            except InvalidKeyError:
                continue
            pytest.fail(f"{name} accepted the invalid key {key!r}")
        with pytest.raises(InvalidKeyError):
            [chunk async for chunk in storage.get(key)]
        assert [item.key async for item in storage.list()] == ["valid.txt"]
