"""Error mapping at one boundary, retries, and failures of a real HTTP conversation."""

from __future__ import annotations

import inspect
import urllib.request
from collections.abc import Iterator

import aiohttp
import pytest
from aiobotocore.session import AioSession
from botocore import exceptions as boto
from s3_helpers import MIB, REGION, FaultProxy, make_config

from litestar_storages.backends.s3 import S3Storage
from litestar_storages.backends.s3.errors import batch_delete_error, errors, translate_error, upload_gone
from litestar_storages.exceptions import (
    ConfigurationError,
    InvalidKeyError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StoragePermissionError,
    StorageValidationError,
)
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.moto import MotoServer

pytestmark = pytest.mark.timeout(120)

NO_RETRY = RetryConfig(max_attempts=1)


def client_error(code: str, status: int) -> boto.ClientError:
    return boto.ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},  # type: ignore[typeddict-item]
        "Op",
    )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("NoSuchKey", 404, StorageFileNotFoundError),
        ("404", 404, StorageFileNotFoundError),
        ("", 404, StorageFileNotFoundError),
        ("AccessDenied", 403, StoragePermissionError),
        ("403", 403, StoragePermissionError),
        ("InvalidAccessKeyId", 403, StoragePermissionError),
        ("SignatureDoesNotMatch", 403, StoragePermissionError),
        ("ExpiredToken", 400, StoragePermissionError),
        ("NoSuchBucket", 404, ConfigurationError),
        ("PermanentRedirect", 301, ConfigurationError),
        ("AuthorizationHeaderMalformed", 400, ConfigurationError),
        ("PreconditionFailed", 412, StorageFileExistsError),
        ("ConditionalRequestConflict", 409, StorageFileExistsError),
        ("SlowDown", 503, StorageConnectionError),
        ("Throttling", 400, StorageConnectionError),
        ("RequestTimeout", 400, StorageConnectionError),
        ("InternalError", 500, StorageConnectionError),
        ("ServiceUnavailable", 503, StorageConnectionError),
        ("WhateverNew", 502, StorageConnectionError),
        ("", 429, StorageConnectionError),
        ("KeyTooLongError", 400, InvalidKeyError),
        ("InvalidRange", 416, InvalidRangeError),
        ("EntityTooSmall", 400, StorageValidationError),
        ("NoSuchUpload", 404, StorageError),
        ("SomethingUnknown", 400, StorageError),
    ],
)
def test_service_errors_are_classified(code: str, status: int, expected: type[StorageError]) -> None:
    translated = errors.translate(client_error(code, status), "k.txt")
    assert type(translated) is expected
    assert translated.key == "k.txt"
    assert isinstance(translated.__cause__, boto.ClientError)


def test_missing_bucket_names_the_field() -> None:
    translated = errors.translate(client_error("NoSuchBucket", 404))
    assert isinstance(translated, ConfigurationError)
    assert translated.field == "bucket"


def _subclasses(base: type[Exception]) -> Iterator[type[Exception]]:
    for cls in base.__subclasses__():
        yield cls
        yield from _subclasses(cls)


def _instantiate(cls: type[Exception]) -> Exception:
    # botocore errors format keyword arguments into their message; give them all.
    names = {"endpoint_url", "error", "request", "response", "provider", "cred_var", "expected_bytes", "actual_bytes"}
    kwargs = dict.fromkeys(names, "x")
    instance = cls.__new__(cls)
    Exception.__init__(instance, "x")
    instance.kwargs = kwargs  # type: ignore[attr-defined]
    return instance


NETWORK_ERRORS: set[type[Exception]] = {
    *_subclasses(boto.HTTPClientError),
    *_subclasses(boto.ConnectionError),
    boto.HTTPClientError,
    boto.ConnectionError,
    boto.IncompleteReadError,
    boto.ChecksumError,
}


@pytest.mark.parametrize(
    "cls",
    sorted(NETWORK_ERRORS, key=str),
    ids=str,
)
def test_every_botocore_network_error_is_a_connection_error(cls: type[Exception]) -> None:
    assert isinstance(translate_error(_instantiate(cls), None), StorageConnectionError)


@pytest.mark.parametrize(
    "error",
    [aiohttp.ClientPayloadError("cut"), aiohttp.ServerDisconnectedError(), TimeoutError(), ConnectionResetError()],
    ids=type,
)
def test_network_errors_under_botocore_are_connection_errors(error: Exception) -> None:
    assert isinstance(translate_error(error, None), StorageConnectionError)


def test_every_botocore_error_becomes_a_storage_error() -> None:
    for cls in _subclasses(boto.BotoCoreError):
        if inspect.isabstract(cls):
            continue
        translated = errors.translate(_instantiate(cls), None)
        assert isinstance(translated, StorageError), cls


