"""Sharing one gcloud-aio-storage client (and its connection pool) with GCSStorage."""

import aiohttp
from gcloud.aio.storage import Storage as GCSClient

from litestar_storages import GCSConfig, GCSStorage


async def main(api_root: str, bucket: str) -> None:
    async with aiohttp.ClientSession() as session:
        client = GCSClient(api_root=api_root, session=session)  # type: ignore[arg-type]
        # The storage uses the client as is and does not close it: whoever made it does.
        async with GCSStorage(GCSConfig(bucket=bucket), client=client) as storage:
            await storage.put("shared.txt", b"one pool for both")
        # Still open: the SDK can go on using it directly.
        assert await client.download(bucket, "shared.txt") == b"one pool for both"
