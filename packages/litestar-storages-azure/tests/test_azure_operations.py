"""Per-blob requests without a BlobClient per key (_sdk.py)."""

from __future__ import annotations

from typing import Any

import pytest
from azure.storage.blob.aio import BlobClient, ContainerClient

from litestar_storages.backends.azure import AzureConfig, AzureStorage
from litestar_storages.backends.azure._sdk import BlobOperationsFactory
from litestar_storages.exceptions import StorageFileExistsError

NAMES = ["a.txt", "dir/sub/x y.bin", "ünï/cødé~!*'().txt", "pct%20and+plus&amp;=?.txt", "#hash", "emoji/\U0001f600"]


class CountingContainerClient(ContainerClient):
    """The SDK's container client, counting the BlobClients built from it."""

    built = 0

    def get_blob_client(self, *args: Any, **kwargs: Any) -> BlobClient:
        type(self).built += 1
        return super().get_blob_client(*args, **kwargs)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "account_url",
    [
        "http://127.0.0.1:10000/devstoreaccount1",
        "https://acct.blob.core.windows.net",
        "https://acct.blob.core.windows.net?sv=2024&sig=a%2Fb",
    ],
)
def test_blob_url_is_the_sdks(account_url: str, name: str) -> None:
    container = ContainerClient(account_url, "my-container", credential=None)
    assert BlobOperationsFactory(container).url(name) == container.get_blob_client(name).url


async def test_small_operations_build_no_blob_client_per_key(azurite: Any, container: ContainerClient) -> None:
    """One template BlobClient per container client, not one per put, info, get or delete."""
    async with CountingContainerClient.from_connection_string(
        azurite.connection_string, container.container_name
    ) as client:
        storage = AzureStorage(
            AzureConfig(container=client.container_name, account_url=client.url.rsplit("/", 1)[0]), client=client
        )
        CountingContainerClient.built = 0
        for index in range(5):
            key = f"k/{index}.txt"
            stored = await storage.put(key, b"hello", metadata={"x-trace": "ünï"})
            info = await storage.info(key)
            assert info == stored
            assert await storage.get_bytes(key) == b"hello"
            assert await storage.exists(key)
            with pytest.raises(StorageFileExistsError):
                await storage.put(key, b"again", overwrite=False)
            await storage.delete(key)
            assert not await storage.exists(key)
        assert CountingContainerClient.built == 1


async def test_operations_follow_a_new_client_after_close(config: AzureConfig) -> None:
    # The requests of the small operations are built on the client of the moment: after
    # close() (which closes it) they go through the new one.
    storage = AzureStorage(config)
    await storage.put("a.txt", b"one")
    await storage.close()
    assert await storage.get_bytes("a.txt") == b"one"
    await storage.close()
    assert (await storage.info("a.txt")).size == 3
    await storage.delete("a.txt")
    await storage.close()
    assert not await storage.exists("a.txt")
    await storage.close()
