"""0.2.x compatibility: the ``Storage`` protocol has the 0.2.x members, and duck-typed storages work.

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from litestar_storages import MemoryStorage, Storage, StoredFile
from litestar_storages.contrib.dependencies import StorageDependency
from litestar_storages.exceptions import StorageFileNotFoundError


@get("/hello")
async def hello(storage: Any) -> str:
    text: str = (await storage.get_bytes("hello.txt")).decode()
    return text


class DuckStorage:
    """Exactly the 0.2.x protocol's members, no base class, the 0.2.x signatures."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {"hello.txt": b"Hello, World!"}
        self.closed = 0

    async def put(self, key: str, data: bytes, *, content_type: str | None = None, metadata: Any = None) -> StoredFile:
        self.files[key] = data
        return StoredFile(key=key, size=len(data), content_type=content_type)

    async def get(self, key: str) -> AsyncIterator[bytes]:
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        data = self.files[key]
        for start in range(0, len(data), 5):
            yield data[start : start + 5]

    async def get_bytes(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.get(key)])

    async def delete(self, key: str) -> None:
        if self.files.pop(key, None) is None:
            raise StorageFileNotFoundError(key)

    async def exists(self, key: str) -> bool:
        return key in self.files

    async def list(self, prefix: str = "") -> AsyncIterator[StoredFile]:
        for key in sorted(self.files):
            if key.startswith(prefix):
                yield await self.info(key)

    async def url(self, key: str, *, expires_in: timedelta | None = None) -> str:
        return f"duck://{key}"

    async def copy(self, source: str, destination: str) -> StoredFile:
        return await self.put(destination, await self.get_bytes(source))

    async def move(self, source: str, destination: str) -> StoredFile:
        stored = await self.copy(source, destination)
        await self.delete(source)
        return stored

    async def info(self, key: str) -> StoredFile:
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        return StoredFile(key=key, size=len(self.files[key]), content_type="text/plain")

    async def close(self) -> None:
        self.closed += 1


def test_duck_typed_storage_is_a_storage_and_capabilities_are_separate() -> None:
    from litestar_storages import (
        SupportsAsyncContext,
        SupportsDeleteMany,
        SupportsMultipartUpload,
        SupportsPutLarge,
    )

    duck = DuckStorage()
    assert isinstance(duck, Storage)
    capabilities = (SupportsAsyncContext, SupportsDeleteMany, SupportsMultipartUpload, SupportsPutLarge)
    assert not any(isinstance(duck, capability) for capability in capabilities)
    assert all(isinstance(MemoryStorage(), capability) for capability in (Storage, *capabilities))


async def test_storage_plugin_serves_a_duck_typed_storage() -> None:
    from litestar_storages.contrib import StoragePlugin, storage_response

    duck = DuckStorage()

    @get("/files/{key:path}")
    async def download(key: str, storage: StorageDependency) -> Any:
        return storage_response(storage, key.lstrip("/"))

    app = Litestar(route_handlers=[hello, download], plugins=[StoragePlugin(duck)])  # type: ignore[arg-type]
    async with AsyncTestClient(app) as client:
        assert (await client.get("/hello")).text == "Hello, World!"
        whole = await client.get("/files/hello.txt")
        assert (whole.status_code, whole.content) == (200, b"Hello, World!")
        # Range requests work although the storage's get takes no start/end.
        part = await client.get("/files/hello.txt", headers={"Range": "bytes=3-8"})
        assert (part.status_code, part.content) == (206, b"lo, Wo")
        several = await client.get("/files/hello.txt", headers={"Range": "bytes=0-1,7-11"})
        assert several.status_code == 206
        assert b"He" in several.content
        assert b"World" in several.content
        assert (await client.get("/files/missing.txt")).status_code == 404
    assert duck.closed == 1  # closed on shutdown
