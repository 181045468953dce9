"""0.2.x compatibility: ``BaseStorage``'s default methods over a custom backend written to the 0.2.x signatures.

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from litestar_storages import BaseStorage, ProgressInfo, StoredFile
from litestar_storages.exceptions import StorageFileNotFoundError


class OriginalSignatures(BaseStorage):
    """A custom backend written against the 0.2.x docs: only the documented signatures."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str | None, dict[str, str]]] = {}
        self.gets = 0

    async def put(  # type: ignore[override]
        self, key: str, data: Any, *, content_type: str | None = None, metadata: dict[str, str] | None = None
    ) -> StoredFile:
        if not isinstance(data, bytes):
            data = b"".join([chunk async for chunk in data])
        self.files[key] = (data, content_type, dict(metadata or {}))
        return await self.info(key)

    async def get(self, key: str) -> AsyncIterator[bytes]:  # type: ignore[override]
        self.gets += 1
        await self.info(key)  # raises StorageFileNotFoundError
        data = self.files[key][0]
        for start in range(0, len(data), 4):
            yield data[start : start + 4]

    async def delete(self, key: str) -> None:  # type: ignore[override]
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        del self.files[key]

    async def exists(self, key: str) -> bool:
        return key in self.files

    async def list(self, prefix: str = "") -> AsyncIterator[StoredFile]:  # type: ignore[override]
        for key in sorted(self.files):
            if key.startswith(prefix):
                yield await self.info(key)

    async def url(self, key: str, *, expires_in: timedelta | None = None) -> str:  # type: ignore[override]
        return f"custom://{key}"

    async def info(self, key: str) -> StoredFile:
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        data, content_type, metadata = self.files[key]
        return StoredFile(key=key, size=len(data), content_type=content_type, metadata=metadata)


class ExtendedSignatures(OriginalSignatures):
    """The same backend with this release's keywords: the defaults must use them."""

    def __init__(self) -> None:
        super().__init__()
        self.ranged: list[tuple[int | None, int | None]] = []
        self.missing_ok: list[bool] = []

    async def get(
        self, key: str, *, start: int | None = None, end: int | None = None, progress: Any = None
    ) -> AsyncIterator[bytes]:
        self.ranged.append((start, end))
        await self.info(key)
        yield self.files[key][0][start:end]

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        self.missing_ok.append(missing_ok)
        if key in self.files or not missing_ok:
            await super().delete(key)


@pytest.mark.parametrize("cls", [OriginalSignatures, ExtendedSignatures])
async def test_base_storage_defaults_work_on_both_signatures(cls: type[OriginalSignatures]) -> None:
    storage = cls()
    await storage.put("a.txt", b"hello world", content_type="text/plain", metadata={"owner": "me"})
    assert await storage.get_bytes("a.txt") == b"hello world"
    assert await storage.get_bytes("a.txt", start=2, end=9) == b"llo wor"
    copied = await storage.copy("a.txt", "b.txt")
    assert (copied.key, copied.size, copied.content_type) == ("b.txt", 11, "text/plain")
    assert copied.metadata == {"owner": "me"}
    moved = await storage.move("b.txt", "c.txt")
    assert moved.key == "c.txt"
    assert not await storage.exists("b.txt")
    await storage.delete_many(["c.txt", "never-existed.txt"])
    assert sorted(storage.files) == ["a.txt"]
    reports: list[ProgressInfo] = []
    await storage.put_large("big.bin", b"x" * 10, progress_callback=reports.append)
    assert reports[-1].bytes_transferred == 10
    with pytest.raises(StorageFileNotFoundError):
        await storage.get_bytes("missing.txt")
    if isinstance(storage, ExtendedSignatures):
        assert (2, 9) in storage.ranged  # the range went to the backend, not cut client-side
        assert True in storage.missing_ok


async def test_a_real_type_error_is_not_hidden() -> None:
    class Buggy(OriginalSignatures):
        async def get(self, key: str) -> AsyncIterator[bytes]:  # type: ignore[override]
            yield len(key) + "oops"  # type: ignore[operator, misc]

    storage = Buggy()
    await storage.put("a.txt", b"x")
    with pytest.raises(TypeError, match="unsupported operand"):
        await storage.get_bytes("a.txt")
    with pytest.raises(TypeError, match="unsupported operand"):
        await storage.get_bytes("a.txt", start=0, end=1)
