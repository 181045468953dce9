"""Every example of docs/backends/filesystem.md runs here, so the docs cannot drift."""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest

from litestar_storages.backends.filesystem import FileSystemStorage

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "filesystem"
SECRET = "docs-example-secret-0123456789abcdef"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"filesystem_docs_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_page_includes_every_example() -> None:
    page = (EXAMPLES.parents[1] / "backends" / "filesystem.md").read_text()
    for example in sorted(EXAMPLES.glob("*.py")):
        assert f"examples/filesystem/{example.name}" in page, example.name


def test_overview_example_runs_as_written(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "overview.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello, World!\n"
    assert (tmp_path / "uploads" / "hello.txt").read_bytes() == b"Hello, World!"


def test_quickstart_runs_standalone() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart.py")], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


async def test_quickstart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await load("quickstart").main(tmp_path)
    output = capsys.readouterr().out.splitlines()
    assert output == [
        "reports/2026-11.csv 23 text/csv",
        "b'line 0'",
        "kept the first version",
        "['archive/2026-11.csv', 'archive/app.log', 'reports/2026-11.csv']",
        "{'team': 'sales'}",
        "['archive/2026-11.csv']",
        "[]",
    ]


def test_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("configuration")
    monkeypatch.setenv("FILES_SIGNING_SECRET", SECRET)
    assert module.local_development().base_url is None
    served = module.served_by_a_web_server()
    assert (served.base_url, served.permissions, served.create_dirs) == ("https://cdn.example.com/media", 0o640, False)
    private = module.private_files_with_signed_urls()
    assert private.signed_url_expiry == timedelta(minutes=15)
    assert private.signing_secret == SECRET
    assert module.durable_writes().fsync


async def test_signed_urls(tmp_path: Path) -> None:
    module = load("signed_urls")
    storage: FileSystemStorage = module.make_storage(tmp_path, SECRET)
    link = await module.share_link(storage)
    assert link.startswith("https://app.example.com/files/invoices/2026-11.pdf?")
    assert await module.serve(storage, link) == (200, b"%PDF-1.7 ...")
    assert await module.serve(storage, link.replace("2026-11", "2026-12")) == (403, b"")
    assert await module.serve(storage, link.replace("Invoice", "Malware")) == (403, b"")
    upload = await module.upload_link(storage)
    parts = urlsplit(upload)
    access = module.authorize(storage, "PUT", parts.path, parts.query)
    assert (access.key, access.content_type) == ("avatars/42.png", "image/png")
    assert module.authorize(storage, "GET", parts.path, parts.query) is None


async def test_maintenance(storage: FileSystemStorage, capsys: pytest.CaptureFixture[str]) -> None:
    module = load("maintenance")
    await module.clean_once(storage)
    assert capsys.readouterr().out == "removed 0 temporary files, 0 uploads\n"
    task = asyncio.create_task(module.clean_every_hour(storage))
    await asyncio.sleep(0.05)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
