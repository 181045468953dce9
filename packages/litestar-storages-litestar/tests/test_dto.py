"""StoredFileDTO and StoredFileReadDTO as return DTOs."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.testing import AsyncTestClient

from litestar_storages import MemoryStorage, ObjectAttributes, Storage, StoredFile
from litestar_storages.contrib import StoragePlugin, StoredFileDTO, StoredFileReadDTO


@get("/full", return_dto=StoredFileDTO)
async def full(storage: NamedDependency[Storage]) -> StoredFile:
    return await storage.info("a.txt")


@get("/public", return_dto=StoredFileReadDTO)
async def public(storage: NamedDependency[Storage]) -> list[StoredFile]:
    return [stored async for stored in storage.list()]


async def test_dtos() -> None:
    storage = MemoryStorage()
    await storage.put("a.txt", b"abc", metadata={"uploader": "u-1"}, attributes=ObjectAttributes(tags={"bill": "x"}))
    await storage.put("b.txt", b"defg", attributes=ObjectAttributes(cache_control="no-cache", tags={"bill": "y"}))
    app = Litestar([full, public], plugins=[StoragePlugin(storage)])
    async with AsyncTestClient(app) as client:
        full_body = (await client.get("/full")).json()
        public_body = (await client.get("/public")).json()
        schema = (await client.get("/schema/openapi.json")).json()
    assert full_body["metadata"] == {"uploader": "u-1"}
    assert full_body["size"] == 3
    assert full_body["last_modified"].endswith("Z")
    assert [item["key"] for item in public_body] == ["a.txt", "b.txt"]
    assert all("metadata" not in item for item in public_body)
    assert full_body["attributes"]["tags"] == {"bill": "x"}
    assert all("tags" not in item["attributes"] for item in public_body)  # internal labels, like metadata
    assert public_body[1]["attributes"]["cache_control"] == "no-cache"
    assert {"key", "size", "content_type", "etag", "last_modified"} <= set(public_body[0])
    components = schema["components"]["schemas"]
    public_schema = next(
        value
        for value in components.values()
        if "key" in value.get("properties", {}) and "metadata" not in value.get("properties", {})
    )
    assert "key" in public_schema["properties"]
    assert any("metadata" in value.get("properties", {}) for value in components.values())
