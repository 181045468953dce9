"""Code written for the single-distribution litestar-storages 0.2.x runs unchanged.

Each test is a documented 0.2.x use (its docs pages "Retry Utilities", "Types", the
Litestar and multipart pages, the Storage protocol), written as a 0.2.x user wrote it,
plus the rules that let this release's additions coexist with it (issue 17).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pickle
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.di import Provide
from litestar.testing import AsyncTestClient

import litestar_storages
from litestar_storages import (
    BaseStorage,
    FileSystemConfig,
    FileSystemStorage,
    MemoryStorage,
    MultipartUpload,
    ProgressInfo,
    RetryConfig,
    Storage,
    StorageConnectionError,
    StoredFile,
    UploadResult,
    retry,
    with_retry,
)
from litestar_storages.contrib.dependencies import StorageDependency, provide_storage
from litestar_storages.exceptions import StorageError, StorageFileExistsError, StorageFileNotFoundError

# -- 1. RetryConfig -------------------------------------------------------------------------


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


# -- 2. Exceptions ------------------------------------------------------------------------------


def test_not_found_and_exists_take_the_key() -> None:
    missing = StorageFileNotFoundError("photos/cat.jpg")
    assert missing.key == "photos/cat.jpg"
    assert str(missing) == "File not found: photos/cat.jpg"
    exists = StorageFileExistsError("photos/cat.jpg")
    assert exists.key == "photos/cat.jpg"
    assert str(exists) == "File already exists: photos/cat.jpg"
    custom = StorageFileNotFoundError("a", message="File not found: 'a' (it is a folder)")
    assert (custom.key, str(custom)) == ("a", "File not found: 'a' (it is a folder)")
    restored = pickle.loads(pickle.dumps(custom))  # noqa: S301 - our own object
    assert (type(restored), restored.key, str(restored)) == (StorageFileNotFoundError, "a", str(custom))


@pytest.mark.parametrize("kind", ["memory", "filesystem"])
async def test_documented_except_clause_prints_the_key(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage: Storage = MemoryStorage() if kind == "memory" else FileSystemStorage(FileSystemConfig(path=tmp_path))
    try:
        await storage.get_bytes("nonexistent.txt")
    except StorageFileNotFoundError as e:
        print(e.key)
    assert capsys.readouterr().out == "nonexistent.txt\n"
    await storage.put("once.txt", b"x")
    with pytest.raises(StorageFileExistsError) as caught:
        await storage.put("once.txt", b"y", overwrite=False)
    assert caught.value.key == "once.txt"
    assert str(caught.value).startswith("File already exists: ")


# -- 3. contrib.dependencies ------------------------------------------------------------------


@get("/hello")
async def hello(storage: Any) -> str:
    text: str = (await storage.get_bytes("hello.txt")).decode()
    return text


async def test_provide_storage_documented_double_wrap() -> None:
    from litestar_storages.contrib import LITESTAR_AVAILABLE
    from litestar_storages.contrib import StorageDependency as FromContrib

    assert LITESTAR_AVAILABLE is True
    assert FromContrib is StorageDependency
    storage = MemoryStorage()
    await storage.put("hello.txt", b"Hello, World!")
    provider = provide_storage(storage)
    assert not isinstance(provider, Provide)
    assert provider() is storage

    @get("/typed")
    async def typed(storage: StorageDependency) -> str:
        return (await storage.get_bytes("hello.txt")).decode()

    app = Litestar(
        route_handlers=[hello, typed],
        dependencies={"storage": Provide(provide_storage(storage), sync_to_thread=False)},
    )
    async with AsyncTestClient(app) as client:
        for path in ("/hello", "/typed"):
            response = await client.get(path)
            assert response.status_code == 200
            assert response.text == "Hello, World!"


# -- 4. BaseStorage defaults on the 0.2.x signatures -----------------------------------------------


class OriginalSignatures(BaseStorage):
    """A custom backend written against the 0.2.x docs: only the documented signatures."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str | None, dict[str, str]]] = {}
        self.gets = 0

    async def put(  # type: ignore[override]
        self, key: str, data: Any, *, content_type: str | None = None, metadata: dict[str, str] | None = None
    ) -> StoredFile:
        if not isinstance(data, bytes):
            data = b"".join([chunk async for chunk in data])
        self.files[key] = (data, content_type, dict(metadata or {}))
        return await self.info(key)

    async def get(self, key: str) -> AsyncIterator[bytes]:  # type: ignore[override]
        self.gets += 1
        await self.info(key)  # raises StorageFileNotFoundError
        data = self.files[key][0]
        for start in range(0, len(data), 4):
            yield data[start : start + 4]

    async def delete(self, key: str) -> None:  # type: ignore[override]
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        del self.files[key]

    async def exists(self, key: str) -> bool:
        return key in self.files

    async def list(self, prefix: str = "") -> AsyncIterator[StoredFile]:  # type: ignore[override]
        for key in sorted(self.files):
            if key.startswith(prefix):
                yield await self.info(key)

    async def url(self, key: str, *, expires_in: timedelta | None = None) -> str:  # type: ignore[override]
        return f"custom://{key}"

    async def info(self, key: str) -> StoredFile:
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        data, content_type, metadata = self.files[key]
        return StoredFile(key=key, size=len(data), content_type=content_type, metadata=metadata)


