"""Error mapping: every SDK error type is mapped, and real failures become storage errors."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import azure.core.exceptions
import azure.storage.blob
import pytest
import pytest_asyncio
from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
)
from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.backends.azure.errors import ERROR_CATEGORIES, MAPPER, translate_error
from litestar_storages.exceptions import (
    ConfigurationError,
    InvalidKeyError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
)
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.azurite import ACCOUNT_KEY, ACCOUNT_NAME, Azurite

Counted = tuple[ContainerClient, Any]
"""The ``counted`` fixture: a client and its CountingTransport (see conftest)."""


def sdk_exception_types() -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for module in (azure.core.exceptions, azure.storage.blob):
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Exception) and value.__module__.startswith("azure."):
                found.add(value)
    return found


def test_every_sdk_exception_type_is_mapped() -> None:
    found = sdk_exception_types()
    assert HttpResponseError in found
    assert azure.storage.blob.PartialBatchErrorException in found
    # Looked up along each exception's MRO: a subclass takes its base's entry.
    unmapped = sorted(t.__name__ for t in found if not issubclass(t, tuple(ERROR_CATEGORIES)))
    assert unmapped == []


def status_error(status: int, kind: type[HttpResponseError] = HttpResponseError) -> HttpResponseError:
    error = kind(message=f"status {status}")
    error.status_code = status
    return error


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, StoragePermissionError),
        (403, StoragePermissionError),
        (404, StorageFileNotFoundError),
        (408, StorageConnectionError),
        (416, InvalidRangeError),
        (429, StorageConnectionError),
        (500, StorageConnectionError),
        (503, StorageConnectionError),
        (400, StorageError),
    ],
)
def test_http_status_refines_generic_errors(status: int, expected: type[StorageError]) -> None:
    translated = MAPPER.translate(status_error(status), "k")
    assert type(translated) is expected
    assert translated.key == "k"
    assert isinstance(translated.__cause__, HttpResponseError)


def test_typed_errors_map_by_type() -> None:
    assert type(translate_error(ResourceNotFoundError(message="x"), "k")) is StorageFileNotFoundError
    assert type(translate_error(status_error(412, azure.core.exceptions.ResourceModifiedError), "k")) is (
        StorageFileExistsError
    )
    assert type(translate_error(ClientAuthenticationError(message="x"), "k")) is StoragePermissionError
    assert type(translate_error(ServiceRequestError("refused"), "k")) is StorageConnectionError
    assert type(translate_error(ConnectionResetError("reset"), "k")) is StorageConnectionError
    assert translate_error(KeyError("not an SDK error"), "k") is None
    assert type(translate_error(azure.core.exceptions.IncompleteReadError(message="cut"), "k")) is (
        StorageConnectionError
    )


async def test_bad_keys_are_refused_before_any_request(counted: Counted, azurite: Azurite) -> None:
    client, transport = counted
    storage = AzureStorage(client=client)
    for call in (
        lambda: storage.put("../escape", b"x"),
        lambda: storage.info("a//b"),
        lambda: storage.delete("/abs"),
        lambda: storage.url("trailing/"),
        lambda: storage.copy("ok.txt", "bad\\key"),
    ):
        with pytest.raises(InvalidKeyError):
            await call()
    with pytest.raises(InvalidKeyError):
        [chunk async for chunk in storage.get("nul\x00")]
    with pytest.raises(InvalidKeyError):
        await storage.delete_many(["fine.txt", "../bad"])
    assert transport.count() == 0


async def test_a_refused_delete_in_a_batch_names_its_key(storage: AzureStorage, container: ContainerClient) -> None:
    # A leased blob cannot be deleted without its lease: that one delete of the batch fails.
    for key in ("a.txt", "leased.txt", "c.txt"):
        await storage.put(key, b"x")
    lease = await container.get_blob_client("leased.txt").acquire_lease()
    with pytest.raises(StorageError) as caught:
        await storage.delete_many(["a.txt", "leased.txt", "c.txt"])
    assert caught.value.key == "leased.txt"  # not None: the engine knows no single key for a batch
    assert [item.key async for item in storage.list()] == ["leased.txt"]  # the others went all the same
    await lease.release()


async def test_missing_container(azurite: Azurite, new_name: Callable[[str], str]) -> None:
    config = AzureConfig(container=new_name("missing"), connection_string=azurite.connection_string)
    async with AzureStorage(config) as storage:
        operations: dict[str, Callable[[], Awaitable[object]]] = {
            "put": lambda: storage.put("a.txt", b"x"),
            "info": lambda: storage.info("a.txt"),
            "exists": lambda: storage.exists("a.txt"),
            "delete": lambda: storage.delete("a.txt", missing_ok=True),
            "list": lambda: storage.list().__anext__(),
        }
        for name, operation in operations.items():
            with pytest.raises(ConfigurationError) as caught:
                await operation()
            assert caught.value.field == "container", name
            assert isinstance(caught.value.__cause__, ResourceNotFoundError), name
        with pytest.raises(ConfigurationError):
            [chunk async for chunk in storage.get("a.txt")]
        await storage.create_container()
        await storage.put("a.txt", b"now it works")
        assert await storage.get_bytes("a.txt") == b"now it works"
        await storage.create_container()  # exist_ok
        with pytest.raises(StorageFileExistsError):
            await storage.create_container(exist_ok=False)
        container = storage.driver.container()
        await container.delete_blob("a.txt")
        await container.delete_container()


async def test_wrong_account_key_is_permission_error(azurite: Azurite, container: ContainerClient) -> None:
    wrong_key = "A" * 86 + "=="
    config = AzureConfig(container=container.container_name, account_url=azurite.account_url, account_key=wrong_key)
    async with AzureStorage(config) as storage:
        with pytest.raises(StoragePermissionError) as caught:
            await storage.put("a.txt", b"x")
    # Azurite answers 403 AuthorizationFailure (Azure: AuthenticationFailed, a
    # ClientAuthenticationError); both are permission errors.
    cause = caught.value.__cause__
    assert isinstance(cause, HttpResponseError)
    assert cause.status_code == 403


@pytest_asyncio.fixture
async def own_azurite() -> AsyncIterator[Azurite]:
    """An Azurite of the test's own, which the test may stop."""
    with Azurite() as emulator:
        yield emulator


