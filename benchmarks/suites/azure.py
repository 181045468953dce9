"""Azure Blob on Azurite: AzureStorage against the raw azure-storage-blob aio client and obstore's AzureStore."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sized
from contextlib import ExitStack
from typing import Any

from benchmarks.harness.contender import Contender, Endpoint, StorageContender
from benchmarks.harness.profile import Profile
from benchmarks.harness.services import start_azurite
from benchmarks.harness.suite import SuiteSpec, Target
from benchmarks.suites.obstore_peer import ObstoreContender, storage_over
from litestar_storages.base import BaseStorage


class OursAzure(StorageContender):
    """``AzureStorage(AzureConfig(container, connection_string))`` with its defaults."""

    name = "litestar-storages"

    def make_storage(self) -> BaseStorage:
        from litestar_storages.backends.azure import AzureConfig, AzureStorage

        return AzureStorage(
            AzureConfig(container=self.endpoint["container"], connection_string=self.endpoint["connection_string"])
        )


class RawAzure(Contender):
    """One ``azure.storage.blob.aio.ContainerClient`` from the connection string, SDK defaults."""

    name = "raw azure-storage-blob"

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self.container: Any = None

    async def open(self) -> None:
        from azure.storage.blob.aio import ContainerClient

        self.container = ContainerClient.from_connection_string(
            self.endpoint["connection_string"], self.endpoint["container"]
        )

    async def close(self) -> None:
        if self.container is not None:
            await self.container.close()

    async def put_small(self, key: str, data: bytes) -> None:
        await self.container.upload_blob(key, data, overwrite=True)

    async def get_small(self, key: str) -> Sized:
        downloader = await self.container.download_blob(key)
        content: bytes = await downloader.readall()
        return content

    async def info(self, key: str) -> int:
        properties = await self.container.get_blob_client(key).get_blob_properties()
        return int(properties.size)

    async def delete(self, key: str) -> None:
        await self.container.delete_blob(key)

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], size: int) -> None:
        await self.container.upload_blob(key, chunks, overwrite=True)

    async def get_stream(self, key: str) -> int:
        downloader = await self.container.download_blob(key)
        total = 0
        async for chunk in downloader.chunks():
            total += len(chunk)
        return total

    async def list_count(self, prefix: str) -> int:
        count = 0
        async for _ in self.container.list_blobs(name_starts_with=prefix):
            count += 1
        return count

    async def copy(self, source: str, destination: str) -> None:
        target = self.container.get_blob_client(destination)
        await target.start_copy_from_url(self.container.get_blob_client(source).url)
        while True:
            status = (await target.get_blob_properties()).copy.status
            if status != "pending":
                break
            await asyncio.sleep(0.05)
        if status != "success":
            raise RuntimeError(f"copy ended as {status}")


class ObstoreAzure(ObstoreContender):
    """``obstore.store.AzureStore`` pointed at Azurite (account key, HTTP allowed)."""

    name = "obstore AzureStore"

    def make_store(self) -> Any:
        from obstore.store import AzureStore

        endpoint = self.endpoint
        return AzureStore(
            endpoint["container"],
            account_name=endpoint["account_name"],
            account_key=endpoint["account_key"],
            endpoint=endpoint["account_url"],
            client_options={"allow_http": True},
        )


ObstoreStorageContender = storage_over(ObstoreAzure)

CONTENDERS: dict[str, type[Contender]] = {
    cls.name: cls for cls in (OursAzure, RawAzure, ObstoreAzure, ObstoreStorageContender)
}


def start(stack: ExitStack, profile: Profile) -> Endpoint:
    """Start Azurite (npm-installed on first use) with the container created."""
    return start_azurite(stack)


SUITE = SuiteSpec(
    name="azure",
    title="Azure Blob (Azurite)",
    service="Azurite (Node.js) in its own process, in-memory persistence, loopback HTTP",
    ours=OursAzure.name,
    peers=(RawAzure.name, ObstoreAzure.name, ObstoreStorageContender.name),
    size_class="remote",
    start=start,
    targets=(
        Target("small.*.ops_s", ">= 0.95x raw", peer=RawAzure.name, min_ratio=0.95),
        Target("large.*.mb_s", ">= 0.95x raw", peer=RawAzure.name, min_ratio=0.95),
        Target("large.*.rss_mib", "<= 48 MiB (8 MiB x (4 + 2))", max_value=48.0),
        Target("large.*.lag_max_ms", "< 20 ms", max_value=20.0),
    ),
    notes=(
        "The raw client uses the SDK's defaults: 4 MiB blocks, one at a time, for a stream of unknown length;"
        " AzureStorage stages 8 MiB blocks, 4 in flight.",
    ),
)
