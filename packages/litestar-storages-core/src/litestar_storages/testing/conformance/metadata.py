"""Content type, custom metadata and etags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from litestar_storages.base import BaseStorage
from litestar_storages.content import MAX_METADATA_BYTES, MAX_METADATA_ITEMS, metadata_size
from litestar_storages.exceptions import (
    InvalidMetadataError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    BAD_CONTENT_TYPES,
    ODD_CONTENT_TYPES,
    ConformanceBase,
    _chunks,
)
from litestar_storages.types import StoredFile


async def _write(
    storage: Storage, via: str, key: str, *, content_type: str | None = None, metadata: dict[str, str] | None = None
) -> None:
    """Hand a content type and metadata to the storage through one of the ways they enter."""
    if via == "bytes":
        await storage.put(key, b"data", content_type=content_type, metadata=metadata)
    elif via == "stream":
        await storage.put(key, _chunks(b"data"), content_type=content_type, metadata=metadata)
    elif via == "multipart":
        assert isinstance(storage, BaseStorage)
        await storage.start_multipart_upload(key, content_type=content_type, metadata=metadata)
    else:
        await storage.url(key, method="PUT", content_type=content_type)


class MetadataTests(ConformanceBase):
    """Content type, custom metadata and etags."""

    # -- metadata and content type -----------------------------------------------------

    @pytest.mark.asyncio
    async def test_put_returns_metadata(self, storage: Storage) -> None:
        stored = await storage.put("meta/doc.txt", b"hello", content_type="text/plain")
        assert isinstance(stored, StoredFile)
        assert stored.key == "meta/doc.txt"
        assert stored.size == 5
        assert stored.content_type == "text/plain"
        assert stored.etag
        info = await storage.info("meta/doc.txt")
        assert info.key == "meta/doc.txt"
        assert info.size == 5
        assert info.content_type == "text/plain"
        assert info.etag == stored.etag
        assert isinstance(info.last_modified, datetime)
        assert info.last_modified.tzinfo is not None

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("key", "expected"),
        [
            ("photo.jpg", "image/jpeg"),
            ("page.html", "text/html"),
            ("data.json", "application/json"),
            ("blob.unknownext", "application/octet-stream"),
            ("noextension", "application/octet-stream"),
        ],
    )
    async def test_content_type_inferred(self, storage: Storage, key: str, expected: str) -> None:
        stored = await storage.put(key, b"x")
        assert stored.content_type == expected
        assert (await storage.info(key)).content_type == expected

    @pytest.mark.asyncio
    async def test_custom_metadata_round_trip(self, storage: Storage) -> None:
        metadata = {"author": "Ada", "x-trace-id": "abc-123", "note": "ünïcödé, spaces and = signs"}
        await storage.put("meta/custom.bin", b"data", metadata=metadata)
        info = await storage.info("meta/custom.bin")
        assert info.metadata == metadata

    @pytest.mark.asyncio
    async def test_metadata_names_are_lowercased(self, storage: Storage) -> None:
        await storage.put("meta/case.bin", b"data", metadata={"Author": "Ada"})
        assert (await storage.info("meta/case.bin")).metadata == {"author": "Ada"}

    @pytest.mark.asyncio
    async def test_metadata_is_copied(self, storage: Storage) -> None:
        metadata = {"version": "1"}
        await storage.put("meta/copied.bin", b"data", metadata=metadata)
        metadata["version"] = "2"
        info = await storage.info("meta/copied.bin")
        assert info.metadata == {"version": "1"}
        info.metadata["version"] = "3"
        assert (await storage.info("meta/copied.bin")).metadata == {"version": "1"}

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "metadata",
        [
            {"bad": "line\nbreak"},
            {"bad": "carriage\rreturn"},
            {"bad": "tab\tcharacter"},
            {"bad": "next line \x85 (C1)"},
            {"bad": "line\u2028separator"},
            {"bad": "paragraph\u2029separator"},
            {"na\nme": "x"},
            {"nämé": "x"},
            {"": "x"},
            {"has space": "x"},
            {"key": 1},
        ],
    )
    async def test_bad_metadata_rejected(self, storage: Storage, metadata: dict[str, Any]) -> None:
        with pytest.raises(InvalidMetadataError):
            await storage.put("meta/bad.bin", b"data", metadata=metadata)
        assert not await storage.exists("meta/bad.bin")

    @pytest.mark.asyncio
    async def test_bad_content_type_rejected(self, storage: Storage) -> None:
        with pytest.raises(InvalidMetadataError):
            await storage.put("meta/bad-type.bin", b"data", content_type="text/plain\r\nX-Injected: 1")
        assert not await storage.exists("meta/bad-type.bin")

    @pytest.mark.asyncio
    @pytest.mark.parametrize("via", ["bytes", "stream", "multipart", "url"])
    @pytest.mark.parametrize("content_type", BAD_CONTENT_TYPES)
    async def test_invalid_content_types_refused(self, storage: Storage, via: str, content_type: str) -> None:
        with pytest.raises(InvalidMetadataError) as caught:
            await _write(storage, via, "meta/typed.bin", content_type=content_type)
        assert caught.value.key == "meta/typed.bin"
        assert not await storage.exists("meta/typed.bin")

    @pytest.mark.asyncio
    @pytest.mark.parametrize("via", ["bytes", "stream"])
    @pytest.mark.parametrize("content_type", ODD_CONTENT_TYPES)
    async def test_odd_but_valid_content_types_round_trip(self, storage: Storage, via: str, content_type: str) -> None:
        await _write(storage, via, "meta/odd.txt", content_type=content_type)
        assert (await storage.info("meta/odd.txt")).content_type == content_type
        assert await storage.get_bytes("meta/odd.txt") == b"data"

    # -- metadata limits -------------------------------------------------------------------

    @staticmethod
    def _metadata_of_size(size: int) -> dict[str, str]:
        # ASCII and multi-byte values, names with "-" and ".": every backend's encoding.
        metadata = {"author": "Zoë Ünïcödé", "x-trace.id": "abc-123", "emoji": "😀" * 20}
        used = metadata_size(metadata) + len("padding")
        metadata["padding"] = "é" * ((size - used) // 2) + "x" * ((size - used) % 2)
        assert metadata_size(metadata) == size
        return metadata

    @pytest.mark.asyncio
    @pytest.mark.parametrize("via", ["bytes", "stream"])
    async def test_metadata_at_the_size_limit_round_trips(self, storage: Storage, via: str) -> None:
        metadata = self._metadata_of_size(MAX_METADATA_BYTES)
        await _write(storage, via, "meta/full.bin", metadata=metadata)
        assert (await storage.info("meta/full.bin")).metadata == metadata
        assert await storage.get_bytes("meta/full.bin") == b"data"

    @pytest.mark.asyncio
    @pytest.mark.parametrize("via", ["bytes", "stream", "multipart"])
    async def test_metadata_one_byte_over_the_limit_refused(self, storage: Storage, via: str) -> None:
        metadata = self._metadata_of_size(MAX_METADATA_BYTES + 1)
        with pytest.raises(InvalidMetadataError, match=f"{MAX_METADATA_BYTES + 1} bytes"):
            await _write(storage, via, "meta/over.bin", metadata=metadata)
        assert not await storage.exists("meta/over.bin")

    @pytest.mark.asyncio
    async def test_metadata_pair_count_limit(self, storage: Storage) -> None:
        metadata = {f"m-{index:02d}": f"v{index}" for index in range(MAX_METADATA_ITEMS)}
        await storage.put("meta/many.bin", b"data", metadata=metadata)
        assert (await storage.info("meta/many.bin")).metadata == metadata
        assert [item.key async for item in storage.list("meta/many")] == ["meta/many.bin"]
        with pytest.raises(InvalidMetadataError):
            await storage.put("meta/too-many.bin", b"data", metadata={**metadata, "one-more": "v"})
        assert not await storage.exists("meta/too-many.bin")

    @pytest.mark.asyncio
    async def test_etag_changes_with_content(self, storage: Storage) -> None:
        first = await storage.put("etag.txt", b"one")
        assert (await storage.info("etag.txt")).etag == first.etag
        second = await storage.put("etag.txt", b"two")
        assert second.etag != first.etag
        assert (await storage.info("etag.txt")).etag == second.etag
