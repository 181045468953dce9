"""StoragePlugin: storages injected into handlers by name, closed on shutdown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import HttpMethod, Litestar, get, post, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from litestar_storages import MemoryStorage, Storage, StoredFile
from litestar_storages.contrib import StoragePlugin, StorageResponse, save_upload, storage_response


@dataclass
class FileForm:
    file: UploadFile  # the form's file field: <input type="file" name="file">


@post("/files/{key:path}")
async def upload(
    key: FromPath[str],
    data: Annotated[FileForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],  # the default storage
) -> StoredFile:
    # Streams the upload into the storage chunk by chunk; StoredFile is returned as JSON.
    return await save_upload(storage, key.lstrip("/"), data.file)


@get("/files")
async def list_files(storage: NamedDependency[Storage]) -> list[StoredFile]:
    return [stored async for stored in storage.list()]


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"))


@get("/avatars/{key:path}")
async def avatar(key: FromPath[str], avatars_storage: NamedDependency[Storage]) -> StorageResponse:
    # A named storage is injected as `{name}_storage`.
    return storage_response(avatars_storage, key.lstrip("/"))


app = Litestar(
    route_handlers=[upload, list_files, download, avatar],
    plugins=[StoragePlugin(MemoryStorage(), avatars=MemoryStorage())],
)
