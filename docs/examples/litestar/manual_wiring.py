"""Without the plugin: the same building blocks, wired by hand."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from litestar_storages import MemoryStorage, Storage, StoredFile
from litestar_storages.contrib import StoredFileReadDTO, provide_storage, storage_exception_handlers

storage = MemoryStorage()


@get("/info/{key:path}", return_dto=StoredFileReadDTO)  # custom metadata stays private
async def file_info(key: FromPath[str], storage: NamedDependency[Storage]) -> StoredFile:
    return await storage.info(key.lstrip("/"))  # a missing key becomes a 404


app = Litestar(
    route_handlers=[file_info],
    # provide_storage returns a plain callable, as in 0.2.x: Provide wraps it.
    dependencies={"storage": Provide(provide_storage(storage), sync_to_thread=False)},
    exception_handlers=storage_exception_handlers(),  # 404, 409, 400, 503 for storage errors
    on_shutdown=[storage.close],
)
