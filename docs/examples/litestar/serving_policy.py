"""Serving user uploads from the application's origin without stored XSS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Litestar, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from litestar_storages import MemoryStorage, Storage, StoredFile
from litestar_storages.contrib import (
    ACTIVE_CONTENT_OPT,
    StoragePlugin,
    StoragePluginConfig,
    StorageResponse,
    save_upload,
    storage_response,
)


@dataclass
class FileForm:
    file: UploadFile


@post("/uploads/{name:str}")
async def upload(
    name: FromPath[str],
    data: Annotated[FileForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],
) -> StoredFile:
    # The stored type comes from the key's extension ("evil.html" is text/html), never
    # from the browser's claim (which could say image/png).
    return await save_upload(storage, f"uploads/{name}", data.file)


@get("/uploads/{name:str}")
async def download(name: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    # The plugin's policy: images, media, text and PDF inline; HTML, SVG, XML, scripts
    # and unknown types as attachments under "Content-Security-Policy: sandbox".
    return storage_response(storage, f"uploads/{name}")


@get("/preview/{name:str}")
async def preview(name: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    # Show an uploaded page in the browser, but sandboxed: no script, an opaque origin.
    return storage_response(storage, f"uploads/{name}", active_content="sandbox")


@get("/assets/{name:str}", opt={ACTIVE_CONTENT_OPT: "inline"})
async def asset(name: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    # Files only the application writes (no upload route leads under "assets/"): as stored.
    return storage_response(storage, f"assets/{name}")


app = Litestar(
    route_handlers=[upload, download, preview, asset],
    plugins=[StoragePlugin(MemoryStorage(), config=StoragePluginConfig(active_content="attachment"))],
)
