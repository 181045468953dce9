"""Upload size limits: a default for the app, another for one handler, and raw bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Litestar, Request, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath

from litestar_storages import MemoryStorage, Storage, StoredFile
from litestar_storages.contrib import (
    MAX_UPLOAD_SIZE_OPT,
    RAW_UPLOAD_OPT,
    StoragePlugin,
    StoragePluginConfig,
    save_request_body,
    save_upload,
)


@dataclass
class FileForm:
    file: UploadFile


MultipartFile = Annotated[FileForm, Body(media_type=RequestEncodingType.MULTI_PART)]


@post("/documents/{key:path}")
async def upload_document(
    key: FromPath[str],
    data: MultipartFile,
    storage: NamedDependency[Storage],
    storage_upload_limit: NamedDependency[int | None],  # 5 MB: the plugin's default
) -> StoredFile:
    return await save_upload(storage, key.lstrip("/"), data.file, max_size=storage_upload_limit)


@post("/avatars/{key:path}", opt={MAX_UPLOAD_SIZE_OPT: 200_000})
async def upload_avatar(
    key: FromPath[str],
    data: MultipartFile,
    storage: NamedDependency[Storage],
    storage_upload_limit: NamedDependency[int | None],  # 200 kB: this handler's own limit
) -> StoredFile:
    return await save_upload(storage, f"avatars/{key.lstrip('/')}", data.file, max_size=storage_upload_limit)


# Litestar caps whole request bodies at 10 MB by default; this handler relies on the
# storage limit, enforced while the body streams in. RAW_UPLOAD_OPT documents the raw
# body in the OpenAPI schema (the handler has no `data` parameter Litestar could see).
@put(
    "/raw/{key:path}",
    request_max_body_size=None,
    opt={MAX_UPLOAD_SIZE_OPT: 50_000_000, RAW_UPLOAD_OPT: True},
)
async def upload_raw(
    key: FromPath[str],
    request: Request[Any, Any, Any],
    storage: NamedDependency[Storage],
    storage_upload_limit: NamedDependency[int | None],
) -> StoredFile:
    return await save_request_body(storage, key.lstrip("/"), request, max_size=storage_upload_limit)


app = Litestar(
    route_handlers=[upload_document, upload_avatar, upload_raw],
    plugins=[StoragePlugin(MemoryStorage(), config=StoragePluginConfig(max_upload_size=5_000_000))],
)
