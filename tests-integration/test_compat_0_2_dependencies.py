"""0.2.x compatibility: ``litestar_storages.contrib.dependencies`` (the Litestar page).

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.di import Provide
from litestar.testing import AsyncTestClient

from litestar_storages import MemoryStorage
from litestar_storages.contrib.dependencies import StorageDependency, provide_storage


@get("/hello")
async def hello(storage: Any) -> str:
    text: str = (await storage.get_bytes("hello.txt")).decode()
    return text


async def test_provide_storage_documented_double_wrap() -> None:
    from litestar_storages.contrib import LITESTAR_AVAILABLE
    from litestar_storages.contrib import StorageDependency as FromContrib

    assert LITESTAR_AVAILABLE is True
    assert FromContrib is StorageDependency
    storage = MemoryStorage()
    await storage.put("hello.txt", b"Hello, World!")
    provider = provide_storage(storage)
    assert not isinstance(provider, Provide)
    assert provider() is storage

    @get("/typed")
    async def typed(storage: StorageDependency) -> str:
        return (await storage.get_bytes("hello.txt")).decode()

    app = Litestar(
        route_handlers=[hello, typed],
        dependencies={"storage": Provide(provide_storage(storage), sync_to_thread=False)},
    )
    async with AsyncTestClient(app) as client:
        for path in ("/hello", "/typed"):
            response = await client.get(path)
            assert response.status_code == 200
            assert response.text == "Hello, World!"
