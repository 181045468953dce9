"""GCS on fake-gcs-server: GCSStorage against raw gcloud-aio-storage and obstore's GCSStore."""

from __future__ import annotations

from collections.abc import Sized
from contextlib import ExitStack
from typing import Any

from benchmarks.harness.contender import Contender, Endpoint, StorageContender, Unsupported
from benchmarks.harness.profile import MiB, Profile
from benchmarks.harness.services import start_fake_gcs
from benchmarks.harness.suite import SuiteSpec, Target
from benchmarks.suites.obstore_peer import ObstoreContender, storage_over
from litestar_storages.base import BaseStorage

CHUNK = 1 * MiB


class OursGCS(StorageContender):
    """``GCSStorage(GCSConfig(bucket, api_root))`` with its defaults."""

    name = "litestar-storages"

    def make_storage(self) -> BaseStorage:
        from litestar_storages.backends.gcs import GCSConfig, GCSStorage

        return GCSStorage(GCSConfig(bucket=self.endpoint["bucket"], api_root=self.endpoint["api_root"]))


class RawGCS(Contender):
    """One ``gcloud.aio.storage.Storage(api_root=...)``, library defaults."""

    name = "raw gcloud-aio-storage"

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self.client: Any = None
        self.bucket = endpoint["bucket"]

    async def open(self) -> None:
        from gcloud.aio.storage import Storage

        self.client = Storage(api_root=self.endpoint["api_root"])

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

    async def put_small(self, key: str, data: bytes) -> None:
        await self.client.upload(self.bucket, key, data)

    async def get_small(self, key: str) -> Sized:
        content: bytes = await self.client.download(self.bucket, key)
        return content

    async def info(self, key: str) -> int:
        return int((await self.client.download_metadata(self.bucket, key))["size"])

    async def delete(self, key: str) -> None:
        await self.client.delete(self.bucket, key)

    async def put_stream(self, key: str, chunks: Any, size: int) -> None:
        raise Unsupported("gcloud-aio-storage uploads bytes or a seekable file only, not a stream")

    async def get_stream(self, key: str) -> int:
        total = 0
        stream = await self.client.download_stream(self.bucket, key)
        while chunk := await stream.read(CHUNK):
            total += len(chunk)
        return total

    async def list_count(self, prefix: str) -> int:
        count = 0
        # Real GCS pages at 1,000 objects unless told otherwise; fake-gcs-server answers
        # every object in one page when maxResults is absent, so ask for the real default.
        params = {"prefix": prefix, "maxResults": "1000"}
        while True:
            page = await self.client.list_objects(self.bucket, params=params)
            count += len(page.get("items", ()))
            token = page.get("nextPageToken")
            if not token:
                return count
            params = {**params, "pageToken": token}

    async def copy(self, source: str, destination: str) -> None:
        await self.client.copy(self.bucket, source, self.bucket, new_name=destination)


class ObstoreGCS(ObstoreContender):
    """``obstore.store.GCSStore`` pointed at the emulator (``base_url``, static token, HTTP allowed)."""

    name = "obstore GCSStore"

    def make_store(self) -> Any:
        from obstore.store import GCSStore

        return GCSStore(
            self.endpoint["bucket"],
            base_url=self.endpoint["url"],
            bearer_token="emulator",  # noqa: S106 - a static token skips credential discovery; the emulator checks none
            client_options={"allow_http": True},
        )


ObstoreStorageContender = storage_over(ObstoreGCS)

CONTENDERS: dict[str, type[Contender]] = {
    cls.name: cls for cls in (OursGCS, RawGCS, ObstoreGCS, ObstoreStorageContender)
}


def start(stack: ExitStack, profile: Profile) -> Endpoint:
    """Start fake-gcs-server with the bucket created."""
    return start_fake_gcs(stack)


SUITE = SuiteSpec(
    name="gcs",
    title="GCS (fake-gcs-server)",
    service="fake-gcs-server (Go) in its own process, in-memory backend, loopback HTTP",
    ours=OursGCS.name,
    peers=(RawGCS.name, ObstoreGCS.name, ObstoreStorageContender.name),
    size_class="remote",
    start=start,
    targets=(
        Target("small.*.ops_s", ">= 0.95x raw", peer=RawGCS.name, min_ratio=0.95),
        Target("large.get.mb_s", ">= 0.95x raw", peer=RawGCS.name, min_ratio=0.95),
        Target("large.*.rss_mib", "<= 24 MiB (8 MiB chunk x (1 + 2))", max_value=24.0),
        Target("large.*.lag_max_ms", "< 20 ms", max_value=20.0),
    ),
    notes=(
        "gcloud-aio-storage uploads bytes or a seekable file only: it has no streamed upload, so its"
        " streamed-put cell is n/a.",
    ),
)
