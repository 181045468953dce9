"""The litestar-storages demo: upload, browse, preview, link and delete files in a browser.

Run it with ``hatch run demo`` (or ``python docs/examples/demo/app.py --port 8000``).
Files go to ``./demo-uploads`` by default; set ``DEMO_STORAGE`` to ``memory``, ``s3``,
``gcs`` or ``azure`` to use another backend, and ``DEMO_<FIELD>`` variables for the
fields of that backend's config (``DEMO_BUCKET``, ``DEMO_ENDPOINT_URL``, ``DEMO_REGION``,
``DEMO_CONNECTION_STRING``, ``DEMO_CONTAINER``, ...).

Without ``--port`` (or ``DEMO_PORT``) the demo listens on port 8000, or on a free port
when 8000 is taken (it says which); with an explicit port that is taken it stops with a
clear message. The page's one library, tus-js-client, comes from npm
(:mod:`browser_libs`), installed on first run when ``npm`` is on ``PATH``.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import os
import secrets
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any

from litestar import HttpMethod, Litestar, MediaType, delete, get, post, route
from litestar.connection import ASGIConnection
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.params import Body, FromPath, FromQuery
from litestar.static_files import create_static_files_router

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage, Storage, StoredFile
from litestar_storages.calls import list_folder
from litestar_storages.content import guess_content_type
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig, StorageResponse, save_upload, storage_response
from litestar_storages.contrib.tus import TusConfig, TusUpload
from litestar_storages.contrib.tus.protocol import parse_metadata
from litestar_storages.exceptions import StorageError, UnsupportedOperationError

if TYPE_CHECKING:
    from docs.examples.demo import browser_libs
else:
    # The module beside this file, however this file is run or loaded.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import browser_libs

HERE = Path(__file__).resolve().parent
PAGE = (HERE / "index.html").read_text(encoding="utf-8")
MAX_UPLOAD_SIZE = 512 * 1024 * 1024
LINK_LIFETIME = timedelta(hours=1)
UPLOAD_LINK_LIFETIME = timedelta(minutes=15)
MEDIA_PATH = "/media"  # where the signed filesystem links point (the plugin serves them)
DEFAULT_PORT = 8000
TUS_PATH = "/api/tus"  # tus-js-client's endpoint (the plugin mounts the routes)
TUS_STATE = "tus-state"  # the storage folder holding unfinished uploads' state


@dataclass
class UploadForm:
    file: UploadFile  # a form field, not a bare UploadFile: a text field is then a 400, not a 500


@dataclass
class DirectUploadRequest:
    name: str
    folder: str = ""


Upload = Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]


def folder_prefix(folder: str) -> str:
    """``"a/b"``, ``"/a/b/"`` -> ``"a/b/"``; ``""`` -> ``""`` (the root)."""
    folder = folder.strip("/")
    return folder + "/" if folder else ""


def upload_key(folder: str, filename: str) -> str:
    """The key of an upload: the file's own name inside the folder shown."""
    # Only the file's own name: the browser's path (if any) is not ours to reproduce.
    name = PurePosixPath(filename.replace("\\", "/")).name
    if not name:
        raise ClientException("The upload has no file name")
    return folder_prefix(folder) + name


def tus_key(upload: TusUpload) -> str:
    """The tus key policy: the file's own name in the folder the page shows, as for forms."""
    return upload_key(upload.metadata.get("folder", ""), upload.metadata.get("filename", ""))


def refuse_silent_overwrite(storage: Storage) -> Any:
    """A guard of the tus routes: creating an upload over an existing file needs ``overwrite``.

    The page asks before it uploads; this keeps a second tab, or a client that did not
    ask, from replacing a file unasked. (The check is at creation: a file appearing
    while the upload runs is still replaced when it completes.)
    """

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") != "POST":
            return
        metadata = parse_metadata(connection.headers.get("upload-metadata"), max_size=4096)
        key = tus_key(TusUpload("", metadata, None))
        if metadata.get("overwrite") != "true" and await storage.exists(key):
            raise HTTPException(status_code=409, detail=f"{key} exists: send overwrite=true to replace it")

    return guard


# The page and its API.


@get("/", media_type=MediaType.HTML, include_in_schema=False)
async def index() -> str:
    return PAGE


@get("/api/config")
async def demo_config(state: State, storage: NamedDependency[Storage]) -> dict[str, Any]:
    """What the page can offer: resumable (tus), direct-to-storage and form uploads."""
    try:
        # Signing is local work (no request): a storage that cannot sign a PUT says so here.
        await storage.url(".demo-probe", method="PUT", expires_in=UPLOAD_LINK_LIFETIME)
        direct = True
    except (UnsupportedOperationError, StorageError):
        direct = False
    return {
        "backend": state.backend,
        "tus": state.tus_endpoint if state.vendor else None,
        "tusChunkSize": state.tus_chunk_size,
        "direct": direct,
        "maxUploadSize": MAX_UPLOAD_SIZE,
    }


@get("/api/files")
async def list_files(storage: NamedDependency[Storage], folder: FromQuery[str] = "") -> dict[str, Any]:
    prefix = folder_prefix(folder)
    folders: list[str] = []
    files: list[StoredFile] = []
    # One folder, not the whole tree: list_dir where the backend has it (every one here).
    async for entry in list_folder(storage, prefix):
        if isinstance(entry, StoredFile):
            files.append(entry)
        elif entry.key != TUS_STATE + "/":  # the tus uploads' own bookkeeping
            folders.append(entry.key)
    return {"folder": prefix, "folders": folders, "files": files}


@get("/api/exists/{key:path}")
async def file_exists(key: FromPath[str], storage: NamedDependency[Storage]) -> dict[str, bool]:
    # 200 either way: the page asks before each upload, and a 404 is a console error.
    return {"exists": await storage.exists(key.lstrip("/"))}


