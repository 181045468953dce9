"""storage_response sends the stored Cache-Control, Content-Encoding and Content-Language."""

import asyncio
import gzip

from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from litestar_storages import MemoryStorage, ObjectAttributes, Storage, StoragePlugin
from litestar_storages.contrib import StorageResponse, storage_response


@get("/assets/{key:path}")
async def asset(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


async def main() -> None:
    storage = MemoryStorage()
    script = gzip.compress(b"console.log('hello');", mtime=0)
    await storage.put(
        "app.3f9a.js",
        script,
        content_type="text/javascript",
        attributes=ObjectAttributes(cache_control="public, max-age=31536000, immutable", content_encoding="gzip"),
    )
    app = Litestar([asset], plugins=[StoragePlugin(storage)])
    async with AsyncTestClient(app) as client:
        response = await client.get("/assets/app.3f9a.js")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == b"console.log('hello');"  # the client decoded the stored gzip bytes


if __name__ == "__main__":
    asyncio.run(main())
