"""S3 on a moto server: S3Storage against raw aiobotocore, aioboto3's transfer manager, obstore's S3Store and s3fs.

moto runs in its own process (see ``harness/moto_serve.py``); it is pure Python and
slow, so it caps every contender and compresses the ratios: the client CPU rows show
the client's own cost more clearly than the ops/s rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sized
from contextlib import AsyncExitStack, ExitStack
from typing import Any

from benchmarks.harness.contender import Contender, Endpoint, StorageContender, Unsupported
from benchmarks.harness.profile import MiB, Profile
from benchmarks.harness.services import start_moto
from benchmarks.harness.suite import SuiteSpec, Target
from benchmarks.suites.obstore_peer import ObstoreContender, storage_over
from litestar_storages.base import BaseStorage

PART_SIZE = 8 * MiB
"""Part size of the hand-written multipart upload (S3Storage's and aioboto3's default too)."""
PARTS_IN_FLIGHT = 4
"""Parts uploaded at once by the hand-written multipart upload (S3Storage's default)."""
CHUNK = 1 * MiB
SAME_CLIENT = "aioboto3's client is aiobotocore's: see raw aiobotocore"


class OursS3(StorageContender):
    """``S3Storage(S3Config(bucket, endpoint_url, region, keys))`` with its defaults."""

    name = "litestar-storages"

    def make_storage(self) -> BaseStorage:
        from litestar_storages.backends.s3 import S3Config, S3Storage

        endpoint = self.endpoint
        return S3Storage(
            S3Config(
                bucket=endpoint["bucket"],
                endpoint_url=endpoint["endpoint_url"],
                region=endpoint["region"],
                access_key_id=endpoint["key"],
                secret_access_key=endpoint["secret"],
            )
        )


class _ClientContender(Contender):
    """A contender holding one client opened by an async context manager."""

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self._stack = AsyncExitStack()
        self.client: Any = None
        self.bucket = endpoint["bucket"]

    def client_context(self) -> Any:
        raise NotImplementedError

    async def open(self) -> None:
        self.client = await self._stack.enter_async_context(self.client_context())

    async def close(self) -> None:
        await self._stack.aclose()

    def _client_arguments(self) -> dict[str, Any]:
        return {
            "endpoint_url": self.endpoint["endpoint_url"],
            "region_name": self.endpoint["region"],
            "aws_access_key_id": self.endpoint["key"],
            "aws_secret_access_key": self.endpoint["secret"],
        }


class RawAiobotocore(_ClientContender):
    """One aiobotocore client, default settings; streamed uploads as a hand-written multipart upload."""

    name = "raw aiobotocore"

    def client_context(self) -> Any:
        from aiobotocore.session import get_session

        return get_session().create_client("s3", **self._client_arguments())

    async def put_small(self, key: str, data: bytes) -> None:
        await self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    async def get_small(self, key: str) -> Sized:
        response = await self.client.get_object(Bucket=self.bucket, Key=key)
        body = response["Body"]
        try:
            content: bytes = await body.read()
        finally:
            body.close()
        return content

    async def info(self, key: str) -> int:
        return int((await self.client.head_object(Bucket=self.bucket, Key=key))["ContentLength"])

    async def delete(self, key: str) -> None:
        await self.client.delete_object(Bucket=self.bucket, Key=key)

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], size: int) -> None:
        created = await self.client.create_multipart_upload(Bucket=self.bucket, Key=key)
        upload_id = created["UploadId"]
        parts: list[dict[str, Any]] = []
        slots = asyncio.Semaphore(PARTS_IN_FLIGHT)
        tasks: list[asyncio.Task[None]] = []

        async def send(number: int, body: bytes) -> None:
            try:
                answer = await self.client.upload_part(
                    Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
                )
                parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            finally:
                slots.release()

        async def submit(body: bytes) -> None:
            await slots.acquire()
            tasks.append(asyncio.create_task(send(len(tasks) + 1, body)))

        buffer = bytearray()
        try:
            async for chunk in chunks:
                buffer += chunk
                while len(buffer) >= PART_SIZE:
                    body = bytes(buffer[:PART_SIZE])
                    del buffer[:PART_SIZE]
                    await submit(body)
            if buffer or not tasks:
                await submit(bytes(buffer))
            await asyncio.gather(*tasks)
        except BaseException:
            await self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        parts.sort(key=lambda part: int(part["PartNumber"]))
        await self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )

    async def get_stream(self, key: str) -> int:
        response = await self.client.get_object(Bucket=self.bucket, Key=key)
        body = response["Body"]
        total = 0
        try:
            async for chunk in body.iter_chunks(CHUNK):
                total += len(chunk)
        finally:
            body.close()
        return total

    async def list_count(self, prefix: str) -> int:
        count = 0
        async for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            count += len(page.get("Contents", ()))
        return count

    async def copy(self, source: str, destination: str) -> None:
        await self.client.copy_object(
            Bucket=self.bucket, Key=destination, CopySource={"Bucket": self.bucket, "Key": source}
        )


