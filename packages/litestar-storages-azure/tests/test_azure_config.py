"""AzureConfig validation, client ownership and the public names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from azure.storage.blob.aio import ContainerClient

import litestar_storages
import litestar_storages.backends.azure as azure_backend
from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.azurite import Azurite

URL = "https://acct.blob.core.windows.net"


def test_users_existing_call_shape() -> None:
    config = AzureConfig("uploads", URL, "a2V5", None, "media/", timedelta(minutes=5))
    assert config.container == "uploads"
    assert config.account_url == URL
    assert config.account_key == "a2V5"
    assert config.prefix == "media/"
    assert config.presigned_expiry == timedelta(minutes=5)
    assert config.block_size == 8 * 1024 * 1024
    assert config.max_concurrency == 4
    assert config.retry is None
    assert config.http_logging is False


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"container": ""}, "container"),
        ({"container": "No_Caps"}, "container"),
        ({"container": "ab"}, "container"),
        ({"container": "double--hyphen"}, "container"),
        ({"account_url": None}, "account_url"),
        ({"connection_string": "AccountName=x;AccountKey=y"}, "account_url"),
        ({"account_url": "acct.blob.core.windows.net"}, "account_url"),
        ({"account_url": None, "connection_string": "not a connection string"}, "connection_string"),
        ({"account_key": "k", "credential": object()}, "account_key"),
        ({"account_key": ""}, "account_key"),
        ({"prefix": "a/../b"}, "prefix"),
        ({"presigned_expiry": timedelta(0)}, "presigned_expiry"),
        ({"presigned_expiry": 3600}, "presigned_expiry"),
        ({"block_size": 0}, "block_size"),
        ({"block_size": 4001 * 1024 * 1024}, "block_size"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"max_concurrency": True}, "max_concurrency"),
        ({"list_page_size": 5001}, "list_page_size"),
        ({"public_base_url": "cdn.example.com"}, "public_base_url"),
        ({"read_timeout": 0}, "read_timeout"),
        ({"connection_timeout": "5"}, "connection_timeout"),
        ({"retry": {"max_attempts": 2}}, "retry"),
        ({"http_logging": "yes"}, "http_logging"),
    ],
)
def test_invalid_config_names_the_field(options: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"container": "uploads", "account_url": URL, **options}
    with pytest.raises(ConfigurationError) as caught:
        AzureConfig(**arguments)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_valid_edge_values() -> None:
    AzureConfig(container="$web", account_url=URL)
    AzureConfig(container="a" * 63, account_url="http://127.0.0.1:10000/devstoreaccount1", block_size=1)
    AzureConfig(container="abc", connection_string="UseDevelopmentStorage=true", retry=RetryConfig(max_attempts=1))


async def test_account_url_without_credential_needs_identity_or_fails_clearly() -> None:
    storage = AzureStorage(AzureConfig(container="abc", account_url=URL))
    try:
        import azure.identity.aio  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigurationError) as caught:
            storage.driver.container()
        assert caught.value.field == "credential"
        assert "litestar-storages-azure[identity]" in str(caught.value)
    else:
        client = storage.driver.container()
        assert client.credential is not None
        await storage.close()  # closes the DefaultAzureCredential it created


async def test_storage_owns_and_reopens_its_client(config: AzureConfig) -> None:
    storage = AzureStorage(config)
    await storage.put("a.txt", b"1")
    first = storage.driver.container()
    assert storage.driver.container() is first  # one client, reused
    await storage.close()
    await storage.close()
    await storage.put("a.txt", b"2")
    assert storage.driver.container() is not first
    assert await storage.get_bytes("a.txt") == b"2"
    await storage.close()


async def test_passed_client_is_never_closed(azurite: Azurite, container: ContainerClient) -> None:
    async with ContainerClient.from_connection_string(azurite.connection_string, container.container_name) as client:
        async with AzureStorage(client=client) as storage:
            await storage.put("shared.txt", b"x")
            assert storage.config.container == container.container_name
            assert storage.config.account_url == azurite.account_url
        # The storage closed on leaving `async with`, the client it was given is still open.
        assert await client.get_blob_client("shared.txt").exists()
        async with AzureStorage(client=client) as again:
            assert await again.get_bytes("shared.txt") == b"x"


def test_client_and_config_must_agree(azurite: Azurite) -> None:
    client = ContainerClient.from_connection_string(azurite.connection_string, "one")
    with pytest.raises(ConfigurationError) as caught:
        AzureStorage(AzureConfig(container="two", connection_string=azurite.connection_string), client=client)
    assert caught.value.field == "container"
    with pytest.raises(ConfigurationError):
        AzureStorage()


def test_public_names() -> None:
    assert set(azure_backend.__all__) == {"AzureConfig", "AzureStorage", "__version__"}
    for name in azure_backend.__all__:
        assert getattr(azure_backend, name) is not None
    assert litestar_storages.AzureStorage is AzureStorage
    assert litestar_storages.AzureConfig is AzureConfig
    assert repr(AzureStorage(AzureConfig(container="abc", account_url=URL, prefix="p"))) == (
        "AzureStorage(container='abc', prefix='p/')"
    )
