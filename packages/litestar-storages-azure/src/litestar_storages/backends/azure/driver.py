"""``AzureDriver``: the engine's primitives on Azure Blob Storage, one SDK request each.

Get Blob, Get Blob Properties, Put Blob and Delete Blob go through the SDK's generated
operations (``_sdk.py``); the rest through the public ``ContainerClient``. Parts are
staged blocks of the final blob, committed by one Put Block List.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import IO, TYPE_CHECKING, Any, cast

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import BlobBlock, ContentSettings
from azure.storage.blob.aio import BlobPrefix
from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.backends.azure._sdk import BlobOperationsFactory, BlobRequests
from litestar_storages.backends.azure.client import build_client
from litestar_storages.backends.azure.config import MAX_BLOCK_SIZE, AzureConfig
from litestar_storages.backends.azure.errors import BACKEND, MAPPER, BlocksDiscarded, error_code, no_container
from litestar_storages.backends.azure.properties import (
    ATTRIBUTE_NAMES,
    attribute_headers,
    blob_etag,
    encode_metadata,
    file_from_headers,
    file_from_properties,
    http_date,
)
from litestar_storages.backends.azure.sas import SasSigner
from litestar_storages.bodies import SlicedBody, sliced_body
from litestar_storages.concurrency import run_all
from litestar_storages.driver_errors import DriverError, RefusedArgument
from litestar_storages.engine import DirPage, ListPage, RangeBody, utf16_order
from litestar_storages.exceptions import StorageError
from litestar_storages.ranges import parse_content_range
from litestar_storages.retry import request_retry
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobClient, ContainerClient
    from litestar_storages.protocol import HttpMethod

__all__ = ("MAX_BLOCKS", "AzureDriver", "wait_for_copy")

MAX_BLOCKS = 50_000
"""Most committed blocks a block blob may have."""


# No "tags": asking for them costs 12 % more client CPU per listed blob (the SDK's
# parsing, measured on Azurite), paid by every listing; info() reports them.
_LISTED = ["metadata"]


@dataclass
class _PutParts:
    """A put in blocks: its blob's client, the blob's ETag before staging, the sizes staged."""

    blob: BlobClient
    before: str | None
    sizes: dict[int, int] = field(default_factory=dict)


class AzureDriver:
    """Primitives over one container, with parts (blocks), signed URLs, batched deletes and folder listing.

    A ``ContainerClient`` built from the config is created on first use, reused, and
    closed by :meth:`close` (the next request opens a new one); one passed in is never closed.
    """

    name = BACKEND
    errors = MAPPER
    max_part_size = MAX_BLOCK_SIZE
    max_parts = MAX_BLOCKS
    durable_parts = True  # blocks are staged in the service (SupportsDurableParts)
    max_batch = 256  # Blob Batch's limit; Azurite refuses Blob Batch, so a batch is concurrent deletes
    url_methods: frozenset[HttpMethod] = frozenset({"GET", "PUT"})
    attribute_names = ATTRIBUTE_NAMES

    def __init__(self, config: AzureConfig, client: ContainerClient | None = None) -> None:
        """Create the driver over ``client``, or over one built from ``config`` on first use."""
        self.config = config
        self.retry = config.retry or request_retry()
        self.part_size = config.block_size
        self.max_concurrency = config.max_concurrency
        self.default_url_expiry: timedelta = config.presigned_expiry
        self.public_base_url = config.public_base_url  # GET URLs without a filename: unsigned (SupportsPublicUrls)
        self._client = client
        self._owns_client = client is None
        self._owned_credential: Any = None
        self._operations: BlobOperationsFactory | None = None
        self._signer = SasSigner(config.account_key)
        self._puts: dict[str, _PutParts] = {}
        self._aborted: set[str] = set()

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

    async def head(self, name: str, *, tags: bool = True) -> StoredFile | None:  # noqa: D102
        try:
            headers = await self._requests(name).get_properties()
        except ResourceNotFoundError as error:
            if no_container(error):
                raise
            return None
        # Tags are not in the answer: one more request, only for a blob that has some.
        tagged = tags and headers.get("x-ms-tag-count", "0") != "0"
        stored_tags = await self._blob(name).get_blob_tags() if tagged else None
        return file_from_headers(name, headers, int(headers.get("Content-Length") or 0), stored_tags)

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        # Never an empty range; one starting past the end (416) is answered by the engine.
        # Without a range an empty blob answers 200; "bytes=0-" would be refused with 416.
        byte_range = None if start == 0 and end is None else f"bytes={start}-{'' if end is None else end - 1}"
        body, headers = await self._requests(name).download(byte_range)
        length = int(headers.get("Content-Length") or 0)
        first, size = parse_content_range(headers.get("Content-Range"), length)
        return RangeBody(file_from_headers(name, headers, size), first, first + length, _chunks(body))

    async def _existing(self, name: str) -> StoredFile:
        stored = await self.head(name)
        if stored is None:
            raise ResourceNotFoundError(message=f"{name}: BlobNotFound")
        return stored

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
        # The headers upload_blob() would send, without its BlobClient, models and deserialized answer.
        headers = {"x-ms-blob-content-type": content_type, **attribute_headers(attributes)}
        headers.update({f"x-ms-meta-{key}": value for key, value in encode_metadata(metadata).items()})
        if not overwrite:
            headers["If-None-Match"] = "*"
        size = memoryview(body).nbytes
        answer = await self._requests(name).put(cast("bytes | IO[bytes]", sliced_body(body)), size, headers)
        return StoredFile(
            key=name,
            size=size,
            content_type=content_type,
            etag=blob_etag(answer.get("ETag")),
            last_modified=http_date(answer.get("Last-Modified")),
            metadata=dict(metadata),
            attributes=attributes,
        )

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        try:
            await self._requests(name).delete()
        except ResourceNotFoundError as error:
            if no_container(error):
                raise
            return False
        return True

    async def delete_batch(self, names: Sequence[str]) -> None:
        """Delete up to :attr:`max_batch` blobs, ``max_concurrency`` requests at a time; missing ones are skipped."""
        await run_all(
            lambda name: self.delete(name, check=False), dict.fromkeys(names), limit=self.max_concurrency, errors=MAPPER
        )

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        files, _, next_token = await self._list(prefix, token, page_size, None)
        return ListPage(files, next_token)

    async def list_stream(self, prefix: str, limit: int | None) -> AsyncIterator[list[StoredFile]]:  # noqa: D102
        # One pager, as the SDK's own callers use it: pages of up to list_page_size (5,000
        # by default, Azure's most) where the engine's hold 1,000; 2 requests for 10,000 blobs.
        size = self.config.list_page_size if limit is None else min(limit, self.config.list_page_size)
        blobs = self.container().list_blobs(name_starts_with=prefix or None, include=_LISTED, results_per_page=size)
        async for page in blobs.by_page():
            yield [file_from_properties(item) async for item in page]

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:  # noqa: D102
        return DirPage(*await self._list(prefix, token, page_size, "/"), order=utf16_order)  # Azure's name order

    async def _list(
        self, prefix: str, token: str | None, page_size: int, delimiter: str | None
    ) -> tuple[list[StoredFile], list[str], str | None]:
        container, size = self.container(), min(page_size, self.config.list_page_size)
        options: dict[str, Any] = {"name_starts_with": prefix or None, "include": _LISTED}
        options["results_per_page"] = size
        # walk_blobs: List Blobs with a delimiter, its common prefixes given as BlobPrefix items.
        blobs = container.walk_blobs(delimiter=delimiter, **options) if delimiter else container.list_blobs(**options)
        pages = blobs.by_page(continuation_token=token)
        files: list[StoredFile] = []
        folders: list[str] = []
        async for item in await anext(pages):
            if isinstance(item, BlobPrefix):
                folders.append(item.name)
            else:
                files.append(file_from_properties(item))
        return files, folders, pages.continuation_token or None  # type: ignore[attr-defined]

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        # Copy Blob keeps content settings and metadata; tags, tier and scope are sent again.
        stored = await self._existing(source)
        headers = attribute_headers(stored.attributes)
        source_url, sync = self._factory().url(source), "x-ms-encryption-scope" in headers
        if sync:  # only the synchronous Copy Blob From URL takes a scope (up to 256 MiB); it reads through a SAS
            source_url = await self.sign_url(
                source, method="GET", expires_in=timedelta(minutes=15), content_disposition=None, content_type=None
            )
        target = self._blob(destination)
        answer: Any = await target.start_copy_from_url(source_url, headers=headers, requires_sync=sync)
        if answer.get("copy_status") == "pending":  # Azure usually copies within one account before answering
            answer = await wait_for_copy(target.get_blob_properties, key=destination)  # its properties
        etag, modified = blob_etag(answer.get("etag")), answer.get("last_modified")
        return dataclasses.replace(stored, key=destination, etag=etag, last_modified=modified)

    async def begin_parts(
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        """Start a manual multipart upload: no request (Azure has no upload session), a fresh upload id."""
        attribute_headers(attributes)  # refused now rather than at the commit
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
        """Start the blocks of a put: read the blob's ETag (one HEAD) for :meth:`commit_parts`; refuse if it exists."""
        attribute_headers(attributes)  # refused before any request
        stored = await self.head(name, tags=False)
        if stored is not None and not overwrite:
            raise ResourceExistsError(message=f"{name}: BlobAlreadyExists")
        upload_id = uuid.uuid4().hex
        self._puts[upload_id] = _PutParts(self._blob(name), None if stored is None else stored.etag)
        return upload_id

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        if upload_id in self._aborted:
            raise DriverError(f"multipart upload {upload_id} was aborted")
        block_id = _block_id(upload_id, number)
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
        it does not use, so of two puts staging blocks at once the first to commit
        discards the other's, whose commit fails with ``InvalidBlockList``. That put
        still succeeds when the blob's ETag changed since its blocks began (another write
        completed meanwhile: "last writer wins", its ``etag`` is then ``None``); otherwise,
        and for a manual upload, it is a :class:`~litestar_storages.exceptions.ConcurrentWriteError`.
        """
        if upload_id in self._aborted:
            raise DriverError(f"multipart upload {upload_id} was aborted")
        # Azure commits any staged block, twice too: a tag not of its part would store wrong bytes.
        forged = next((number for number, tag in parts if tag != _block_id(upload_id, number)), None)
        if forged is not None:
            raise RefusedArgument(f"part {forged} of {name!r} has a tag this upload did not give it")
        put = self._puts.get(upload_id)
        blob = self._blob(name) if put is None else put.blob
        conditions: dict[str, Any] = {} if overwrite else {"match_condition": MatchConditions.IfMissing}
        try:
            answer: Mapping[str, Any] = await blob.commit_block_list(
                [BlobBlock(block_id=tag) for _, tag in parts],
                content_settings=ContentSettings(content_type=content_type),
                metadata=encode_metadata(metadata),
                headers=attribute_headers(attributes),
                **conditions,
            )
        except HttpResponseError as error:
            if error_code(error) != "InvalidBlockList":
                raise
            await self._check_replaced(name, put, overwrite=overwrite, error=error)
            answer = {}  # done, then replaced: that version never became readable
        if put is None:  # a manual upload: the sizes of its parts are the service's to tell
            return await self._existing(name)
        del self._puts[upload_id]
        return StoredFile(
            key=name,
            size=sum(put.sizes.values()),
            content_type=content_type,
            etag=blob_etag(answer.get("etag")),
            last_modified=cast("datetime | None", answer.get("last_modified")),
            metadata=dict(metadata),
            attributes=attributes,
        )

    async def _check_replaced(self, name: str, put: _PutParts | None, *, overwrite: bool, error: Exception) -> None:
        # Our blocks are gone. Any write of the blob made after they were staged discards
        # them, and they were staged after ``put.before`` was read: a changed ETag proves
        # that such a write ended during this put.
        stored = None if put is None else await self.head(name, tags=False)
        if put is None or (None if stored is None else stored.etag) == put.before:
            message = "the staged blocks were discarded by another write of the key; nothing was written: upload again"
            raise BlocksDiscarded(message) from error
        if not overwrite and stored is not None:
            raise ResourceExistsError(message=f"{name}: BlobAlreadyExists") from error

    async def abort_parts(self, name: str, upload_id: str) -> None:
        """Forget an upload: Azure has no request to discard uncommitted blocks (it drops them after a week)."""
        if self._puts.pop(upload_id, None) is None:
            self._aborted.add(upload_id)  # a manual upload: later parts and commits are refused

    async def sign_url(  # noqa: D102
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,  # checked by the engine, not bound: a SAS cannot bind it
    ) -> str:
        expiry = datetime.now(timezone.utc) + expires_in
        query = await self._signer.sign(
            self.container(), name, method=method, expiry=expiry, content_disposition=content_disposition
        )
        base = self._factory().url(name)
        return f"{base}{'&' if '?' in base else '?'}{query}"


async def wait_for_copy(
    get_properties: Callable[[], Awaitable[Any]], *, key: str, first_delay: float = 0.05, max_delay: float = 1.0
) -> Any:
    """Poll a pending copy's destination (``get_properties``) until it is done; return its properties.

    Raises:
        StorageError: If the copy failed or was aborted.
    """
    delay = first_delay
    while True:
        await asyncio.sleep(delay)
        properties = await get_properties()
        status = properties.copy.status
        if status in (None, "success"):
            return properties
        if status != "pending":
            reason = properties.copy.status_description or "no reason given"
            raise StorageError(f"{BACKEND}: server-side copy to {key!r} {status}: {reason}", key=key)
        delay = min(max_delay, delay * 2)


async def _chunks(body: Any) -> AsyncIterator[bytes]:
    # The body of a Get Blob, as it arrives; a body left early releases its connection now.
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


def _block_id(upload_id: str, number: int) -> str:
    # All of one length (Azure requires it per blob), none reused by a concurrent upload.
    return f"{upload_id}{number:06d}"
