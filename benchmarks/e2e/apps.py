"""The ASGI applications the end-to-end suite serves with uvicorn, one per contender.

Each is an application factory (``uvicorn --factory``) serving the folder named by the
``LSS_E2E_ROOT`` environment variable:

- ``plugin``: litestar-storages through its Litestar plugin: ``storage_response`` for
  downloads, ``save_request_body`` (raw ``PUT``) and ``save_upload`` (multipart) for
  uploads, and tus resumable uploads at ``/tus`` (final objects at ``uploads/<id>``).
- ``litestar``: what a Litestar application writes without the library: Litestar's own
  ``File`` response, and uploads written to disk by hand (the request stream or the
  ``UploadFile``, chunk by chunk, through ``anyio``'s async files, as Litestar's and
  anyio's documentation show).
- ``starlette``: Starlette's ``FileResponse``.

Routes are the same everywhere: ``GET /f/{key}``, ``PUT /body/{key}``, ``POST /form/{key}``
(a multipart form with one ``file`` field). The baselines join the key to the folder
without the checks the library does: these servers listen on 127.0.0.1 for the benchmark only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio
from litestar import Litestar, Request, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import File, Response
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import FileResponse
from starlette.routing import Route

from litestar_storages import Storage
from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage
from litestar_storages.contrib import (
    StoragePlugin,
    StoragePluginConfig,
    save_request_body,
    save_upload,
    storage_response,
)
from litestar_storages.contrib.tus import TusConfig

UPLOAD_CHUNK = 1024 * 1024
"""Read size of the hand-written upload handlers (the library's default chunk)."""


@dataclass
class Form:
    """A multipart form with one file."""

    file: UploadFile


MultipartForm = Annotated[Form, Body(media_type=RequestEncodingType.MULTI_PART)]


def _root() -> Path:
    return Path(os.environ["LSS_E2E_ROOT"])


# -- litestar-storages ---------------------------------------------------------------------


@get("/f/{key:path}")
async def plugin_download(key: FromPath[str], storage: NamedDependency[Storage]) -> Response[Any]:
    """``storage_response``."""
    return storage_response(storage, key.lstrip("/"))


@put("/body/{key:path}", request_max_body_size=None)
async def plugin_body(key: FromPath[str], request: Request[Any, Any, Any], storage: NamedDependency[Storage]) -> int:
    """``save_request_body``."""
    return (await save_request_body(storage, key.lstrip("/"), request)).size


@post("/form/{key:path}", request_max_body_size=None)
async def plugin_form(key: FromPath[str], data: MultipartForm, storage: NamedDependency[Storage]) -> int:
    """``save_upload``."""
    return (await save_upload(storage, key.lstrip("/"), data.file)).size


def plugin() -> Litestar:
    """litestar-storages: ``storage_response``, ``save_request_body`` and ``save_upload``."""
    storage = FileSystemStorage(FileSystemConfig(path=_root()))
    config = StoragePluginConfig(tus=(TusConfig(path="/tus"),))
    return Litestar(
        route_handlers=[plugin_download, plugin_body, plugin_form], plugins=[StoragePlugin(storage, config=config)]
    )


class _TwoCalls:
    """A storage without ``open_object``: ``storage_response`` then calls ``info`` and ``get``.

    The download path before the one-call capability (and every backend without it),
    served by :func:`plugin_two_calls` for the A/B comparison of ``benchmarks.e2e.ab``.
    """

    def __init__(self, storage: FileSystemStorage) -> None:
        self._storage = storage

    def __getattr__(self, name: str) -> Any:
        if name == "open_object":
            raise AttributeError(name)
        return getattr(self._storage, name)


def plugin_two_calls() -> Litestar:
    """litestar-storages downloads through ``info`` and ``get`` (two worker-thread calls per request)."""
    storage = _TwoCalls(FileSystemStorage(FileSystemConfig(path=_root())))
    return Litestar(route_handlers=[plugin_download], plugins=[StoragePlugin(storage)])


# -- Litestar by hand ----------------------------------------------------------------------


def _destination(key: str) -> Path:
    path = _root() / key.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@get("/f/{key:path}")
async def litestar_download(key: FromPath[str]) -> File:
    """Litestar's ``File``."""
    return File(path=_root() / key.lstrip("/"))


@put("/body/{key:path}", request_max_body_size=None)
async def litestar_body(key: FromPath[str], request: Request[Any, Any, Any]) -> int:
    """The request stream written chunk by chunk with anyio."""
    size = 0
    async with await anyio.open_file(_destination(key), "wb") as file:
        async for chunk in request.stream():
            await file.write(chunk)
            size += len(chunk)
    return size


@post("/form/{key:path}", request_max_body_size=None)
async def litestar_form(key: FromPath[str], data: MultipartForm) -> int:
    """The ``UploadFile`` copied chunk by chunk with anyio."""
    size = 0
    async with await anyio.open_file(_destination(key), "wb") as file:
        while chunk := await data.file.read(UPLOAD_CHUNK):
            await file.write(chunk)
            size += len(chunk)
    return size


def litestar() -> Litestar:
    """Litestar without the library: ``File`` for downloads, uploads written to disk by hand."""
    return Litestar(route_handlers=[litestar_download, litestar_body, litestar_form])


# -- Starlette -----------------------------------------------------------------------------


async def starlette_download(request: StarletteRequest) -> FileResponse:
    """Starlette's ``FileResponse``."""
    return FileResponse(_root() / request.path_params["key"])


def starlette() -> Starlette:
    """Starlette's ``FileResponse`` (downloads only)."""
    return Starlette(routes=[Route("/f/{key:path}", starlette_download)])
