"""Litestar's own File response and static files router, reading from any storage."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File
from litestar.static_files import create_static_files_router

from litestar_storages import MemoryStorage, Storage
from litestar_storages.contrib import StorageFileSystem, StoragePlugin

storage = MemoryStorage()  # S3Storage, GCSStorage, AzureStorage: the same

site = create_static_files_router(
    path="/site",
    directories=["/"],  # paths are keys: "/site/img/logo.png" reads "public/img/logo.png"
    file_system=StorageFileSystem(storage, prefix="public/"),
    resolve_symlinks=False,  # there is no local folder to resolve
    html_mode=True,  # "/site/" serves public/index.html, unknown paths public/404.html
)


@get("/reports/{name:str}")
async def report(name: FromPath[str], storage: NamedDependency[Storage]) -> File:
    return File(path=f"reports/{name}", file_system=StorageFileSystem(storage), filename=name)


app = Litestar(route_handlers=[site, report], plugins=[StoragePlugin(storage)])
