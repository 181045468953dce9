"""ObstoreStorage over S3 (or any S3-compatible service), with a prefix and streamed uploads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from obstore.store import S3Store

from litestar_storages import ObstoreStorage
from litestar_storages.backends.obstore import ObstoreConfig


def make_storage(bucket: str, endpoint: str | None = None) -> ObstoreStorage:
    # Credentials and region may come from the environment (AWS_ACCESS_KEY_ID...), as
    # obstore reads them; they are passed here for an emulator.
    store = S3Store(
        bucket,
        endpoint=endpoint,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",  # noqa: S106 - the emulator's dummy credentials
        virtual_hosted_style_request=False,
        client_options={"allow_http": True},
    )
    return ObstoreStorage(config=ObstoreConfig(store=store, prefix="uploads", part_size=8 * 1024 * 1024))


async def upload_and_share(storage: ObstoreStorage, chunks: AsyncIterator[bytes]) -> str:
    # A stream longer than part_size goes through obstore's own multipart upload.
    await storage.put("videos/talk.mp4", chunks)
    return await storage.url("videos/talk.mp4", expires_in=timedelta(minutes=15))
