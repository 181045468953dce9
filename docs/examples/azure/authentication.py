"""The three ways to authenticate, and a client shared with other code.

Building a storage makes no request, so this runs without an account; the last part
talks to Azurite (started here unless ``AZURE_STORAGE_CONNECTION_STRING`` is set).
"""

import asyncio
import os

from azure.identity.aio import DefaultAzureCredential
from azure.storage.blob.aio import ContainerClient

from litestar_storages import AzureConfig, AzureStorage

ACCOUNT_URL = "https://myaccount.blob.core.windows.net"


async def main(connection_string: str) -> None:
    # 1. A connection string: endpoint and account key in one value.
    by_connection_string = AzureConfig(container="uploads", connection_string=connection_string)

    # 2. The account URL and its shared key (also signs SAS URLs).
    by_key = AzureConfig(container="uploads", account_url=ACCOUNT_URL, account_key="<base64 account key>")

    # 3. Microsoft Entra ID: any async token credential. DefaultAzureCredential tries
    #    environment variables, workload and managed identity, the Azure CLI, ...
    #    SAS URLs are then signed with a user delegation key fetched from Azure.
    async with DefaultAzureCredential() as credential:
        by_identity = AzureConfig(container="uploads", account_url=ACCOUNT_URL, credential=credential)
        async with AzureStorage(by_identity) as storage:
            print(storage)  # AzureStorage(container='uploads', prefix='')
        # The storage never closes a credential it was given.

    # With an account URL and no key or credential, the storage creates (and closes)
    # a DefaultAzureCredential itself.
    assert by_key.credential is None
    assert by_connection_string.account_url is None

    # A ContainerClient you already have (and keep owning): the storage uses it as is.
    async with ContainerClient.from_connection_string(connection_string, "shared") as client:
        if not await client.exists():
            await client.create_container()
        async with AzureStorage(client=client) as storage:
            await storage.put("from-storage.txt", b"hello")
        # Leaving `async with` closed nothing of yours: the client still works.
        blob = await client.download_blob("from-storage.txt")
        assert await blob.readall() == b"hello"
        await client.delete_blob("from-storage.txt")


if __name__ == "__main__":
    if "AZURE_STORAGE_CONNECTION_STRING" in os.environ:
        asyncio.run(main(os.environ["AZURE_STORAGE_CONNECTION_STRING"]))
    else:
        from litestar_storages.testing.emulators.azurite import Azurite

        with Azurite() as azurite:
            asyncio.run(main(azurite.connection_string))
