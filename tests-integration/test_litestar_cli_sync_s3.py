"""``litestar storages sync`` between a local folder and S3 (moto's server, or MinIO), through Litestar's CLI.

The storage comes from the suite's harness (a namespace of the session's bucket); the
application lives in a module made for the test, as ``LITESTAR_APP`` names it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result
from litestar import Litestar
from litestar.cli.main import litestar_group
from storages_harness.backends import Backend, S3Backend, new_namespace

from litestar_storages.base import BaseStorage
from litestar_storages.contrib import StoragePlugin

SITE = {
    "index.html": b"<h1>hello</h1>",
    "css/site.css": b"body { color: teal }",
    "img/logo.bin": bytes(range(256)) * 4096,  # 1 MiB
    "docs/ünïcødé naïve.txt": "日本語".encode(),
}


def _cli(storage: BaseStorage, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    module = ModuleType(f"cli_s3_app_{uuid.uuid4().hex}")
    module.app = Litestar([], plugins=[StoragePlugin(s3=storage)])  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setenv("LITESTAR_APP", f"{module.__name__}:app")
    monkeypatch.setenv("LITESTAR_QUIET_CONSOLE", "1")
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        monkeypatch.setattr(litestar_group, "_prepare_done", False)
        return runner.invoke(litestar_group, ["storages", *args], catch_exceptions=False)

    return invoke


def _looking(storage: BaseStorage) -> tuple[dict[str, bytes], str | None]:
    # An SDK client is bound to the loop that opened it: look on a loop of our own, then
    # close, as the CLI does at the end of each command.
    async def look() -> tuple[dict[str, bytes], str | None]:
        try:
            objects = {stored.key: await storage.get_bytes(stored.key) async for stored in storage.list()}
            return objects, (await storage.info("www/css/site.css")).content_type
        finally:
            await storage.close()

    return asyncio.run(look())


def _files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@pytest.mark.backends("s3")
def test_sync_a_folder_to_s3_and_back(backend: Backend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = new_namespace()
    storage = asyncio.run(backend.open(namespace))  # opens its client lazily, on first use
    try:
        _sync_both_ways(backend, namespace, storage, tmp_path, monkeypatch)
    finally:
        asyncio.run(backend.purge(namespace))


def _sync_both_ways(
    backend: Backend, namespace: str, storage: BaseStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    invoke = _cli(storage, monkeypatch)
    for name, data in SITE.items():
        (tmp_path / "site" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "site" / name).write_bytes(data)

    up = invoke("sync", "site", "s3:www/", "-q", "--jobs", "3")
    assert up.exit_code == 0, up.output
    assert _looking(storage) == ({f"www/{name}": data for name, data in SITE.items()}, "text/css")
    assert invoke("sync", "site", "s3:www/", "-q").stderr.strip() == "0 file(s) uploaded, 4 unchanged"

    (tmp_path / "site" / "index.html").write_bytes(b"<h1>hello again</h1>")
    (tmp_path / "site" / "css" / "site.css").unlink()
    changed = invoke("sync", "site", "s3:www", "--delete", "-q")
    assert changed.exit_code == 0, changed.output
    assert sorted(changed.stdout.splitlines()) == [
        "delete: s3:www/css/site.css",
        f"upload: {os.path.join('site', 'index.html')} -> s3:www/index.html",
    ]

    down = invoke("sync", "s3:www/", "restore", "-q")
    assert down.exit_code == 0, down.output
    assert _files(tmp_path / "restore") == _files(tmp_path / "site")
    assert invoke("sync", "s3:www/", "restore", "-q").stderr.strip() == "0 file(s) downloaded, 3 unchanged"
    # A key another S3 client wrote, valid in S3, that must not climb out of the folder.
    assert isinstance(backend, S3Backend)
    _raw_put(backend, f"{namespace}/www/../escape.txt", b"escape")
    hostile = invoke("sync", "s3:www/", "restore", "-q")
    assert hostile.exit_code == 1
    assert "'.' and '..' segments are not allowed" in hostile.stderr
    assert not (tmp_path / "escape.txt").exists()
    assert _files(tmp_path / "restore") == _files(tmp_path / "site")

    du = invoke("du", "s3:www/", "--json")
    assert du.exit_code == 0, du.output
    total = sum(len(data) for data in _files(tmp_path / "site").values())
    assert json.loads(du.stdout) == {"storage": "s3", "prefix": "www/", "count": 4, "bytes": total + 6}


def _raw_put(backend: S3Backend, name: str, data: bytes) -> None:
    from aiobotocore.session import get_session

    settings = backend.endpoint.settings

    async def put() -> None:
        async with get_session().create_client(
            "s3",
            endpoint_url=settings.get("endpoint_url") or None,
            region_name=settings.get("region") or "us-east-1",
            aws_access_key_id=settings.get("access_key"),
            aws_secret_access_key=settings.get("secret_key"),
        ) as client:
            await client.put_object(Bucket=backend.endpoint.bucket, Key=name, Body=data)

    asyncio.run(put())
