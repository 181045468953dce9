"""StoragePlugin: dependency names, existing dependencies, shutdown, config, JSON of StoredFile."""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.testing import AsyncTestClient

import litestar_storages
from litestar_storages import MemoryStorage, ObjectAttributes, Storage, StoredFile
from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig, provide_storage
from litestar_storages.contrib.plugin import DEFAULT_NAME
from litestar_storages.exceptions import ConfigurationError


def test_storage_plugin_importable_from_the_top_package() -> None:
    assert litestar_storages.StoragePlugin is StoragePlugin


@get("/names")
async def names(
    storage: NamedDependency[Storage],
    images_storage: NamedDependency[Storage],
    documents_storage: NamedDependency[Storage],
) -> dict[str, str]:
    return {
        "storage": (await storage.get_bytes("which")).decode(),
        "images": (await images_storage.get_bytes("which")).decode(),
        "documents": (await documents_storage.get_bytes("which")).decode(),
    }


async def _labelled(label: str) -> MemoryStorage:
    storage = MemoryStorage()
    await storage.put("which", label.encode())
    return storage


async def test_default_and_named_storages_are_injected() -> None:
    plugin = StoragePlugin(
        await _labelled("default"), images=await _labelled("images"), documents=await _labelled("documents")
    )
    app = Litestar([names], plugins=[plugin])
    async with AsyncTestClient(app) as client:
        response = await client.get("/names")
    assert response.json() == {"storage": "default", "images": "images", "documents": "documents"}
    assert set(plugin.storages) == {DEFAULT_NAME, "images", "documents"}


async def test_same_instance_on_every_request() -> None:
    seen: list[int] = []

    @get("/id")
    async def identity(storage: NamedDependency[Storage]) -> None:
        seen.append(id(storage))

    storage = MemoryStorage()
    async with AsyncTestClient(Litestar([identity], plugins=[StoragePlugin(storage)])) as client:
        await client.get("/id")
        await client.get("/id")
    assert seen == [id(storage), id(storage)]


async def test_plain_annotation_without_named_dependency_still_works() -> None:
    # Handlers written before Litestar 2.23's NamedDependency keep working (with its warning).
    @get("/plain")
    async def plain(storage: Storage) -> int:
        return len(await storage.get_bytes("which"))

    plugin = StoragePlugin(await _labelled("abc"))
    with pytest.warns(DeprecationWarning, match="Inferred dependency"):
        app = Litestar([plain], plugins=[plugin])
    async with AsyncTestClient(app) as client:
        response = await client.get("/plain")
    assert response.json() == 3


async def test_future_annotations_resolve_through_the_signature_namespace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        "from __future__ import annotations\n"
        "from litestar import get\n"
        "from litestar.di import NamedDependency\n"
        "import typing\n"
        "if typing.TYPE_CHECKING:\n"
        "    from litestar_storages import Storage, StoredFile\n"
        "@get('/info')\n"
        "async def info(storage: NamedDependency[Storage]) -> StoredFile:\n"
        "    return await storage.info('which')\n"
    )
    path = tmp_path / "future_handlers.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("future_handlers", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "future_handlers", module)
    spec.loader.exec_module(module)
    app = Litestar([module.info], plugins=[StoragePlugin(await _labelled("abc"))])
    async with AsyncTestClient(app) as client:
        response = await client.get("/info")
    assert response.status_code == 200
    assert response.json()["key"] == "which"


async def test_existing_app_dependencies_are_preserved(plugin_log: _ListHandler) -> None:
    mine = await _labelled("mine")

    @get("/both")
    async def both(storage: NamedDependency[Storage], greeting: NamedDependency[str]) -> str:
        return greeting + ":" + (await storage.get_bytes("which")).decode()

    plugin = StoragePlugin(await _labelled("plugin"))
    app = Litestar(
        [both],
        plugins=[plugin],
        dependencies={
            "storage": Provide(provide_storage(mine), sync_to_thread=False),
            "greeting": Provide(lambda: "hi", sync_to_thread=False),
        },
    )
    async with AsyncTestClient(app) as client:
        response = await client.get("/both")
    assert response.text == "hi:mine"
    assert [record.getMessage() for record in plugin_log.records] == [
        "StoragePlugin: keeping the application's own 'storage' dependency"
    ]


async def test_stored_file_serialises_to_json() -> None:
    @get("/meta")
    async def meta(storage: NamedDependency[Storage]) -> StoredFile:
        return await storage.put(
            "a/b.txt",
            b"hello",
            metadata={"Owner": "ann"},
            attributes=ObjectAttributes(cache_control="no-cache", tags={"team": "a"}),
        )

    storage = MemoryStorage()
    async with AsyncTestClient(Litestar([meta], plugins=[StoragePlugin(storage)])) as client:
        body = (await client.get("/meta")).json()
    stored = await storage.info("a/b.txt")
    assert stored.last_modified is not None
    assert body == {
        "key": "a/b.txt",
        "size": 5,
        "content_type": "text/plain",
        "etag": stored.etag,
        "last_modified": stored.last_modified.isoformat().replace("+00:00", "Z"),
        "metadata": {"owner": "ann"},
        "attributes": {
            "cache_control": "no-cache",
            "content_disposition": None,
            "content_encoding": None,
            "content_language": None,
            "storage_class": None,
            "encryption": None,
            "acl": None,
            "tags": {"team": "a"},
        },
    }