class ExtendedSignatures(OriginalSignatures):
    """The same backend with this release's keywords: the defaults must use them."""

    def __init__(self) -> None:
        super().__init__()
        self.ranged: list[tuple[int | None, int | None]] = []
        self.missing_ok: list[bool] = []

    async def get(
        self, key: str, *, start: int | None = None, end: int | None = None, progress: Any = None
    ) -> AsyncIterator[bytes]:
        self.ranged.append((start, end))
        await self.info(key)
        yield self.files[key][0][start:end]

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        self.missing_ok.append(missing_ok)
        if key in self.files or not missing_ok:
            await super().delete(key)


@pytest.mark.parametrize("cls", [OriginalSignatures, ExtendedSignatures])
async def test_base_storage_defaults_work_on_both_signatures(cls: type[OriginalSignatures]) -> None:
    storage = cls()
    await storage.put("a.txt", b"hello world", content_type="text/plain", metadata={"owner": "me"})
    assert await storage.get_bytes("a.txt") == b"hello world"
    assert await storage.get_bytes("a.txt", start=2, end=9) == b"llo wor"
    copied = await storage.copy("a.txt", "b.txt")
    assert (copied.key, copied.size, copied.content_type) == ("b.txt", 11, "text/plain")
    assert copied.metadata == {"owner": "me"}
    moved = await storage.move("b.txt", "c.txt")
    assert moved.key == "c.txt"
    assert not await storage.exists("b.txt")
    await storage.delete_many(["c.txt", "never-existed.txt"])
    assert sorted(storage.files) == ["a.txt"]
    reports: list[ProgressInfo] = []
    await storage.put_large("big.bin", b"x" * 10, progress_callback=reports.append)
    assert reports[-1].bytes_transferred == 10
    with pytest.raises(StorageFileNotFoundError):
        await storage.get_bytes("missing.txt")
    if isinstance(storage, ExtendedSignatures):
        assert (2, 9) in storage.ranged  # the range went to the backend, not cut client-side
        assert True in storage.missing_ok


async def test_a_real_type_error_is_not_hidden() -> None:
    class Buggy(OriginalSignatures):
        async def get(self, key: str) -> AsyncIterator[bytes]:  # type: ignore[override]
            yield len(key) + "oops"  # type: ignore[operator, misc]

    storage = Buggy()
    await storage.put("a.txt", b"x")
    with pytest.raises(TypeError, match="unsupported operand"):
        await storage.get_bytes("a.txt")
    with pytest.raises(TypeError, match="unsupported operand"):
        await storage.get_bytes("a.txt", start=0, end=1)


# -- 5. UploadResult ----------------------------------------------------------------------------


async def test_upload_result_holds_file_and_url() -> None:
    storage = MemoryStorage()
    stored = await storage.put("photos/cat.jpg", b"jpeg")
    result = UploadResult(file=stored, url=await storage.url("photos/cat.jpg"))
    assert (result.file.key, result.url) == ("photos/cat.jpg", "memory://photos/cat.jpg")
    assert UploadResult(stored).url is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.url = "elsewhere"  # type: ignore[misc]
    assert litestar_storages.UploadedPart(part_number=1, etag="e", size=4).part_number == 1


