"""The litestar-storages demo: upload, list, play, link and delete files in a browser.

Run it with ``hatch run demo`` (or ``python docs/examples/demo/app.py --port 8000``).
Files go to ``./demo-uploads`` by default; set ``DEMO_STORAGE`` to ``memory``, ``s3``,
``gcs`` or ``azure`` to use another backend, and ``DEMO_<FIELD>`` variables for the
fields of that backend's config (``DEMO_BUCKET``, ``DEMO_ENDPOINT_URL``, ``DEMO_REGION``,
``DEMO_CONNECTION_STRING``, ``DEMO_CONTAINER``, ...).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from litestar import HttpMethod, Litestar, MediaType, delete, get, post, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException
from litestar.params import Body, FromPath, FromQuery

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage, Storage, StoredFile
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig, StorageResponse, save_upload, storage_response
from litestar_storages.exceptions import UnsupportedOperationError

PAGE = (Path(__file__).parent / "index.html").read_text(encoding="utf-8")
MAX_UPLOAD_SIZE = 512 * 1024 * 1024
LINK_LIFETIME = timedelta(hours=1)
MEDIA_PATH = "/media"  # where the signed filesystem links point (the plugin serves them)


@dataclass
class UploadForm:
    file: UploadFile  # a form field, not a bare UploadFile: a text field is then a 400, not a 500


Upload = Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]


# The page and its API.


@get("/", media_type=MediaType.HTML, include_in_schema=False)
async def index() -> str:
    return PAGE


@get("/api/files")
async def list_files(storage: NamedDependency[Storage]) -> list[StoredFile]:
    return [stored async for stored in storage.list()]


@post("/api/files", request_max_body_size=None)
async def upload(
    data: Upload, storage: NamedDependency[Storage], storage_upload_limit: NamedDependency[int | None]
) -> StoredFile:
    # Only the file's own name: the browser's path (if any) is not ours to reproduce.
    key = PurePosixPath(data.file.filename.replace("\\", "/")).name
    if not key:
        raise ClientException("The upload has no file name")
    # The stored type comes from the name's extension, not from the browser.
    return await save_upload(storage, key, data.file, max_size=storage_upload_limit)


@delete("/api/files/{key:path}")
async def delete_file(key: FromPath[str], storage: NamedDependency[Storage]) -> None:
    await storage.delete(key.lstrip("/"))


@get("/api/links/{key:path}")
async def share_link(key: FromPath[str], storage: NamedDependency[Storage]) -> dict[str, str]:
    key = key.lstrip("/")
    await storage.info(key)  # a link to nothing helps no one: 404 first
    try:
        url = await storage.url(key, expires_in=LINK_LIFETIME)
    except UnsupportedOperationError:
        url = ""
    if not url.startswith(("http://", "https://", "/")):
        # memory:// and file:// links mean nothing to a browser: link to this app instead.
        url = "/files/" + key
    return {"url": url}


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def serve_file(
    key: FromPath[str], storage: NamedDependency[Storage], download: FromQuery[bool] = False
) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), attachment=download)


def _config_values(config_type: type[Any], environ: Mapping[str, str]) -> dict[str, str]:
    names = {field.name for field in dataclasses.fields(config_type)}
    return {
        name: environ[f"DEMO_{name.upper()}"] for name in names if f"DEMO_{name.upper()}" in environ and name != "retry"
    }


def storage_from_env(environ: Mapping[str, str] = os.environ) -> Storage:
    """Build the demo's storage from ``DEMO_*`` environment variables."""
    backend = environ.get("DEMO_STORAGE", "filesystem").lower()
    if backend == "memory":
        return MemoryStorage()
    if backend == "filesystem":
        return FileSystemStorage(
            FileSystemConfig(
                path=environ.get("DEMO_PATH", "demo-uploads"),
                base_url=MEDIA_PATH,
                # A fresh secret per run unless one is given: old links stop working on restart.
                signing_secret=environ.get("DEMO_SIGNING_SECRET") or secrets.token_urlsafe(32),
            )
        )
    if backend == "s3":
        from litestar_storages import S3Config, S3Storage

        return S3Storage(S3Config(**_config_values(S3Config, environ)))  # type: ignore[arg-type]
    if backend == "gcs":
        from litestar_storages import GCSConfig, GCSStorage

        return GCSStorage(GCSConfig(**_config_values(GCSConfig, environ)))  # type: ignore[arg-type]
    if backend == "azure":
        from litestar_storages import AzureConfig, AzureStorage

        return AzureStorage(AzureConfig(**_config_values(AzureConfig, environ)))  # type: ignore[arg-type]
    raise SystemExit(f"DEMO_STORAGE must be filesystem, memory, s3, gcs or azure, not {backend!r}")


def create_app(storage: Storage) -> Litestar:
    """The demo application over ``storage``."""
    return Litestar(
        route_handlers=[index, list_files, upload, delete_file, share_link, serve_file],
        plugins=[StoragePlugin(storage, config=StoragePluginConfig(max_upload_size=MAX_UPLOAD_SIZE))],
    )


def describe(storage: Storage) -> str:
    if isinstance(storage, FileSystemStorage):
        return f"FileSystemStorage in {storage.config.root}"
    return type(storage).__name__


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default=os.environ.get("DEMO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", "8000")))
    args = parser.parse_args(argv)
    storage = storage_from_env()
    print(f"litestar-storages demo: {describe(storage)}")
    print(f"Listening on http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    uvicorn.run(create_app(storage), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
