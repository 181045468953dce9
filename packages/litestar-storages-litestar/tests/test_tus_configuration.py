"""The tus routes as the application configures them: path prefix, key policy, content type,
upload limit, guards, and the checks of the configuration itself.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from tus_asgi_client import (
    OCTETS,
    PART,
    TUS,
    Body,
    b64,
    call,
    chunks,
    create,
    keys,
    make_app,
    offset_of,
    patch,
    payload,
)

from litestar_storages import MemoryStorage
from litestar_storages.backends.memory import MemoryConfig
from litestar_storages.backends.memory.driver import MemoryDriver
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig
from litestar_storages.contrib.tus import TusConfig, TusUpload
from litestar_storages.contrib.tus.assembly import choose_part_size
from litestar_storages.engine import DriverStorage
from litestar_storages.exceptions import ConfigurationError


async def test_location_behind_a_path_prefix(storage: BaseStorage) -> None:
    app, _ = make_app(storage, path="/api/files/")
    answer = await call(app, "POST", "/api/files", {**TUS, "Upload-Length": "3"}, root_path="/proxy")
    assert answer.status == 201
    location = answer.headers["location"]
    assert location.startswith("http://testserver/proxy/api/files/")
    path = location.removeprefix("http://testserver/proxy")
    assert (await call(app, "PATCH", path, {**OCTETS, "Upload-Offset": "0"}, b"abc", root_path="/proxy")).status == 204


async def test_key_policy_and_content_type(storage: BaseStorage) -> None:
    def key(upload: TusUpload) -> str:
        return f"media/{upload.id}-{upload.metadata.get('filename', 'x')}"

    app, _ = make_app(storage, key=key)
    url = await create(app, 4, **{"Upload-Metadata": f"filename {b64(b'a.png')},filetype {b64(b'text/html')}"})
    assert (await patch(app, url, 0, b"\x89PNG")).status == 204
    stored = await storage.info(f"media/{url.rsplit('/', 1)[1]}-a.png")
    assert stored.content_type == "image/png"  # the key's, not the client's claim
    bad = await call(
        app, "POST", "/tus", {**TUS, "Upload-Length": "4", "Upload-Metadata": f"filename {b64(b'../../etc')}"}
    )
    assert bad.status == 400


async def test_trusted_client_content_type(storage: BaseStorage) -> None:
    app, _ = make_app(storage, trust_client_content_type=True)
    url = await create(app, 2, **{"Upload-Metadata": f"filetype {b64(b'image/webp')}"})
    assert (await patch(app, url, 0, b"ok")).status == 204
    assert (await storage.info("uploads/" + url.rsplit("/", 1)[1])).content_type == "image/webp"


async def test_upload_limit(storage: BaseStorage) -> None:
    app, _ = make_app(storage, max_upload_size=100)
    assert (await call(app, "POST", "/tus", {**TUS, "Upload-Length": "101"})).status == 413
    url = await create(app, None)
    answer = await patch(app, url, 0, Body(chunks(b"x" * 150, 50)))
    assert answer.status == 413
    assert await offset_of(app, url) == 0
    assert (await patch(app, url, 0, b"x" * 60, **{"Upload-Length": "101"})).status == 413


async def test_guards_protect_every_route(storage: BaseStorage) -> None:
    def only_with_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.headers.get("authorization") != "Bearer ok":
            raise NotAuthorizedException

    app, _ = make_app(storage, guards=[only_with_token])
    assert (await call(app, "POST", "/tus", {**TUS, "Upload-Length": "3"})).status == 401
    auth = {"Authorization": "Bearer ok"}
    url = await create(app, 3, **auth)
    assert (await call(app, "HEAD", url, TUS)).status == 401
    assert (await patch(app, url, 0, b"abc")).status == 401
    assert (await call(app, "DELETE", url, TUS)).status == 401
    assert (await patch(app, url, 0, b"abc", **auth)).status == 204


def test_configuration_is_checked() -> None:
    with pytest.raises(ConfigurationError):
        TusConfig(path="tus")
    with pytest.raises(ConfigurationError):
        TusConfig(part_size=0)
    with pytest.raises(ConfigurationError):
        TusConfig(expires_in=timedelta(0))
    with pytest.raises(ConfigurationError):
        TusConfig(state_prefix="../x")
    with pytest.raises(ConfigurationError):
        StoragePluginConfig(tus=(TusConfig(), TusConfig()))
    with pytest.raises(ConfigurationError):
        StoragePlugin(MemoryStorage(), config=StoragePluginConfig(tus=(TusConfig(storage="missing"),)))


class InProcessPartsDriver(MemoryDriver):
    """Parts whose state is in this process only (as GCS's resumable sessions), with a part floor (as S3's)."""

    durable_parts = False
    min_part_size = 2 * PART


async def test_assembly_and_part_size_follow_what_the_storage_declares() -> None:
    # Not the class name: this storage's backend_name is still "MemoryStorage".
    storage = DriverStorage(InProcessPartsDriver(MemoryConfig()))
    assert storage.backend_name == "MemoryStorage"
    app, uploads = make_app(storage)  # part_size=PART configured, below the floor
    assert uploads.mode == "staged"  # "auto": its multipart uploads would not outlive the process
    assert choose_part_size(storage, PART, None) == 2 * PART
    data = payload(3 * PART)
    url = await create(app, len(data))
    assert (await patch(app, url, 0, data[: PART + 3])).status == 204
    assert not [name for name in await keys(storage, "tus-state/") if "/parts/" in name]  # no part of PART bytes
    assert (await patch(app, url, PART + 3, data[PART + 3 :])).status == 204
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == data
    _, durable = make_app(MemoryStorage())
    assert durable.mode == "multipart"
