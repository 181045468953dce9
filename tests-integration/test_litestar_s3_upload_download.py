"""The upload/download path once against S3 (moto's server on a loopback port)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import httpx
import pytest
import pytest_asyncio
from litestar import HttpMethod, Litestar, post, route
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.testing import AsyncTestClient

from litestar_storages import S3Config, S3Storage, Storage, StoredFile
from litestar_storages.contrib import StoragePlugin, StoragePluginConfig, StorageResponse, save_upload, storage_response
from litestar_storages.testing.emulators.moto import MotoServer

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


@post("/files/{key:path}", request_max_body_size=None)
async def upload(
    key: FromPath[str],
    data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    storage: NamedDependency[Storage],
    storage_upload_limit: NamedDependency[int | None],
) -> StoredFile:
    # Trusted here so the test sees the browser's type travel through S3 and back.
    return await save_upload(
        storage, key.lstrip("/"), data, max_size=storage_upload_limit, trust_client_content_type=True
    )


@route("/files/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def download(
    key: FromPath[str], storage: NamedDependency[Storage], redirect: FromQuery[bool] = False
) -> StorageResponse:
    return storage_response(storage, key.lstrip("/"), redirect=redirect)


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest_asyncio.fixture
async def s3(moto: MotoServer) -> AsyncIterator[S3Storage]:
    bucket = f"contrib-{uuid.uuid4().hex[:20]}"
    moto.create_bucket(bucket)
    config = S3Config(
        bucket=bucket,
        endpoint_url=moto.endpoint_url,
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        addressing_style="path",
    )
    async with S3Storage(config) as storage:
        yield storage


async def test_upload_download_range_and_redirect_on_s3(s3: S3Storage) -> None:
    # Litestar's test client runs the app on its own event loop, and an SDK client is
    # bound to the loop that opened it: the test reads S3 directly only after the app
    # has shut down (and closed the storage, which re-opens lazily on this loop).
    plugin = StoragePlugin(s3, config=StoragePluginConfig(max_upload_size=2 * len(PAYLOAD)))
    async with AsyncTestClient(Litestar([upload, download], plugins=[plugin])) as client:
        created = await client.post(
            "/files/media/blob.bin", files={"data": ("blob.bin", PAYLOAD, "application/x-blob")}
        )
        assert created.status_code == 201, created.text
        assert created.json()["size"] == len(PAYLOAD)
        assert created.json()["content_type"] == "application/x-blob"

        whole = await client.get("/files/media/blob.bin")
        assert whole.status_code == 200
        assert whole.content == PAYLOAD
        assert whole.headers["etag"].startswith('"')
        part = await client.get("/files/media/blob.bin", headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206
        assert part.content == PAYLOAD[1000:2000]
        not_modified = await client.get("/files/media/blob.bin", headers={"If-None-Match": whole.headers["etag"]})
        assert not_modified.status_code == 304
        assert (await client.get("/files/media/none.bin")).status_code == 404

        too_big = await client.post("/files/big.bin", files={"data": ("big.bin", PAYLOAD * 3)})
        assert too_big.status_code == 413

        redirect = await client.get("/files/media/blob.bin", params={"redirect": "true"}, follow_redirects=False)
        assert redirect.status_code == 307
    assert await s3.get_bytes("media/blob.bin") == PAYLOAD
    assert (await s3.info("media/blob.bin")).content_type == "application/x-blob"
    assert not await s3.exists("big.bin")
    presigned = redirect.headers["location"]
    assert "X-Amz-Signature=" in presigned
    async with httpx.AsyncClient() as direct:
        fetched = await direct.get(presigned)
    assert fetched.status_code == 200
    assert fetched.content == PAYLOAD
