"""ObstoreStorage behind the Litestar plugin: served downloads, whole and ranged."""

from __future__ import annotations

from litestar import HttpMethod, Litestar, route
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.testing import AsyncTestClient
from obstore.store import MemoryStore

from litestar_storages import ObstoreStorage, Storage
from litestar_storages.contrib import StoragePlugin, StorageResponse, storage_response

PAYLOAD = bytes(range(256)) * 64


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


async def test_plugin_serves_an_obstore_file_whole_and_ranged() -> None:
    storage = ObstoreStorage(MemoryStore())
    await storage.put("docs/report.bin", PAYLOAD, content_type="application/x-report")
    app = Litestar([download], plugins=[StoragePlugin(storage)])
    async with AsyncTestClient(app) as client:
        whole = await client.get("/files/docs/report.bin")
        assert whole.status_code == 200
        assert whole.content == PAYLOAD
        assert whole.headers["content-type"] == "application/x-report"
        ranged = await client.get("/files/docs/report.bin", headers={"Range": "bytes=100-199"})
        assert ranged.status_code == 206
        assert ranged.content == PAYLOAD[100:200]
        missing = await client.get("/files/docs/missing.bin")
        assert missing.status_code == 404