async def test_stopped_emulator_is_connection_error_after_retries(
    own_azurite: Azurite, new_transport: Callable[[], Any]
) -> None:
    transport = new_transport()
    client = ContainerClient.from_connection_string(
        own_azurite.connection_string, "stopped", transport=transport, retry_total=0
    )
    config = AzureConfig(
        container="stopped",
        connection_string=own_azurite.connection_string,
        retry=RetryConfig(max_attempts=3, base_delay=0.01, jitter=False),
    )
    async with client, AzureStorage(config, client=client) as storage:
        await storage.create_container()
        await storage.put("before.txt", b"x")
        own_azurite.stop()
        transport.reset()
        with pytest.raises(StorageConnectionError) as caught:
            await storage.put("after.txt", b"y")
        assert isinstance(caught.value.__cause__, ServiceRequestError)
        assert transport.count() == 3  # retried per AzureConfig.retry
        with pytest.raises(StorageConnectionError):
            await storage.exists("before.txt")
        with pytest.raises(StorageConnectionError):
            [item async for item in storage.list()]


async def test_emulator_stopping_mid_download_is_connection_error(own_azurite: Azurite) -> None:
    # One streamed GET: the object is far larger than the socket buffers can hold, so
    # most of it is still to come from the emulator when it stops.
    config = AzureConfig(
        container="midway", connection_string=own_azurite.connection_string, retry=RetryConfig(max_attempts=2)
    )
    size = 32 * 1024 * 1024
    async with AzureStorage(config) as storage:
        await storage.create_container()
        await storage.put("big.bin", b"z" * size)
        chunks = storage.get("big.bin")
        received = len(await anext(chunks))
        assert 0 < received <= 256 * 1024
        own_azurite.stop()

        async def consume() -> None:
            nonlocal received
            async for chunk in chunks:
                received += len(chunk)

        with pytest.raises(StorageConnectionError) as caught:
            await consume()
        assert received < size
        assert isinstance(caught.value.__cause__, AzureError)


def test_base_azure_error_is_plain_storage_error() -> None:
    translated = MAPPER.translate(AzureError("odd"), None)
    assert type(translated) is StorageError


async def test_stalled_service_times_out_as_connection_error() -> None:
    # A server that accepts connections and never answers.
    connections: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    config = AzureConfig(
        container="stalled",
        account_url=f"http://127.0.0.1:{port}/{ACCOUNT_NAME}",
        account_key=ACCOUNT_KEY,
        read_timeout=0.3,
        retry=RetryConfig(max_attempts=1),
    )
    try:
        async with AzureStorage(config) as storage:
            started = time.monotonic()
            with pytest.raises(StorageConnectionError):
                await storage.info("a.txt")
            assert time.monotonic() - started < 5
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


# -- only azure-core's, aiohttp's and the sockets' errors are translated (#18) -------------


@pytest.mark.parametrize("bug", [AttributeError("'NoneType' object has no attribute 'x'"), KeyError("Blobs")])
async def test_a_plain_bug_propagates_as_itself(
    storage: AzureStorage, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    def broken(*_: object, **__: object) -> object:
        raise bug

    with monkeypatch.context() as patch:
        patch.setattr(ContainerClient, "list_blobs", broken)
        with pytest.raises(type(bug)) as caught:
            [item async for item in storage.list()]
    assert caught.value is bug
    # A real service error is still translated.
    with pytest.raises(StorageFileNotFoundError):
        await storage.info("missing.txt")
