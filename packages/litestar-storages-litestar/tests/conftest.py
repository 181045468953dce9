"""Fixtures: every HTTP-level test runs on each local backend (memory and filesystem); the browser
tests get the demo app, Chromium and a page per viewport (demo_browser_page.py)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage
from litestar_storages.base import BaseStorage

# --import-mode=importlib puts no test folder on sys.path; the helper modules here
# (cli_runner, tus_asgi_client, demo_browser_page, demo_samples) have names no other
# package's tests use.
sys.path.insert(0, str(Path(__file__).parent))

# The browser tests' fixtures (demo app, Chromium, one page per viewport), shared by the
# test_demo_browser_* modules; Playwright itself is imported only when they run.
from demo_browser_page import browser, demo, demo_page, js_libraries

__all__ = ("browser", "demo", "demo_page", "js_libraries")

BACKENDS = ("memory", "filesystem")


def make_storage(backend: str, root: Path) -> BaseStorage:
    if backend == "memory":
        return MemoryStorage()
    if backend == "filesystem":
        return FileSystemStorage(FileSystemConfig(path=root))
    raise ValueError(backend)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest_asyncio.fixture
async def storage(backend: str, tmp_path: Path) -> AsyncIterator[BaseStorage]:
    async with make_storage(backend, tmp_path / "storage") as created:
        yield created
