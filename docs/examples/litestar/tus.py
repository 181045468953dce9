"""Resumable uploads (tus 1.0.0) into a named storage, with a key policy, a guard and cleanup."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from litestar import Litestar, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler

from litestar_storages import FileSystemConfig, FileSystemStorage
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig
from litestar_storages.contrib.tus import TusConfig, TusUpload

uploads = FileSystemStorage(FileSystemConfig(path="uploads"))


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    # Stands for the application's own authentication.
    if connection.headers.get("authorization") != "Bearer demo-token":
        raise NotAuthorizedException


def key_for(upload: TusUpload) -> str:
    # The server chooses the key; the client's file name only lends a safe extension.
    extension = re.fullmatch(r".*(\.[a-z0-9]{1,8})", upload.metadata.get("filename", "").lower())
    return f"videos/{upload.id}{extension.group(1) if extension else ''}"


tus = TusConfig(
    storage="videos",  # the named storage below
    path="/uploads",  # POST /uploads creates; HEAD/PATCH/DELETE /uploads/{id}
    key=key_for,
    max_size=20 * 1024**3,  # Tus-Max-Size: 20 GiB
    expires_in=timedelta(days=1),
    guards=[signed_in],
    cleanup_interval=timedelta(hours=1),  # expired uploads removed while the app runs
)
plugin = StoragePlugin(videos=uploads, config=StoragePluginConfig(tus=(tus,)))


@get("/maintenance/tus-cleanup", guards=[signed_in])
async def cleanup() -> dict[str, int]:
    # The same maintenance call, on demand (or from a scheduled job).
    return {"removed": await plugin.tus["/uploads"].cleanup_expired()}


app = Litestar(route_handlers=[cleanup], plugins=[plugin])