# -- 6. MultipartUpload: saved state, resume --------------------------------------------------------

PART = 5 * 1024 * 1024


@pytest.mark.parametrize("kind", ["memory", "filesystem"])
async def test_resume_a_multipart_upload_from_saved_state(kind: str, tmp_path: Path) -> None:
    storage: Any = MemoryStorage() if kind == "memory" else FileSystemStorage(FileSystemConfig(path=tmp_path / "files"))
    data = bytes(range(256)) * (3 * PART // 256)
    chunks = [data[i : i + PART] for i in range(0, len(data), PART)]

    upload = await storage.start_multipart_upload("backups/db.dump", part_size=PART)
    upload.total_parts = len(chunks)
    await storage.upload_part(upload, 1, chunks[0])
    assert upload.completed_parts == 1
    saved = json.dumps(
        {
            "upload_id": upload.upload_id,
            "key": upload.key,
            "parts": upload.parts,
            "part_size": upload.part_size,
            "total_parts": upload.total_parts,
        }
    )

    # Later, maybe in another process: rebuild from the saved state and resume.
    state = json.loads(saved)
    upload = MultipartUpload(
        upload_id=state["upload_id"],
        key=state["key"],
        parts=[(number, etag) for number, etag in state["parts"]],
        part_size=state["part_size"],
        total_parts=state["total_parts"],
    )
    assert upload.total_parts is not None
    for part_number in range(upload.completed_parts + 1, upload.total_parts + 1):
        await storage.upload_part(upload, part_number, chunks[part_number - 1])
    assert upload.completed_parts == upload.total_parts == 3
    stored = await storage.complete_multipart_upload(upload)
    assert stored.size == len(data)
    assert await storage.get_bytes("backups/db.dump") == data


def test_multipart_upload_fields_and_add_part() -> None:
    upload = MultipartUpload(upload_id="u", key="k", parts=[], part_size=PART, total_parts=None)
    assert upload.total_parts is None
    upload.add_part(2, "b")
    upload.add_part(1, "a")
    upload.add_part(2, "b2")  # re-uploading a part replaces it
    assert upload.parts == [(1, "a"), (2, "b2")]
    assert upload.completed_parts == 2
    upload.total_parts = 4
    assert upload.total_parts == 4
    # JSON gives lists, not tuples: accepted. Malformed saved state is refused up front.
    assert MultipartUpload(upload_id="u", key="k", parts=[[1, "a"]]).parts == [(1, "a")]  # type: ignore[list-item]
    for bad in ([(0, "a")], [(1, 2)], [(1, "a"), (1, "b")], [("1", "a")], "1:a"):
        with pytest.raises(StorageError):
            MultipartUpload(upload_id="u", key="k", parts=bad)  # type: ignore[arg-type]


# -- 7. litestar_storages.backends and __metadata__ ----------------------------------------------


def test_backends_package_exports_every_storage_and_config() -> None:
    from litestar_storages.backends import (
        AzureConfig,
        AzureStorage,
        FileSystemConfig,
        FileSystemStorage,
        GCSConfig,
        GCSStorage,
        MemoryConfig,
        MemoryStorage,
        S3Config,
        S3Storage,
    )

    for cls in (AzureStorage, FileSystemStorage, GCSStorage, MemoryStorage, S3Storage):
        assert cls is getattr(litestar_storages, cls.__name__)
    for config in (AzureConfig, FileSystemConfig, GCSConfig, MemoryConfig, S3Config):
        assert config is getattr(litestar_storages, config.__name__)


def test_metadata_module() -> None:
    from litestar_storages.__metadata__ import __project__, __version__

    assert __project__ == "litestar-storages"
    assert __version__ == litestar_storages.__version__
    assert tuple(int(part) for part in __version__.split(".")[:2]) > (0, 2)  # pip must prefer it to 0.2.3


# -- 8. Storage protocol = the 0.2.x members; duck-typed storages ---------------------------------


class DuckStorage:
    """Exactly the 0.2.x protocol's members, no base class, the 0.2.x signatures."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {"hello.txt": b"Hello, World!"}
        self.closed = 0

    async def put(self, key: str, data: bytes, *, content_type: str | None = None, metadata: Any = None) -> StoredFile:
        self.files[key] = data
        return StoredFile(key=key, size=len(data), content_type=content_type)

    async def get(self, key: str) -> AsyncIterator[bytes]:
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        data = self.files[key]
        for start in range(0, len(data), 5):
            yield data[start : start + 5]

    async def get_bytes(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.get(key)])

    async def delete(self, key: str) -> None:
        if self.files.pop(key, None) is None:
            raise StorageFileNotFoundError(key)

    async def exists(self, key: str) -> bool:
        return key in self.files

    async def list(self, prefix: str = "") -> AsyncIterator[StoredFile]:
        for key in sorted(self.files):
            if key.startswith(prefix):
                yield await self.info(key)

    async def url(self, key: str, *, expires_in: timedelta | None = None) -> str:
        return f"duck://{key}"

    async def copy(self, source: str, destination: str) -> StoredFile:
        return await self.put(destination, await self.get_bytes(source))

    async def move(self, source: str, destination: str) -> StoredFile:
        stored = await self.copy(source, destination)
        await self.delete(source)
        return stored

    async def info(self, key: str) -> StoredFile:
        if key not in self.files:
            raise StorageFileNotFoundError(key)
        return StoredFile(key=key, size=len(self.files[key]), content_type="text/plain")

    async def close(self) -> None:
        self.closed += 1


def test_duck_typed_storage_is_a_storage_and_capabilities_are_separate() -> None:
    from litestar_storages import (
        SupportsAsyncContext,
        SupportsDeleteMany,
        SupportsMultipartUpload,
        SupportsPutLarge,
    )

    duck = DuckStorage()
    assert isinstance(duck, Storage)
    capabilities = (SupportsAsyncContext, SupportsDeleteMany, SupportsMultipartUpload, SupportsPutLarge)
    assert not any(isinstance(duck, capability) for capability in capabilities)
    assert all(isinstance(MemoryStorage(), capability) for capability in (Storage, *capabilities))


async def test_storage_plugin_serves_a_duck_typed_storage() -> None:
    from litestar_storages.contrib import StoragePlugin, storage_response

    duck = DuckStorage()

    @get("/files/{key:path}")
    async def download(key: str, storage: StorageDependency) -> Any:
        return storage_response(storage, key.lstrip("/"))

    app = Litestar(route_handlers=[hello, download], plugins=[StoragePlugin(duck)])  # type: ignore[arg-type]
    async with AsyncTestClient(app) as client:
        assert (await client.get("/hello")).text == "Hello, World!"
        whole = await client.get("/files/hello.txt")
        assert (whole.status_code, whole.content) == (200, b"Hello, World!")
        # Range requests work although the storage's get takes no start/end.
        part = await client.get("/files/hello.txt", headers={"Range": "bytes=3-8"})
        assert (part.status_code, part.content) == (206, b"lo, Wo")
        several = await client.get("/files/hello.txt", headers={"Range": "bytes=0-1,7-11"})
        assert several.status_code == 206
        assert b"He" in several.content
        assert b"World" in several.content
        assert (await client.get("/files/missing.txt")).status_code == 404
    assert duck.closed == 1  # closed on shutdown


# -- 9. Progress --------------------------------------------------------------------------------


async def test_progress_percentage_is_none_when_the_total_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    def on_progress(info: ProgressInfo) -> None:
        if info.percentage is not None:
            print(f"{info.key}: {info.percentage:.1f}%")
        else:
            print(f"{info.key}: {info.bytes_transferred} bytes")

    async def stream() -> AsyncIterator[bytes]:
        yield b"a" * 10
        yield b"b" * 10

    storage = MemoryStorage()
    await storage.put("known.bin", b"x" * 20, progress=on_progress)
    await storage.put("unknown.bin", stream(), progress=on_progress)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-3:] == ["known.bin: 100.0%", "unknown.bin: 10 bytes", "unknown.bin: 20 bytes"]
    assert ProgressInfo(bytes_transferred=5, total_bytes=None, operation="upload", key="k").percentage is None
    assert ProgressInfo(bytes_transferred=5, total_bytes=10, operation="download", key="k").percentage == 50.0
