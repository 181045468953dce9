"""``AzureDriver``: the engine's primitives on Azure Blob Storage, one SDK request each.

Get Blob, Get Blob Properties, Put Blob and Delete Blob go through the SDK's generated
operations (``_sdk.py``); blocks, commits, listings, copies and signatures through the
public ``ContainerClient``. Parts are staged blocks of the final blob, committed by one
Put Block List. Concurrent puts of one key discard each other's staged blocks; how a
put tells that from lost blocks is in :meth:`AzureDriver.commit_parts` and
docs/backends/azure.md ("Concurrent writes of one key").
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import IO, TYPE_CHECKING, Any, cast

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobBlock, ContentSettings
from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.backends.azure._sdk import BlobOperationsFactory, BlobRequests
from litestar_storages.backends.azure.client import build_client
from litestar_storages.backends.azure.config import MAX_BLOCK_SIZE, AzureConfig
from litestar_storages.backends.azure.copying import CopyState, wait_for_copy
from litestar_storages.backends.azure.errors import (
    BACKEND,
    MAPPER,
    BlocksDiscarded,
    UploadAborted,
    container_missing,
    error_code,
)
from litestar_storages.backends.azure.properties import (
    blob_etag,
    encode_metadata,
    file_from_headers,
    file_from_properties,
    http_date,
)
from litestar_storages.backends.azure.sas import SasSigner
from litestar_storages.bodies import SlicedBody, sliced_body
from litestar_storages.engine import ListPage, RangeBody
from litestar_storages.public_urls import public_url
from litestar_storages.retry import request_retry
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from azure.storage.blob import BlobProperties
    from azure.storage.blob.aio import BlobClient, ContainerClient
    from litestar_storages.protocol import HttpMethod

__all__ = ("MAX_BLOCKS", "AzureDriver")

MAX_BLOCKS = 50_000
"""Most committed blocks a block blob may have."""


@dataclass
class _PutParts:
    """A put in blocks: its blob's client, the blob's ETag before staging, the sizes staged."""

    blob: BlobClient
    before: str | None
    sizes: dict[int, int] = field(default_factory=dict)


class AzureDriver:
    """Primitives over one container, with parts (blocks), signed URLs and batched deletes.

    One ``ContainerClient`` is created on first use and reused; :meth:`close` closes it
    (and a credential the driver created) and the next request opens a new one. A client
    passed in is used as it is and never closed.
    """

    name = BACKEND
    errors = MAPPER
    max_part_size = MAX_BLOCK_SIZE
    max_parts = MAX_BLOCKS
    max_batch = 256  # Blob Batch's limit; Azurite refuses Blob Batch, so a batch is concurrent deletes
    url_methods: frozenset[HttpMethod] = frozenset({"GET", "PUT"})

    def __init__(self, config: AzureConfig, client: ContainerClient | None = None) -> None:
        """Create the driver over ``client``, or over one built from ``config`` on first use."""
        self.config = config
        self.retry = config.retry or request_retry()
        self.part_size = config.block_size
        self.max_concurrency = config.max_concurrency
        self.default_url_expiry: timedelta = config.presigned_expiry
        self._client = client
        self._owns_client = client is None
        self._owned_credential: Any = None
        self._operations: BlobOperationsFactory | None = None
        self._signer = SasSigner(config.account_key)
        self._puts: dict[str, _PutParts] = {}
        self._aborted: set[str] = set()

    # -- the client ------------------------------------------------------------------------

    def container(self) -> ContainerClient:
        """Return the container client, creating it on first use."""
        client = self._client
        if client is None:
            client, self._owned_credential = build_client(self.config)
            self._client = client
        return client

    def _factory(self) -> BlobOperationsFactory:
        # Built once per container client (a new one after close()): see _sdk.py.
        container = self.container()
        factory = self._operations
        if factory is None or factory.container is not container:
            factory = self._operations = BlobOperationsFactory(container)
        return factory

    def _requests(self, name: str) -> BlobRequests:
        return self._factory()(name)

    def _blob(self, name: str) -> BlobClient:
        return self.container().get_blob_client(name)

    async def close(self) -> None:
        """Close the client (and credential) the driver created; safe to call twice."""
        client, self._client = (self._client, None) if self._owns_client else (None, self._client)
        self._operations = None
        credential, self._owned_credential = self._owned_credential, None
        try:
            if client is not None:
                await client.close()
        finally:
            if credential is not None:
                await credential.close()

    # -- objects ---------------------------------------------------------------------------

    async def head(self, name: str) -> StoredFile | None:  # noqa: D102 - documented by the Driver protocol
        try:
            headers = await self._requests(name).get_properties()
        except ResourceNotFoundError as error:
            if container_missing(error):
                raise
            return None
        return file_from_headers(name, headers, int(headers.get("Content-Length") or 0))

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        if end is not None and end <= start:
            return await self._empty_range(name, start)  # nothing to read, but the blob must exist
        # Without a range an empty blob answers 200; "bytes=0-" would be refused with 416.
        byte_range = None if start == 0 and end is None else f"bytes={start}-{'' if end is None else end - 1}"
        try:
            body, headers = await self._requests(name).download(byte_range)
        except HttpResponseError as error:
            if error.status_code != 416:
                raise
            return await self._empty_range(name, start)  # starts at or past the end: clipped to nothing
        length = int(headers.get("Content-Length") or 0)
        first, size = start, length
        content_range = headers.get("Content-Range")  # "bytes 0-1023/2048"
        if content_range:
            first, size = int(content_range.split(" ", 1)[1].split("-", 1)[0]), int(content_range.rsplit("/", 1)[1])
        return RangeBody(file_from_headers(name, headers, size), first, first + length, _chunks(body))

    async def _empty_range(self, name: str, start: int) -> RangeBody:
        stored = await self.head(name)
        if stored is None:
            raise ResourceNotFoundError(message=f"{name}: BlobNotFound")
        position = min(start, stored.size)
        return RangeBody(stored, position, position, _chunks(None))

    async def write(  # noqa: D102
        self,
        name: str,
        body: bytes | bytearray | memoryview,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        # The headers the public upload_blob() would send (it would also wrap the bytes
        # in a stream, build a BlobClient, a BlobHTTPHeaders model and a deserialized answer).
        headers = {"x-ms-blob-content-type": content_type}
        headers.update({f"x-ms-meta-{key}": value for key, value in encode_metadata(metadata).items()})
        if not overwrite:
            headers["If-None-Match"] = "*"
        size = memoryview(body).nbytes
        payload = cast("bytes | IO[bytes]", sliced_body(body))
        answer = await self._requests(name).put(payload, size, headers)
        return StoredFile(
            key=name,
            size=size,
            content_type=content_type,
            etag=blob_etag(answer.get("ETag")),
            last_modified=http_date(answer.get("Last-Modified")),
            metadata=dict(metadata),
        )

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        try:
            await self._requests(name).delete()
        except ResourceNotFoundError as error:
            if container_missing(error):
                raise
            return False
        return True

    async def delete_batch(self, names: Sequence[str]) -> None:
        """Delete up to :attr:`max_batch` blobs, ``max_concurrency`` requests at a time; missing ones are skipped."""
        limit = asyncio.Semaphore(self.max_concurrency)

        async def delete_one(name: str) -> None:
            async with limit:
                await self.delete(name, check=False)

        results = await asyncio.gather(*(delete_one(name) for name in dict.fromkeys(names)), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        pages = (
            self.container()
            .list_blobs(
                name_starts_with=prefix or None,
                include=["metadata"],
                results_per_page=min(page_size, self.config.list_page_size),
            )
            .by_page(continuation_token=token)
        )
        page = await anext(pages)
        files = [file_from_properties(properties) async for properties in page]
        return ListPage(files, pages.continuation_token or None)  # type: ignore[attr-defined]

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        target = self._blob(destination)
        result = await target.start_copy_from_url(self._blob(source).url)

        async def poll() -> CopyState[BlobProperties]:
            properties = await target.get_blob_properties()
            return properties.copy.status, properties.copy.status_description, properties

        # Within one account Azure usually copies before answering; "pending" is polled.
        if result.get("copy_status") == "pending":
            return file_from_properties(await wait_for_copy(poll, key=destination))
        return file_from_properties(await target.get_blob_properties())

    # -- SupportsParts: each part is one staged block of the final blob --------------------

    async def begin_parts(
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        """Start a manual multipart upload: no request (Azure has no upload session), a fresh upload id."""
        return uuid.uuid4().hex

    async def begin_put_parts(
        self,
        name: str,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> str:
        """Start the blocks of a put: read the blob's ETag (one HEAD) for :meth:`commit_parts`.

        With ``overwrite=False`` an existing blob fails the put here, before any block is sent.
        """
        stored = await self.head(name)
        if stored is not None and not overwrite:
            raise ResourceExistsError(message=f"{name}: BlobAlreadyExists")
        upload_id = uuid.uuid4().hex
        self._puts[upload_id] = _PutParts(self._blob(name), None if stored is None else stored.etag)
        return upload_id

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        if upload_id in self._aborted:
            raise UploadAborted(f"multipart upload {upload_id} was aborted")
        # Azure wants every block id of a blob to have the same length, and concurrent
        # uploads must not reuse each other's: upload id plus six digits.
        block_id = f"{upload_id}{number:06d}"
        size = memoryview(body).nbytes
        put = self._puts.get(upload_id)
        blob = self._blob(name) if put is None else put.blob  # a BlobClient costs ~160 us to build
        # Sent in slices straight from the buffer: no copy, no long write on the event loop.
        await blob.stage_block(block_id, cast("IO[bytes]", SlicedBody(body)), length=size)
        if put is not None:
            put.sizes[number] = size
        return block_id

    async def commit_parts(
        self,
        name: str,
        upload_id: str,
        parts: Sequence[tuple[int, str]],
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        """Commit the blocks (Put Block List), with the content type and metadata.

        A blob has one set of uncommitted blocks: any commit or Put Blob discards those
        it does not use, so of two puts staging blocks at once, the first to commit
        discards the other's, whose commit fails with ``InvalidBlockList``. Such a put is
        not failed when the blob's ETag changed since its blocks began: another write
        completed while it ran, and its data counts as written just before it, then
        replaced ("last writer wins", reached without sending the data again; ``etag``
        is then ``None``). Otherwise, and for the parts of a manual upload, the error is
        :class:`~litestar_storages.exceptions.ConcurrentWriteError`.
        """
        if upload_id in self._aborted:
            raise UploadAborted(f"multipart upload {upload_id} was aborted")
        put = self._puts.get(upload_id)
        blob = self._blob(name) if put is None else put.blob
        conditions: dict[str, Any] = {} if overwrite else {"match_condition": MatchConditions.IfMissing}
        try:
            answer: Mapping[str, Any] = await blob.commit_block_list(
                [BlobBlock(block_id=tag) for _, tag in parts],
                content_settings=ContentSettings(content_type=content_type),
                metadata=encode_metadata(metadata),
                **conditions,
            )
        except HttpResponseError as error:
            if error_code(error) != "InvalidBlockList":
                raise
            if put is None:
                raise BlocksDiscarded(
                    f"the parts of upload {upload_id} were discarded by another write of the key before "
                    "completion; nothing was written: upload the parts again"
                ) from error
            await self._check_replaced(name, put.before, overwrite=overwrite, error=error)
            answer = {}  # done, then replaced: that version never became readable
        if put is None:  # a manual upload: the sizes of its parts are the service's to tell
            stored = await self.head(name)
            if stored is None:
                raise ResourceNotFoundError(message=f"{name}: BlobNotFound")
            return stored
        del self._puts[upload_id]
        return StoredFile(
            key=name,
            size=sum(put.sizes.values()),
            content_type=content_type,
            etag=blob_etag(answer.get("etag")),
            last_modified=cast("datetime | None", answer.get("last_modified")),
            metadata=dict(metadata),
        )

    async def _check_replaced(self, name: str, before: str | None, *, overwrite: bool, error: Exception) -> None:
        # Our blocks are gone. Any write of the blob (commit, Put Blob, delete) made after
        # they were staged discards them, and they were staged after ``before`` was read:
        # a changed ETag proves such a write ended during this put.
        stored = await self.head(name)
        after = None if stored is None else stored.etag
        if after == before:
            raise BlocksDiscarded(
                "the blocks staged were discarded before the commit, and no other write of the key can be "
                "seen (another write followed by a delete, or blocks left uncommitted for a week); nothing "
                "was written: upload it again"
            ) from error
        if not overwrite and after is not None:
            raise ResourceExistsError(message=f"{name}: BlobAlreadyExists") from error

    async def abort_parts(self, name: str, upload_id: str) -> None:
        """Forget an upload: Azure has no request to discard uncommitted blocks (it drops them after a week)."""
        if self._puts.pop(upload_id, None) is None:
            self._aborted.add(upload_id)  # a manual upload: later parts and commits are refused

    # -- SupportsSignedUrls ----------------------------------------------------------------

    async def sign_url(  # noqa: D102
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        # content_type is checked by the engine but not bound: a SAS cannot bind it.
        public = self.config.public_base_url
        if method == "GET" and content_disposition is None and public:
            return public_url(public, name)
        container = self.container()
        expiry = datetime.now(timezone.utc) + expires_in
        query = await self._signer.sign(
            container, name, method=method, expiry=expiry, content_disposition=content_disposition
        )
        base = self._factory().url(name)
        return f"{base}{'&' if '?' in base else '?'}{query}"


async def _chunks(body: Any) -> AsyncIterator[bytes]:
    # The body of a Get Blob, as it arrives; a body left early releases its connection now.
    if body is None:
        return
    finished = False
    try:
        async for chunk in body:
            yield chunk
        finished = True
    finally:
        response = getattr(body, "response", None)
        if not finished and response is not None:
            result = response.close()
            if asyncio.iscoroutine(result):
                await result
