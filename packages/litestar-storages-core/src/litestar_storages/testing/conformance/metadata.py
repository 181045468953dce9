"""Content type, custom metadata and etags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from litestar_storages.exceptions import (
    InvalidMetadataError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    ConformanceBase,
)
from litestar_storages.types import StoredFile


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
    async def test_etag_changes_with_content(self, storage: Storage) -> None:
        first = await storage.put("etag.txt", b"one")
        assert (await storage.info("etag.txt")).etag == first.etag
        second = await storage.put("etag.txt", b"two")
        assert second.etag != first.etag
        assert (await storage.info("etag.txt")).etag == second.etag
