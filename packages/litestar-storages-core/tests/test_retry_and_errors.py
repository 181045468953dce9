import pickle
from collections.abc import AsyncIterator

import pytest

import litestar_storages.exceptions as exceptions_module
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.exceptions import (
    ConfigurationError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileNotFoundError,
    StoragePermissionError,
)
from litestar_storages.ranges import clip_range, validate_range
from litestar_storages.retry import RetryConfig, request_retry, retry, with_retry

FAST = RetryConfig(max_attempts=4, base_delay=0, jitter=False)


async def test_with_retry_recovers_from_transient_errors() -> None:
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise StorageConnectionError("503")
        return "ok"

    assert await with_retry(flaky, FAST) == "ok"
    assert calls == 3


async def test_with_retry_gives_up_after_max_attempts() -> None:
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise StorageConnectionError("down")

    with pytest.raises(StorageConnectionError):
        await with_retry(broken, FAST)
    assert calls == 4


async def test_non_retryable_errors_raise_at_once() -> None:
    calls = 0

    async def missing() -> None:
        nonlocal calls
        calls += 1
        raise StorageFileNotFoundError("k")

    with pytest.raises(StorageFileNotFoundError):
        await with_retry(missing, FAST)
    assert calls == 1


async def test_retry_decorator_keeps_arguments() -> None:
    seen: list[int] = []

    @retry(FAST)
    async def add(a: int, b: int) -> int:
        seen.append(a)
        if len(seen) == 1:
            raise StorageConnectionError("reset")
        return a + b

    assert await add(2, 3) == 5
    assert seen == [2, 2]


def test_delays_grow_and_are_capped() -> None:
    config = RetryConfig(base_delay=1, max_delay=5, exponential_base=2, jitter=False)
    assert [config.delay_for(n) for n in range(1, 6)] == [1, 2, 4, 5, 5]
    jittered = RetryConfig(base_delay=1, max_delay=5, jitter=True)
    assert all(3 <= jittered.delay_for(3) <= 5 for _ in range(50))  # 4 s +-25 %, capped at 5
    full = RetryConfig(base_delay=1, max_delay=5, jitter="full")
    assert all(0 <= full.delay_for(3) <= 4 for _ in range(50))


@pytest.mark.parametrize("field", ["max_attempts", "max_retries", "base_delay", "exponential_base"])
def test_bad_retry_config(field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RetryConfig(**{field: 0 if field == "max_attempts" else -1})  # type: ignore[arg-type]
    assert caught.value.field == field


def test_exceptions_subclass_builtins_and_pickle() -> None:
    error = StorageFileNotFoundError("a.txt", message="missing")
    assert isinstance(error, FileNotFoundError)
    assert isinstance(error, StorageError)
    assert isinstance(StoragePermissionError("x"), PermissionError)
    assert isinstance(StorageConnectionError("x"), ConnectionError)
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert type(restored) is StorageFileNotFoundError
    assert restored.key == "a.txt"
    assert str(restored) == "missing"


def test_exception_module_exports_every_exception() -> None:
    defined = {
        name
        for name, value in vars(exceptions_module).items()
        if isinstance(value, type) and issubclass(value, StorageError) and not name.startswith("_")
    }
    assert defined | {"build_error"} == set(exceptions_module.__all__)


class SdkNotFound(Exception):
    pass


class SdkNetwork(Exception):
    pass


def translate(error: Exception, key: str | None) -> StorageError | None:
    if isinstance(error, SdkNotFound):
        return StorageFileNotFoundError(key, message=f"not found: {key}")
    if isinstance(error, SdkNetwork):
        return StorageConnectionError("network", key=key)
    return None


class SdkOther(Exception):
    pass


MAPPER = ErrorMapper(translate, backend="TestBackend", owns=(SdkNotFound, SdkNetwork, SdkOther))


def test_guard_translates_and_chains() -> None:
    original = SdkNotFound("404")
    with pytest.raises(StorageFileNotFoundError) as caught, MAPPER.guard("k"):
        raise original
    assert caught.value.key == "k"
    assert caught.value.__cause__ is original


def test_guard_wraps_unknown_sdk_errors_as_storage_error() -> None:
    with pytest.raises(StorageError, match="TestBackend: unexpected SdkOther") as caught, MAPPER.guard("k"):
        raise SdkOther("boom")
    assert type(caught.value) is StorageError


@pytest.mark.parametrize("bug", [AttributeError("no such attribute"), KeyError("k"), RuntimeError("boom")])
def test_guard_lets_errors_that_are_not_the_sdks_propagate(bug: Exception) -> None:
    # A plain bug must stay visible: never hidden behind ``except StorageError``.
    with pytest.raises(type(bug)) as caught, MAPPER.guard("k"):
        raise bug
    assert caught.value is bug
    assert not isinstance(caught.value, StorageError)


async def test_guard_stream_lets_bugs_propagate() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"first"
        raise AttributeError("bug in the body")

    with pytest.raises(AttributeError, match="bug in the body"):
        [chunk async for chunk in MAPPER.guard_stream(body(), "k")]


def test_guard_passes_storage_errors_through() -> None:
    error = StoragePermissionError("denied", key="k")
    with pytest.raises(StoragePermissionError) as caught, MAPPER.guard("k"):
        raise error
    assert caught.value is error


async def test_guard_stream_translates_mid_body_errors() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"first"
        raise SdkNetwork("connection reset")

    received: list[bytes] = []

    async def consume() -> None:
        async for chunk in MAPPER.guard_stream(body(), "k"):
            received.append(chunk)

    with pytest.raises(StorageConnectionError):
        await consume()
    assert received == [b"first"]


async def test_guard_stream_does_not_translate_consumer_errors() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    async def consume() -> None:
        async for _ in MAPPER.guard_stream(body(), "k"):
            raise KeyError("consumer bug")

    with pytest.raises(KeyError):
        await consume()


@pytest.mark.parametrize(
    ("start", "end", "expected"), [(None, None, (0, None)), (3, None, (3, None)), (None, 4, (0, 4)), (2, 2, (2, 2))]
)
def test_validate_range(start: int | None, end: int | None, expected: tuple[int, int | None]) -> None:
    assert validate_range(start, end) == expected


@pytest.mark.parametrize(("start", "end"), [(-1, None), (0, -1), (5, 4), (True, None), (1.5, None)])
def test_invalid_range(start: object, end: object) -> None:
    with pytest.raises(InvalidRangeError):
        validate_range(start, end)  # type: ignore[arg-type]


def test_clip_range() -> None:
    assert clip_range(0, None, 10) == (0, 10)
    assert clip_range(5, 100, 10) == (5, 10)
    assert clip_range(20, None, 10) == (10, 10)


def test_backends_default_policy_is_unchanged() -> None:
    # What backends used before RetryConfig took the 0.2.x defaults: 3 tries, short waits.
    policy = request_retry()
    assert (policy.max_attempts, policy.base_delay, policy.max_delay, policy.jitter) == (3, 0.1, 10.0, "full")
    assert policy.retryable_exceptions == (StorageConnectionError,)
    assert request_retry() is not policy  # mutable: never shared


async def test_retry_skips_calls_given_a_file_like_object() -> None:
    calls = 0

    class Upload:
        async def read(self, size: int = -1) -> bytes:
            return b""

    @retry(FAST)
    async def store(data: object) -> None:
        nonlocal calls
        calls += 1
        raise StorageConnectionError("reset")

    with pytest.raises(StorageConnectionError):
        await store(Upload())
    assert calls == 1
    with pytest.raises(StorageConnectionError):
        await store(b"bytes are replayable")
    assert calls == 1 + FAST.max_attempts
