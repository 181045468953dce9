"""Every example of docs/backends/obstore.md runs here (S3 against moto)."""

from __future__ import annotations

import importlib.util
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest

from litestar_storages.testing.emulators.moto import MotoServer

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "docs" / "examples" / "obstore"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"obstore_docs_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_includes_every_example() -> None:
    page = (ROOT / "docs" / "backends" / "obstore.md").read_text()
    for example in sorted(EXAMPLES.glob("*.py")):
        assert f"examples/obstore/{example.name}" in page, example.name


async def test_quickstart(capsys: pytest.CaptureFixture[str]) -> None:
    await load("quickstart").main()
    assert capsys.readouterr().out.splitlines() == [
        "15 text/plain {'author': 'Ada'}",
        "b'Rust'",
        "['notes/hello.txt']",
    ]


async def test_s3_example(moto_server: MotoServer, unique: str) -> None:
    bucket = f"docs-{unique}"
    moto_server.create_bucket(bucket)
    example = load("s3")
    storage = example.make_storage(bucket, moto_server.endpoint_url)

    async def chunks() -> AsyncIterator[bytes]:
        for index in range(10):
            yield bytes([index]) * (1024 * 1024)

    url = await example.upload_and_share(storage, chunks())
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the moto loopback server
        assert len(response.read()) == 10 * 1024 * 1024
    assert [stored.key async for stored in storage.list()] == ["videos/talk.mp4"]
