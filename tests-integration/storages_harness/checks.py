"""Helpers the fault and cancellation tests share: a storage behind a proxy, invariants."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from litestar_storages.base import BaseStorage
from litestar_storages.exceptions import StorageFileNotFoundError
from litestar_storages.retry import RetryConfig
from storages_harness.backends import Backend, new_namespace
from storages_harness.proxy import FaultProxy

__all__ = (
    "FAST_RETRY",
    "NO_RETRY",
    "Setup",
    "assert_no_leftovers",
    "pattern",
    "read_or_none",
    "stream",
    "through_proxy",
)

MIB = 1024 * 1024

FAST_RETRY = RetryConfig(max_attempts=4, base_delay=0.01, max_delay=0.05, jitter=False)
"""Enough attempts to outlast two injected failures, without slowing the suite."""

NO_RETRY = RetryConfig(max_attempts=1)


def pattern(size: int, salt: int = 0) -> bytes:
    """Deterministic bytes that differ at every offset modulo 251 (a prime), per salt."""
    block = bytes((i * 7 + salt) % 251 for i in range(251 * 16))
    repeats, rest = divmod(size, len(block))
    return block * repeats + block[:rest]


async def stream(data: bytes, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    """Yield ``data`` in chunks, letting the event loop run between them."""
    for offset in range(0, len(data), chunk):
        yield data[offset : offset + chunk]
        await asyncio.sleep(0)


async def read_or_none(storage: BaseStorage, key: str) -> bytes | None:
    """Return the object's content, or ``None`` if it does not exist."""
    try:
        return await storage.get_bytes(key)
    except StorageFileNotFoundError:
        return None


async def assert_no_leftovers(backend: Backend, namespace: str, *, settle: float = 3.0) -> None:
    """Fail if unfinished writes left temporary files or open multipart uploads.

    Waits up to ``settle`` seconds: a worker thread of a cancelled filesystem write may
    still be tidying up when the task's cancellation returns.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settle
    while True:
        found = await backend.leftovers(namespace)
        if not found or loop.time() >= deadline:
            break
        await asyncio.sleep(0.05)
    assert found == [], f"{backend.id}: unfinished writes left {found}"


@dataclass
class Setup:
    """A storage under test, its namespace, and the proxy in front of it (if networked)."""

    backend: Backend
    storage: BaseStorage
    namespace: str
    proxy: FaultProxy | None


@contextlib.asynccontextmanager
async def through_proxy(
    backend: Backend, *, retry: RetryConfig | None = None, timeout: float | None = None, check_idle: bool = True
) -> AsyncIterator[Setup]:
    """Open a storage over a fresh namespace; networked backends talk through a proxy.

    On exit the storage is closed and, if ``check_idle``, the proxy must see every
    connection closed: a connection still open after ``close()`` was leaked.
    """
    namespace = new_namespace()
    proxy = FaultProxy(*backend.upstream()) if backend.proxied else None
    if proxy is not None:
        await proxy.start()
    storage = await backend.open(namespace, endpoint=proxy.endpoint if proxy else None, retry=retry, timeout=timeout)
    failed = False
    try:
        yield Setup(backend, storage, namespace, proxy)
    except BaseException:
        failed = True
        raise
    finally:
        await storage.close()
        idle = await proxy.wait_idle() if proxy is not None else True
        if proxy is not None:
            await proxy.stop()
        await backend.purge(namespace)
        if check_idle and not failed:
            assert idle, f"{backend.id}: connections still open after close(): {proxy and proxy.open_connections}"