class _Recording(MemoryStorage):
    __slots__ = ("closed", "fail")

    def __init__(self, *, fail: bool = False) -> None:
        super().__init__()
        self.closed = 0
        self.fail = fail

    async def close(self) -> None:
        self.closed += 1
        if self.fail:
            raise RuntimeError("close exploded")


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def plugin_log() -> Iterator[_ListHandler]:
    # Litestar reconfigures logging at startup, so caplog's root handler misses records.
    handler = _ListHandler()
    logger = logging.getLogger("litestar_storages.contrib")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


async def test_every_storage_closed_on_shutdown_even_when_one_fails(plugin_log: _ListHandler) -> None:
    first, broken, last = _Recording(), _Recording(fail=True), _Recording()
    plugin = StoragePlugin(first, broken=broken, last=last, alias=first)
    app = Litestar([], plugins=[plugin])
    async with AsyncTestClient(app):
        assert (first.closed, broken.closed, last.closed) == (0, 0, 0)
    assert (first.closed, broken.closed, last.closed) == (1, 1, 1)  # `alias` is `first`: closed once
    [record] = plugin_log.records
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "StoragePlugin: closing storage 'broken' failed"
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "close exploded"


async def test_storages_usable_again_after_shutdown() -> None:
    storage = MemoryStorage()
    app = Litestar([], plugins=[StoragePlugin(storage)])
    async with AsyncTestClient(app):
        await storage.put("x", b"1")
    async with AsyncTestClient(app):
        assert await storage.get_bytes("x") == b"1"


async def test_close_on_shutdown_can_be_disabled() -> None:
    storage = _Recording()
    app = Litestar([], plugins=[StoragePlugin(storage, config=StoragePluginConfig(close_on_shutdown=False))])
    async with AsyncTestClient(app):
        pass
    assert storage.closed == 0


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("missing", 404),
        ("exists", 409),
        ("invalid", 400),
    ],
)
async def test_storage_errors_become_http_statuses(error: str, status: int) -> None:
    @get("/fail")
    async def fail(storage: NamedDependency[Storage]) -> StoredFile:
        if error == "missing":
            return await storage.info("missing.txt")
        if error == "exists":
            return await storage.put("taken.txt", b"x", overwrite=False)
        return await storage.info("../escape")

    storage = MemoryStorage()
    await storage.put("taken.txt", b"x")
    async with AsyncTestClient(Litestar([fail], plugins=[StoragePlugin(storage)])) as client:
        response = await client.get("/fail")
    assert response.status_code == status
    assert response.json()["status_code"] == status


async def test_exception_handlers_can_be_disabled() -> None:
    @get("/fail")
    async def fail(storage: NamedDependency[Storage]) -> StoredFile:
        return await storage.info("missing.txt")

    plugin = StoragePlugin(MemoryStorage(), config=StoragePluginConfig(exception_handlers=False))
    async with AsyncTestClient(Litestar([fail], plugins=[plugin])) as client:
        assert (await client.get("/fail")).status_code == 500


def test_get_by_name() -> None:
    default, images = MemoryStorage(), MemoryStorage()
    plugin = StoragePlugin(default, images=images)
    assert plugin.get() is default
    assert plugin.get("default") is default
    assert plugin.get("images") is images
    assert plugin.default is default
    with pytest.raises(ConfigurationError, match="No storage named 'videos'"):
        plugin.get("videos")
    assert StoragePlugin(images=images).default is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"default": "not a storage"}, "default"),
        ({"images": object()}, "images"),
    ],
)
def test_invalid_storages_rejected(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        StoragePlugin(**kwargs)
    assert caught.value.field == field


def test_invalid_names_rejected() -> None:
    with pytest.raises(ConfigurationError, match="invalid storage name"):
        StoragePlugin(**{"not-an-identifier": MemoryStorage()})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_upload_size": -1}, "max_upload_size"),
        ({"max_upload_size": True}, "max_upload_size"),
        ({"max_upload_size": "10"}, "max_upload_size"),
        ({"close_on_shutdown": "yes"}, "close_on_shutdown"),
        ({"signed_routes": 1}, "signed_routes"),
        ({"exception_handlers": None}, "exception_handlers"),
    ],
)
def test_config_validation(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        StoragePluginConfig(**kwargs)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_memory_storage_satisfies_the_protocol_the_plugin_checks() -> None:
    storage: BaseStorage = MemoryStorage()
    assert isinstance(storage, Storage)


def test_the_plugin_loads_its_cli_only_for_the_command_line() -> None:
    # plugin.py and cli.py imported each other; the CLI now loads in on_cli_init (#18).
    import subprocess

    code = (
        "import sys, litestar_storages.contrib.plugin\n"
        "assert 'litestar_storages.contrib.cli' not in sys.modules, 'cli imported eagerly'\n"
        "import click\n"
        "from litestar_storages.contrib import StoragePlugin\n"
        "group = click.Group('litestar')\n"
        "StoragePlugin().on_cli_init(group)\n"
        "assert 'storages' in group.commands, group.commands\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


async def test_unsupported_operation_is_501_not_implemented() -> None:
    # A capability the backend lacks is not a fault of the server's: 501, with the reason.
    @get("/upload-url")
    async def upload_url(storage: NamedDependency[Storage]) -> str:
        return await storage.url("new.txt", method="PUT")

    async with AsyncTestClient(Litestar([upload_url], plugins=[StoragePlugin(MemoryStorage())])) as client:
        response = await client.get("/upload-url")
    assert response.status_code == 501
    body = response.json()
    assert body["status_code"] == 501
    assert body["detail"]
    assert "PUT" in body["detail"] or "upload" in body["detail"].lower()
