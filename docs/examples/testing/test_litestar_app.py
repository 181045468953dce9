"""Testing a Litestar application: build the app with a MemoryStorage.

An app factory that takes the storage lets production pass S3Storage(...) and tests pass
a fresh MemoryStorage; the plugin injects it into handlers as ``storage``.
Run with ``pytest test_litestar_app.py``.
"""

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from litestar import Litestar, Request, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from litestar_storages import MemoryStorage, Storage
from litestar_storages.contrib import StoragePlugin

# -- the application ------------------------------------------------------------------- [app]


@put("/notes/{name:str}")
async def save_note(
    name: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]
) -> dict[str, int]:
    # request.stream() hands the body over chunk by chunk, as it arrives.
    stored = await storage.put(f"notes/{name}.txt", request.stream(), content_type="text/plain")
    return {"size": stored.size}


@get("/notes")
async def list_notes(storage: NamedDependency[Storage]) -> list[str]:
    return [stored.key async for stored in storage.list("notes/")]


def create_app(storage: Storage) -> Litestar:
    return Litestar([save_note, list_notes], plugins=[StoragePlugin(storage)])


# -- the tests ------------------------------------------------------------------------ [tests]


@pytest_asyncio.fixture
async def storage() -> MemoryStorage:
    return MemoryStorage()


@pytest_asyncio.fixture
async def client(storage: MemoryStorage) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=create_app(storage)) as client:
        yield client


async def test_saved_note_is_stored(client: AsyncTestClient[Litestar], storage: MemoryStorage) -> None:
    response = await client.put("/notes/todo", content=b"buy milk")

    assert response.status_code == 200
    assert response.json() == {"size": 8}
    # The test reads the storage directly: no HTTP round trip needed to check it.
    assert await storage.get_bytes("notes/todo.txt") == b"buy milk"


async def test_listing_shows_saved_notes(client: AsyncTestClient[Litestar], storage: MemoryStorage) -> None:
    await storage.put("notes/a.txt", b"a")  # arrange through the storage itself
    await client.put("/notes/b", content=b"b")

    response = await client.get("/notes")

    assert response.json() == ["notes/a.txt", "notes/b.txt"]