class _AsyncReader:
    """A file-like ``await read(n)`` over an async iterator of chunks (what upload_fileobj reads)."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = bytearray()
        self._done = False

    async def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += await self._chunks.__anext__()
            except StopAsyncIteration:
                self._done = True
        if size < 0:
            size = len(self._buffer)
        block = bytes(self._buffer[:size])
        del self._buffer[:size]
        return block


class _CountingSink:
    """A writable that drops what it gets and counts it."""

    def __init__(self) -> None:
        self.total = 0

    def write(self, data: bytes) -> int:
        self.total += len(data)
        return len(data)


class Aioboto3(_ClientContender):
    """aioboto3's managed transfers (``upload_fileobj``, ``download_fileobj``, ``copy``), default TransferConfig."""

    name = "aioboto3"

    def client_context(self) -> Any:
        import aioboto3

        return aioboto3.Session().client("s3", **self._client_arguments())

    async def info(self, key: str) -> int:
        return int((await self.client.head_object(Bucket=self.bucket, Key=key))["ContentLength"])

    async def delete(self, key: str) -> None:
        await self.client.delete_object(Bucket=self.bucket, Key=key)

    async def put_small(self, key: str, data: bytes) -> None:
        # Only used to write fixtures and probe: aioboto3's client *is* aiobotocore's.
        await self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    async def get_small(self, key: str) -> Sized:
        raise Unsupported(SAME_CLIENT)

    async def list_count(self, prefix: str) -> int:
        raise Unsupported(SAME_CLIENT)

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], size: int) -> None:
        await self.client.upload_fileobj(_AsyncReader(chunks), self.bucket, key)

    async def get_stream(self, key: str) -> int:
        sink = _CountingSink()
        await self.client.download_fileobj(self.bucket, key, sink)
        return sink.total

    async def copy(self, source: str, destination: str) -> None:
        await self.client.copy({"Bucket": self.bucket, "Key": source}, self.bucket, destination)


class ObstoreS3(ObstoreContender):
    """``obstore.store.S3Store`` pointed at the emulator (HTTP allowed, path-style requests)."""

    name = "obstore S3Store"

    def make_store(self) -> Any:
        from obstore.store import S3Store

        endpoint = self.endpoint
        return S3Store(
            endpoint["bucket"],
            endpoint=endpoint["endpoint_url"],
            region=endpoint["region"],
            access_key_id=endpoint["key"],
            secret_access_key=endpoint["secret"],
            virtual_hosted_style_request=False,
            client_options={"allow_http": True},
        )


class S3fs(Contender):
    """s3fs (fsspec) in asynchronous mode, on this event loop; default settings."""

    name = "s3fs"

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint)
        self.fs: Any = None
        self.bucket = endpoint["bucket"]

    async def open(self) -> None:
        import s3fs

        self.fs = s3fs.S3FileSystem(
            asynchronous=True,
            skip_instance_cache=True,
            key=self.endpoint["key"],
            secret=self.endpoint["secret"],
            endpoint_url=self.endpoint["endpoint_url"],
            client_kwargs={"region_name": self.endpoint["region"]},
        )
        await self.fs.set_session()

    async def close(self) -> None:
        if self.fs is not None and self.fs._s3 is not None:
            await self.fs._s3.close()

    def path(self, key: str) -> str:
        return f"{self.bucket}/{key}"

    async def put_small(self, key: str, data: bytes) -> None:
        await self.fs._pipe_file(self.path(key), data)

    async def get_small(self, key: str) -> Sized:
        content: bytes = await self.fs._cat_file(self.path(key))
        return content

    async def info(self, key: str) -> int:
        return int((await self.fs._info(self.path(key)))["size"])

    async def delete(self, key: str) -> None:
        await self.fs._rm_file(self.path(key))

    async def get_stream(self, key: str) -> int:
        total = 0
        file = await self.fs.open_async(self.path(key), "rb")
        try:
            while chunk := await file.read(CHUNK):
                total += len(chunk)
        finally:
            await file.close()
        return total

    async def list_count(self, prefix: str) -> int:
        self.fs.invalidate_cache()
        return len(await self.fs._find(self.path(prefix)))

    async def copy(self, source: str, destination: str) -> None:
        await self.fs._copy(self.path(source), self.path(destination))


ObstoreStorageContender = storage_over(ObstoreS3)

CONTENDERS: dict[str, type[Contender]] = {
    cls.name: cls for cls in (OursS3, RawAiobotocore, Aioboto3, ObstoreS3, S3fs, ObstoreStorageContender)
}


def start(stack: ExitStack, profile: Profile) -> Endpoint:
    """Start moto in a subprocess with the bucket created."""
    return start_moto(stack)


SUITE = SuiteSpec(
    name="s3",
    title="S3 (moto server)",
    service="moto server in its own process, loopback HTTP",
    ours=OursS3.name,
    peers=(RawAiobotocore.name, Aioboto3.name, ObstoreS3.name, S3fs.name, ObstoreStorageContender.name),
    size_class="remote",
    start=start,
    targets=(
        Target("small.*.ops_s", ">= 0.95x raw", peer=RawAiobotocore.name, min_ratio=0.95),
        Target("small.*.ops_s", ">= s3fs", peer=S3fs.name, min_ratio=1.0),
        Target("large.put.mb_s", ">= aioboto3", peer=Aioboto3.name, min_ratio=1.0),
        Target("large.*.rss_mib", "<= 48 MiB (8 MiB x (4 + 2))", max_value=48.0),
        Target("large.*.lag_max_ms", "< 20 ms", max_value=20.0),
    ),
    notes=(
        "aioboto3 is measured only on managed transfers (upload_fileobj, download_fileobj, copy): its small"
        " operations are aiobotocore's client calls, the raw aiobotocore column.",
        "s3fs has no streamed async upload from an async iterator (its writers buffer whole blocks in sync"
        " file objects), so its streamed-put cell is n/a.",
        "raw aiobotocore's streamed put is a hand-written multipart upload: 8 MiB parts, 4 in flight"
        " (S3Storage's defaults).",
    ),
)
