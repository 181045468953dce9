"""Signed, expiring links to files on the local filesystem, served by the plugin's route."""

from __future__ import annotations

import os
from datetime import timedelta

from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from litestar_storages import FileSystemConfig, FileSystemStorage, Storage
from litestar_storages.contrib import StoragePlugin

storage = FileSystemStorage(
    FileSystemConfig(
        path="uploads",
        base_url="/media",  # the plugin mounts GET/HEAD/PUT /media/{key:path} for these links
        signing_secret=os.environ.get("MEDIA_SIGNING_SECRET", "change-me-to-32-random-bytes-or-more"),
    )
)


@get("/share/{key:path}")
async def share(key: FromPath[str], storage: NamedDependency[Storage]) -> dict[str, str]:
    url = await storage.url(key.lstrip("/"), expires_in=timedelta(minutes=15))
    return {"url": url}  # /media/<key>?expires=...&signature=...


@get("/upload-link/{key:path}")
async def upload_link(key: FromPath[str], storage: NamedDependency[Storage]) -> dict[str, str]:
    # A browser can PUT the file body to this URL; the route streams it into the storage.
    return {"url": await storage.url(key.lstrip("/"), method="PUT", expires_in=timedelta(minutes=15))}


app = Litestar(route_handlers=[share, upload_link], plugins=[StoragePlugin(storage)])