def test_credential_and_region_problems_are_configuration_errors() -> None:
    for error, field in [
        (boto.NoCredentialsError(), "access_key_id"),
        (boto.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"), "access_key_id"),
        (boto.NoRegionError(), "region"),
        (boto.ProfileNotFound(profile="nope"), "profile_name"),
    ]:
        translated = translate_error(error, None)
        assert isinstance(translated, ConfigurationError)
        assert translated.field == field


# -- against the server ---------------------------------------------------------------------


async def test_missing_bucket_raises_configuration_error(moto_server: MotoServer) -> None:
    async with S3Storage(make_config(moto_server, "no-such-bucket-here", retry=NO_RETRY)) as storage:
        for operation in (lambda: storage.put("a.txt", b"x"), lambda: storage.get_bytes("a.txt")):
            with pytest.raises(ConfigurationError) as caught:
                await operation()
            assert caught.value.field == "bucket"
        # HEAD answers have no body, so S3 cannot say which is missing, key or bucket
        # (documented): HEAD-based calls report the key as missing.
        assert not await storage.exists("a.txt")
        with pytest.raises(ConfigurationError) as listed:
            [item async for item in storage.list()]
        assert listed.value.field == "bucket"
        assert "NoSuchBucket" in str(listed.value)


async def test_stopped_server_raises_connection_error_after_retries(bucket: str) -> None:
    with MotoServer() as server:
        config = make_config(server, bucket, retry=RetryConfig(max_attempts=2, base_delay=0.01))
    # The server is stopped: nothing listens on its port any more.
    async with S3Storage(config) as storage:
        with pytest.raises(StorageConnectionError) as caught:
            await storage.put("a.txt", b"x")
        assert isinstance(caught.value.__cause__, boto.EndpointConnectionError)
        with pytest.raises(StorageConnectionError):
            await storage.exists("a.txt")
        with pytest.raises(StorageConnectionError):
            [chunk async for chunk in storage.get("a.txt")]
        with pytest.raises(StorageConnectionError):
            [item async for item in storage.list()]


def _reset_auth(server: MotoServer, count: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - loopback moto server
        f"{server.endpoint_url}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        # Not urllib's default form type: werkzeug would parse the body away as a form.
        headers={"Content-Type": "text/plain"},
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass


async def test_wrong_credentials_raise_permission_error(moto_server: MotoServer, bucket: str) -> None:
    async with AioSession().create_client(
        "iam",
        region_name=REGION,
        endpoint_url=moto_server.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ) as iam:
        await iam.create_user(UserName="uploader")
        key = (await iam.create_access_key(UserName="uploader"))["AccessKey"]
    _reset_auth(moto_server, "0")  # from now on moto checks every request's credentials
    try:
        unknown = make_config(moto_server, bucket, access_key_id="AKIAUNKNOWN000000000", retry=NO_RETRY)
        async with S3Storage(unknown) as storage:
            with pytest.raises(StoragePermissionError) as caught:
                await storage.put("a.txt", b"x")
        assert "InvalidAccessKeyId" in str(caught.value)

        wrong_secret = make_config(
            moto_server, bucket, access_key_id=key["AccessKeyId"], secret_access_key="not-the-secret", retry=NO_RETRY
        )
        async with S3Storage(wrong_secret) as storage:
            with pytest.raises(StoragePermissionError) as caught:
                await storage.put("a.txt", b"x")
        assert "SignatureDoesNotMatch" in str(caught.value)

        no_policy = make_config(
            moto_server,
            bucket,
            access_key_id=key["AccessKeyId"],
            secret_access_key=key["SecretAccessKey"],
            retry=NO_RETRY,
        )
        async with S3Storage(no_policy) as storage:
            with pytest.raises(StoragePermissionError) as caught:
                await storage.get_bytes("a.txt")
        assert "AccessDenied" in str(caught.value)
    finally:
        _reset_auth(moto_server, "inf")


async def test_slow_down_is_retried_until_it_passes(proxy: FaultProxy, bucket: str) -> None:
    proxy.fail(2, status=503, code="SlowDown")
    config = make_config(proxy.endpoint_url, bucket, retry=RetryConfig(max_attempts=3, base_delay=0.01))
    async with S3Storage(config) as storage:
        await storage.put("retried.txt", b"after two SlowDowns")
        assert proxy.count("PUT") == 3
        assert await storage.get_bytes("retried.txt") == b"after two SlowDowns"


async def test_retries_stop_at_max_attempts_and_botocore_adds_none(proxy: FaultProxy, bucket: str) -> None:
    proxy.fail(100, status=500, code="InternalError")
    config = make_config(proxy.endpoint_url, bucket, retry=RetryConfig(max_attempts=4, base_delay=0.001))
    async with S3Storage(config) as storage:
        with pytest.raises(StorageConnectionError) as caught:
            await storage.get_bytes("x.txt")
        assert "InternalError" in str(caught.value)
        assert proxy.count("GET") == 4


async def test_not_found_is_not_retried(proxy: FaultProxy, bucket: str) -> None:
    config = make_config(proxy.endpoint_url, bucket, retry=RetryConfig(max_attempts=4, base_delay=0.001))
    async with S3Storage(config) as storage:
        with pytest.raises(StorageFileNotFoundError):
            await storage.get_bytes("missing.txt")
        assert proxy.count("GET") == 1


async def test_download_cut_mid_body_is_resumed_where_it_stopped(proxy: FaultProxy, bucket: str) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.put("cut.bin", data)
        proxy.seen.clear()
        proxy.truncate(1, after=300_000, when=lambda seen: seen.method == "GET")
        assert await storage.get_bytes("cut.bin") == data
        gets = [seen for seen in proxy.seen if seen.method == "GET"]
        assert len(gets) == 2
        # The rest, from the first byte not received, of the same version of the object.
        first = gets[1].headers["range"]
        assert first.startswith("bytes=")
        assert first.endswith(f"-{len(data) - 1}")
        assert 0 < int(first.removeprefix("bytes=").split("-")[0]) <= 300_000


async def test_download_cut_on_every_attempt_raises_connection_error(proxy: FaultProxy, bucket: str) -> None:
    data = bytes(range(256)) * 4096
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.put("cut.bin", data)
        proxy.truncate(100, after=300_000, when=lambda seen: seen.method == "GET")
        received = bytearray()

        async def read_all() -> None:
            async for chunk in storage.get("cut.bin"):
                received.extend(chunk)

        with pytest.raises(StorageConnectionError):
            await read_all()
        assert len(received) < len(data)
        assert data.startswith(bytes(received))  # never a spliced body


async def test_download_cut_of_a_range_is_resumed(proxy: FaultProxy, bucket: str) -> None:
    data = bytes(range(256)) * 8192
    async with S3Storage(make_config(proxy.endpoint_url, bucket)) as storage:
        await storage.put("cut-range.bin", data)
        proxy.truncate(1, after=1000, when=lambda seen: seen.method == "GET")
        assert await storage.get_bytes("cut-range.bin", start=MIB // 2, end=MIB + 5) == data[MIB // 2 : MIB + 5]


async def test_errors_mid_listing_are_translated(proxy: FaultProxy, bucket: str) -> None:
    config = make_config(proxy.endpoint_url, bucket, retry=NO_RETRY)
    async with S3Storage(config) as storage:
        for index in range(3):
            await storage.put(f"k/{index}", b"x")
        proxy.fail(1, status=503, code="SlowDown", when=lambda seen: seen.method == "GET")
        with pytest.raises(StorageConnectionError):
            [item async for item in storage.list()]
        assert [item.key async for item in storage.list()] == ["k/0", "k/1", "k/2"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [("AccessDenied", StoragePermissionError), ("InternalError", StorageConnectionError), ("Odd", StorageError)],
)
def test_a_per_key_batch_delete_failure_becomes_the_single_request_error(
    code: str, expected: type[StorageError]
) -> None:
    error = batch_delete_error({"Key": "p/a.txt", "Code": code, "Message": "refused"}, "a.txt")
    assert type(error) is expected
    assert error.key == "a.txt"
    assert isinstance(error.__cause__, boto.ClientError)
    assert error.__cause__.response["Error"] == {"Code": code, "Message": "refused"}


def test_only_no_such_upload_counts_as_a_gone_upload() -> None:
    assert upload_gone(boto.ClientError({"Error": {"Code": "NoSuchUpload"}}, "AbortMultipartUpload"))
    assert not upload_gone(boto.ClientError({"Error": {"Code": "AccessDenied"}}, "AbortMultipartUpload"))
    assert not upload_gone(StorageError("not the SDK's"))


# -- only botocore's and the transport's errors are translated (#18) ----------------------


@pytest.mark.parametrize("bug", [AttributeError("'NoneType' object has no attribute 'x'"), KeyError("Contents")])
async def test_a_plain_bug_propagates_as_itself(
    storage: S3Storage, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    client = await storage.driver.context.client()  # type: ignore[attr-defined] # the S3 driver's

    async def broken(**_: object) -> object:
        raise bug

    monkeypatch.setattr(client, "list_objects_v2", broken)
    with pytest.raises(type(bug)) as caught:
        [item async for item in storage.list()]
    assert caught.value is bug
    monkeypatch.undo()
    # A real service error is still translated.
    with pytest.raises(StorageFileNotFoundError):
        await storage.info("missing.txt")