@post("/api/files", request_max_body_size=None)
async def upload(
    data: Upload,
    storage: NamedDependency[Storage],
    storage_upload_limit: NamedDependency[int | None],
    folder: FromQuery[str] = "",
    overwrite: FromQuery[bool] = False,
) -> StoredFile:
    # The stored type comes from the name's extension, not from the browser. Without
    # overwrite=true an existing file is a 409: the page asked first, a race must not win.
    key = upload_key(folder, data.file.filename)
    return await save_upload(storage, key, data.file, max_size=storage_upload_limit, overwrite=overwrite)


@post("/api/direct-uploads")
async def direct_upload(data: DirectUploadRequest, storage: NamedDependency[Storage]) -> dict[str, Any]:
    """A signed PUT URL the browser sends the file to, straight to the storage.

    For the filesystem backend that URL is the plugin's signed route on this app; for
    S3 and GCS it is the bucket's own (the bucket's CORS rules must allow PUT from this
    page's origin); Azure also wants its blob type header.
    """
    key = upload_key(data.folder, data.name)
    content_type = guess_content_type(key)
    try:
        url = await storage.url(key, method="PUT", expires_in=UPLOAD_LINK_LIFETIME, content_type=content_type)
    except UnsupportedOperationError:
        raise ClientException(f"{describe(storage)} cannot sign upload URLs: upload through tus or a form") from None
    headers = {"Content-Type": content_type}
    if type(storage).__name__ == "AzureStorage":
        headers["x-ms-blob-type"] = "BlockBlob"
    return {"key": key, "url": url, "headers": headers}


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


def describe(storage: Storage) -> str:
    if isinstance(storage, FileSystemStorage):
        return f"FileSystemStorage in {storage.config.root}"
    return type(storage).__name__


def create_app(storage: Storage, *, vendor: Path | None = None, tus_chunk_size: int = 8 * 1024 * 1024) -> Litestar:
    """The demo application over ``storage``.

    Args:
        storage: Where files go.
        vendor: The installed browser libraries (:func:`browser_libs.installed`); without
            them the page uploads with one request per file (progress and cancel, no resume)
            and the tus routes serve other tus clients only.
        tus_chunk_size: Bytes per tus PATCH request.
    """
    handlers: list[Any] = [
        index,
        demo_config,
        list_files,
        file_exists,
        upload,
        direct_upload,
        delete_file,
        share_link,
        serve_file,
        create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False),
    ]
    if vendor is not None:
        handlers.append(
            create_static_files_router(path="/vendor", directories=[vendor], include_in_schema=False, name="vendor")
        )
    return Litestar(
        route_handlers=handlers,
        plugins=[
            StoragePlugin(
                storage,
                config=StoragePluginConfig(
                    max_upload_size=MAX_UPLOAD_SIZE,
                    tus=(
                        TusConfig(
                            path=TUS_PATH,
                            key=tus_key,
                            state_prefix=TUS_STATE,
                            guards=(refuse_silent_overwrite(storage),),
                            cleanup_interval=timedelta(hours=1),  # abandoned uploads go after a day
                        ),
                    ),
                ),
            )
        ],
        state=State(
            {
                "backend": describe(storage),
                "vendor": vendor is not None,
                "tus_endpoint": TUS_PATH,
                "tus_chunk_size": tus_chunk_size,
            }
        ),
    )


def listen(host: str, port: int, *, explicit: bool) -> tuple[socket.socket, str | None]:
    """A listening socket on ``host:port``, or on a free port when ``port`` is taken.

    Returns:
        The socket and, when another port was picked, a sentence saying so.

    Raises:
        SystemExit: If the port was chosen explicitly and is taken, or ``host`` is wrong.
    """

    def bind(number: int) -> socket.socket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            sock.bind((host, number))
            sock.listen(2048)
        except OSError:
            sock.close()
            raise
        return sock

    try:
        return bind(port), None
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise SystemExit(f"Cannot listen on {host}:{port}: {error.strerror}") from None
        if explicit:
            raise SystemExit(
                f"Port {port} on {host} is already in use by another program. Stop it, or choose another "
                f"port: hatch run demo --port 8080 (--port 0 picks any free port)."
            ) from None
    sock = bind(0)
    return sock, f"Port {port} is already in use: using port {sock.getsockname()[1]} instead (choose one with --port)."


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default=os.environ.get("DEMO_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"port to listen on (default {DEFAULT_PORT}, or a free one if it is taken; 0: any free port)",
    )
    args = parser.parse_args(argv)
    explicit = args.port is not None or "DEMO_PORT" in os.environ
    port = args.port if args.port is not None else int(os.environ.get("DEMO_PORT", DEFAULT_PORT))
    storage = storage_from_env()
    print(f"litestar-storages demo: {describe(storage)}", flush=True)
    vendor = browser_libs.installed()
    if vendor is None:
        try:
            print("Installing the page's library (tus-js-client) from npm, first run only...", flush=True)
            vendor = browser_libs.install()
        except RuntimeError as error:
            print(f"No resumable uploads: {error}", flush=True)
    sock, note = listen(args.host, port, explicit=explicit)
    if note:
        print(note, flush=True)
    host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host  # noqa: S104 - a display name only
    shown = f"[{host}]" if ":" in host else host
    print(f"Listening on http://{shown}:{sock.getsockname()[1]}  (Ctrl+C to stop)", flush=True)
    chunk = int(os.environ.get("DEMO_TUS_CHUNK_SIZE", str(8 * 1024 * 1024)))
    app = create_app(storage, vendor=vendor, tus_chunk_size=chunk)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
