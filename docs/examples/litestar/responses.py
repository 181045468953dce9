"""storage_response: proxy the bytes (Range, 304, downloads) or redirect to a presigned URL."""

from __future__ import annotations

from datetime import timedelta

from litestar import HttpMethod, Litestar, get, route
from litestar.di import NamedDependency
from litestar.params import FromPath

from litestar_storages import MemoryStorage, Storage
from litestar_storages.contrib import StoragePlugin, StorageResponse, storage_response


@route("/media/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def media(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    # Inline, with Range (206/416), ETag/Last-Modified (304) and a 404 for missing keys.
    return storage_response(storage, key.lstrip("/"), headers={"Cache-Control": "private, max-age=300"})


@get("/invoices/{number:int}")
async def invoice(number: FromPath[int], storage: NamedDependency[Storage]) -> StorageResponse:
    # A download under a friendly name; non-ASCII names are encoded per RFC 6266.
    return storage_response(storage, f"invoices/{number}.pdf", filename=f"facture-n°{number}.pdf", attachment=True)


@get("/direct/{key:path}")
async def direct(key: FromPath[str], storage: NamedDependency[Storage]) -> StorageResponse:
    # 307 to storage.url(): with S3, GCS or Azure the client downloads from the cloud.
    return storage_response(storage, key.lstrip("/"), redirect=True, expires_in=timedelta(minutes=10))


app = Litestar(route_handlers=[media, invoice, direct], plugins=[StoragePlugin(MemoryStorage())])
