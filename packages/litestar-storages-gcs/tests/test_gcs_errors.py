"""Error translation: every SDK and aiohttp error becomes a storage error, by status and reason."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import aiohttp.client_exceptions
import pytest
from gcs_helpers import (
    BACKEND_ERROR,
    FORBIDDEN,
    NOT_FOUND,
    PRECONDITION_FAILED,
    RATE_LIMITED_403,
    json_answer,
    replay_server,
)

from litestar_storages.backends.gcs import GCSConfig, GCSStorage, translate_gcs_error
from litestar_storages.backends.gcs.errors import GCS_ERRORS, read_answer
from litestar_storages.exceptions import (
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
)
from litestar_storages.retry import RetryConfig


def response_error(status: int, document: Any = None, phrase: str = "Reason") -> aiohttp.ClientResponseError:
    # The shape gcloud-aio's session gives its errors: "<reason phrase>: <body>".
    body = json.dumps(document) if document is not None else ""
    return aiohttp.ClientResponseError(None, (), status=status, message=f"{phrase}: {body}")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "document", "expected"),
    [
        (404, NOT_FOUND, StorageFileNotFoundError),
        (412, PRECONDITION_FAILED, StorageFileExistsError),
        (401, None, StoragePermissionError),
        (403, FORBIDDEN, StoragePermissionError),
        (403, RATE_LIMITED_403, StorageConnectionError),
        (408, None, StorageConnectionError),
        (429, None, StorageConnectionError),
        (500, None, StorageConnectionError),
        (503, BACKEND_ERROR, StorageConnectionError),
        (
            400,
            {"error": {"code": 400, "message": "Invalid argument.", "errors": [{"reason": "invalid"}]}},
            StorageError,
        ),
    ],
)
def test_status_and_reason_mapping(status: int, document: Any, expected: type[StorageError]) -> None:
    mapped = GCS_ERRORS.translate(response_error(status, document), "k.txt")
    assert type(mapped) is expected
    assert mapped.key == "k.txt"
    assert isinstance(mapped.__cause__, aiohttp.ClientResponseError)


def test_answer_reads_reason_and_message() -> None:
    answer = read_answer(response_error(412, PRECONDITION_FAILED, "Precondition Failed"))
    assert answer is not None
    assert (answer.status, answer.code) == (412, "conditionNotMet")
    assert answer.message == "At least one of the pre-conditions you specified did not hold."
    plain = read_answer(response_error(502, None, "Bad Gateway"))
    assert plain is not None
    assert (plain.code, plain.message) == ("", "Bad Gateway")
    html = read_answer(aiohttp.ClientResponseError(None, (), status=502, message="Bad Gateway: <html>"))  # type: ignore[arg-type]
    assert html is not None
    assert html.code == ""
    assert read_answer(KeyError("x")) is None


def _aiohttp_error_classes() -> list[type[Exception]]:
    classes: list[type[Exception]] = []
    for _, value in inspect.getmembers(aiohttp.client_exceptions, inspect.isclass):
        if issubclass(value, aiohttp.ClientError):
            classes.append(value)
    return classes


@pytest.mark.parametrize("error_class", _aiohttp_error_classes(), ids=lambda cls: cls.__name__)
def test_every_aiohttp_error_is_mapped(error_class: type[Exception]) -> None:
    error = error_class.__new__(error_class)
    if isinstance(error, aiohttp.ClientResponseError):
        error.status = 500
        error.message = "Internal Server Error"
    mapped = translate_gcs_error(error, "key")
    assert isinstance(mapped, StorageError), error_class
    if isinstance(error, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        assert isinstance(mapped, StorageConnectionError)


@pytest.mark.parametrize("error", [asyncio.TimeoutError(), ConnectionResetError(), TimeoutError()])
def test_timeouts_and_resets_are_connection_errors(error: Exception) -> None:
    assert isinstance(translate_gcs_error(error, None), StorageConnectionError)


def test_foreign_errors_are_left_to_the_mapper() -> None:
    assert translate_gcs_error(KeyError("x"), None) is None
    wrapped = GCS_ERRORS.translate(KeyError("x"), "k")
    assert type(wrapped) is StorageError
    assert "GCSStorage" in str(wrapped)


async def test_permission_denied_against_recorded_403() -> None:
    async with replay_server() as server:
        server.script = [json_answer(403, FORBIDDEN)]
        async with GCSStorage(GCSConfig(bucket="bucket", api_root=server.url)) as storage:
            with pytest.raises(StoragePermissionError) as caught:
                await storage.info("secret.txt")
        assert caught.value.key == "secret.txt"
        assert "does not have storage.objects.get access" in str(caught.value)
        assert len(server.requests) == 1  # not retried


async def test_throttling_is_retried_then_surfaces() -> None:
    async with replay_server() as server:
        server.script = [json_answer(429, {"error": {"code": 429, "message": "rate"}})] * 2
        server.script.append(json_answer(403, RATE_LIMITED_403))
        retry = RetryConfig(max_attempts=3, base_delay=0, jitter=False)
        async with GCSStorage(GCSConfig(bucket="bucket", api_root=server.url, retry=retry)) as storage:
            with pytest.raises(StorageConnectionError):
                await storage.exists("hot.txt")
        assert len(server.requests) == 3


async def test_no_raw_sdk_error_escapes_any_operation() -> None:
    async with replay_server() as server:
        server.script = [json_answer(500, BACKEND_ERROR)] * 20
        config = GCSConfig(bucket="bucket", api_root=server.url, retry=RetryConfig(max_attempts=1))
        async with GCSStorage(config) as storage:
            operations: list[Callable[[], Awaitable[object]]] = [
                lambda: storage.put("a", b"x"),
                lambda: storage.get_bytes("a"),
                lambda: storage.info("a"),
                lambda: storage.exists("a"),
                lambda: storage.delete("a"),
                lambda: storage.copy("a", "b"),
                lambda: storage.start_multipart_upload("a"),
            ]
            for operation in operations:
                with pytest.raises(StorageConnectionError):
                    await operation()
            with pytest.raises(StorageConnectionError):
                [item async for item in storage.list()]


# -- only aiohttp's and the sockets' errors are translated (#18) --------------------------


@pytest.mark.parametrize("bug", [AttributeError("'NoneType' object has no attribute 'x'"), KeyError("items")])
async def test_a_plain_bug_propagates_as_itself(
    gcs_storage: GCSStorage, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    from gcloud.aio.storage import Storage

    async def broken(*_: object, **__: object) -> object:
        raise bug

    with monkeypatch.context() as patch:
        patch.setattr(Storage, "list_objects", broken)
        with pytest.raises(type(bug)) as caught:
            [item async for item in gcs_storage.list()]
    assert caught.value is bug
    # A real service error is still translated.
    with pytest.raises(StorageFileNotFoundError):
        await gcs_storage.info("missing.txt")
