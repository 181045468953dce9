"""0.2.x compatibility: ``RetryConfig``, ``retry`` and ``with_retry`` (the "Retry Utilities" page).

One part of the 0.2.x compatibility suite (``test_compat_0_2_*.py``): code written for
the single-distribution litestar-storages 0.2.x runs unchanged. Each test is a
documented 0.2.x use, written as a 0.2.x user wrote it, plus the rules that let this
release's additions coexist with it (issue 17).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from litestar_storages import MemoryStorage, RetryConfig, StorageConnectionError, StoredFile, retry, with_retry


def test_retry_config_is_the_0_2_dataclass() -> None:
    config = RetryConfig()
    assert [field.name for field in dataclasses.fields(RetryConfig)] == [
        "max_retries",
        "base_delay",
        "max_delay",
        "exponential_base",
        "jitter",
        "retryable_exceptions",
    ]
    assert (config.max_retries, config.base_delay, config.max_delay, config.exponential_base, config.jitter) == (
        3,
        1.0,
        60.0,
        2.0,
        True,
    )
    assert config.retryable_exceptions == (StorageConnectionError, TimeoutError, ConnectionError)
    # Not frozen: 0.2.x code may adjust a policy in place (still validated).
    config.max_retries = 5
    assert config.max_attempts == 6
    with pytest.raises(ValueError, match="max_retries"):
        config.max_retries = -1
    positional = RetryConfig(5, 0.5)
    assert (positional.max_retries, positional.base_delay) == (5, 0.5)
    assert dataclasses.replace(positional, base_delay=2.0).max_retries == 5


class Recorder:
    """Stands in for asyncio.sleep in the retry module: records the waits, waits none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    # Only the retry module's view of asyncio: the event loop keeps the real sleep.
    # (The package's attribute ``retry`` is the decorator, so the module is looked up.)
    monkeypatch.setattr(importlib.import_module("litestar_storages.retry"), "asyncio", SimpleNamespace(sleep=recorder))
    return recorder


@pytest.mark.parametrize("error", [StorageConnectionError("reset"), TimeoutError(), ConnectionResetError()])
async def test_retry_decorator_default_policy(sleeps: Recorder, error: Exception) -> None:
    calls = 0

    @retry()
    async def flaky() -> str:
        nonlocal calls
        calls += 1
        raise error

    with pytest.raises(type(error)):
        await flaky()
    assert calls == 4  # the first try and max_retries=3 retries
    # delay n (from 0) = min(base_delay * exponential_base**n, max_delay), +-25 % jitter
    for n, wait in enumerate(sleeps.waits):
        assert 0.75 * 2.0**n <= wait <= 1.25 * 2.0**n


async def test_retry_with_config_and_exact_delays(sleeps: Recorder) -> None:
    calls = 0

    @retry(RetryConfig(max_retries=5, base_delay=0.5, max_delay=3.0, jitter=False))
    async def upload(storage: MemoryStorage, key: str, data: bytes) -> StoredFile:
        nonlocal calls
        calls += 1
        if calls < 6:
            raise StorageConnectionError("503")
        return await storage.put(key, data)

    stored = await upload(MemoryStorage(), "retried.txt", b"ok")
    assert stored.size == 2
    assert sleeps.waits == [0.5, 1.0, 2.0, 3.0, 3.0]


async def test_max_retries_zero_means_one_try(sleeps: Recorder) -> None:
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise StorageConnectionError("down")

    with pytest.raises(StorageConnectionError):
        await with_retry(broken, RetryConfig(max_retries=0))
    assert calls == 1
    assert sleeps.waits == []


async def test_custom_retryable_exceptions(sleeps: Recorder) -> None:
    calls = 0

    @retry(RetryConfig(max_retries=2, base_delay=0.1, retryable_exceptions=(KeyError,)))
    async def lookup() -> None:
        nonlocal calls
        calls += 1
        raise KeyError("x")

    with pytest.raises(KeyError):
        await lookup()
    assert calls == 3

    @retry(RetryConfig(retryable_exceptions=(KeyError,)))
    async def unreachable() -> None:
        nonlocal calls
        calls += 1
        raise StorageConnectionError("not in the list")

    calls = 0
    with pytest.raises(StorageConnectionError):
        await unreachable()
    assert calls == 1


def test_max_attempts_is_an_alias_and_both_is_an_error() -> None:
    assert RetryConfig(max_attempts=5).max_retries == 4
    assert RetryConfig(max_attempts=1).max_retries == 0
    with pytest.raises(ValueError, match="give only one"):
        RetryConfig(max_retries=4, max_attempts=5)
    with pytest.raises(ValueError, match="max_attempts"):
        RetryConfig(max_attempts=0)


@pytest.mark.parametrize(
    "arguments",
    [
        {"max_retries": -1},
        {"max_retries": True},
        {"max_retries": 1.5},
        {"base_delay": float("nan")},
        {"base_delay": -0.1},
        {"max_delay": float("inf")},
        {"exponential_base": 0.5},
        {"jitter": "yes"},
        {"jitter": 1},
        {"retryable_exceptions": (KeyboardInterrupt,)},
        {"retryable_exceptions": ("ValueError",)},
    ],
)
def test_retry_config_rejects_bad_values(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="RetryConfig"):
        RetryConfig(**arguments)


async def test_retry_does_not_replay_a_consumed_stream(sleeps: Recorder) -> None:
    storage = MemoryStorage()
    attempts = 0

    async def body() -> AsyncIterator[bytes]:
        yield b"first half "
        yield b"second half"

    @retry(RetryConfig(base_delay=0))
    async def upload(key: str, data: AsyncIterator[bytes]) -> StoredFile:
        nonlocal attempts
        attempts += 1
        chunks = [await anext(data)]
        if attempts == 1:
            raise StorageConnectionError("reset mid-upload")
        return await storage.put(key, chunks[0] + b"".join([chunk async for chunk in data]))

    # A retry would store only what the first attempt left of the stream.
    with pytest.raises(StorageConnectionError):
        await upload("video.bin", body())
    assert attempts == 1
    assert not await storage.exists("video.bin")
