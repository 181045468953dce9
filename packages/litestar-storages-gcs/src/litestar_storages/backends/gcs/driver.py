"""``GCSDriver``: the engine's primitives, one GCS request each (resumable uploads aside).

Every method raises the SDK's (aiohttp's) own errors; the engine calls it inside the
error table (``errors.py``) and retries it per ``GCSConfig.retry``. Long uploads are
streamed through a resumable session (``SupportsStreamWrite``: GCS has no parts to send
in parallel), the manual multipart API runs on such sessions (``SupportsParts``, parts
in order), and URLs and POST policies are V4-signed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

import aiohttp
from gcloud.aio.storage import Storage as SDKStorage

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.errors import GCS_ERRORS, GCSDriverError, absent, listing_errors
from litestar_storages.backends.gcs.multipart import PendingUploads
from litestar_storages.backends.gcs.resources import LIST_FIELDS, OBJECT_FIELDS, media_file, stored_file
from litestar_storages.backends.gcs.resumable import ResumableUpload, send_stream
from litestar_storages.backends.gcs.signing import (
    GOOGLE_STORAGE_HOST,
    Signer,
    make_signer,
    sign_post_policy,
    sign_url,
)
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.bodies import sliced_body
from litestar_storages.engine import ListPage, RangeBody, whole_body
from litestar_storages.parts import MAX_PART_NUMBER
from litestar_storages.protocol import HttpMethod
from litestar_storages.public_urls import public_url
from litestar_storages.streams import DEFAULT_CHUNK_SIZE
from litestar_storages.types import StoredFile, UploadForm

__all__ = ("GCSDriver",)

_INFO = {"alt": "json", "fields": OBJECT_FIELDS}
"""A partial answer: only what a ``StoredFile`` needs (GCS would send ACLs and links too)."""
_MEDIA = {"alt": "media"}
_RANGE_NOT_SATISFIABLE = 416
_WHOLE_BODY = 256 * 1024
"""Bodies up to this size are read in one call rather than streamed."""


class GCSDriver:
    """Google Cloud Storage through gcloud-aio-storage, on one aiohttp session opened on first use."""

    __slots__ = (
        "_client",
        "_owns_client",
        "_signer",
        "_transport",
        "_uploads",
        "config",
        "default_url_expiry",
        "part_size",
        "retry",
    )

    name = "GCSStorage"
    errors = GCS_ERRORS
    url_methods: frozenset[HttpMethod] = frozenset({"GET", "PUT"})
    max_concurrency = 1
    """A resumable session takes its parts in order, one at a time."""
    max_part_size = 5 * 1024**4
    """GCS's largest object: a part may be anything up to it."""
    max_parts = MAX_PART_NUMBER
    max_batch = 16
    """Deletes of ``delete_many`` in flight at once."""

    def __init__(self, config: GCSConfig, *, client: SDKStorage | None = None) -> None:
        """Create the driver over ``client`` (shared, never closed here) or one built on first use."""
        self.config = config
        self.retry = config.retry
        self.part_size = config.chunk_size
        self.default_url_expiry = config.presigned_expiry
        self._client = client
        self._owns_client = client is None
        self._transport: Transport | None = None
        self._signer: Signer | None = None
        self._uploads = PendingUploads()

    def connect(self) -> Transport:
        """Return the transport, building the client on first use (inside the loop the session belongs to)."""
        if self._transport is None:
            if self._client is None:
                session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
                service_file = self.config.service_file
                self._client = SDKStorage(
                    service_file=None if service_file is None else str(service_file),
                    # The SDK annotates sessions with requests' type (it is also built as
                    # the sync gcloud-rest); at run time it takes aiohttp's.
                    session=cast("Any", session),
                    api_root=self.config.api_root,
                )
            self._transport = Transport(self._client, timeout=self.config.timeout)
        return self._transport

    def _url(self, name: str) -> str:
        return self.connect().object_url(self.config.bucket, name)

    async def head(self, name: str) -> StoredFile | None:  # noqa: D102 - documented by the Driver protocol
        # Our request rather than the SDK's download_metadata(): that one cannot ask for
        # a partial answer, and decodes the body to text before parsing it.
        resource = await absent(self.connect().json("GET", self._url(name), params=_INFO))
        return None if resource is None else stored_file(resource, name)

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        transport = self.connect()
        url = transport.object_url(self.config.bucket, name)
        if end is None or end > start:
            last = "" if end is None else end - 1
            headers = None if not start and end is None else {"Range": f"bytes={start}-{last}"}
            response = await absent(
                transport.request("GET", url, headers=headers, params=_MEDIA), _RANGE_NOT_SATISFIABLE
            )
            if response is not None:
                file, first, stop = media_file(name, response.status, response.headers)
                if stop - first <= _WHOLE_BODY:
                    # One read for a small body: cheaper than driving a chunk stream.
                    async with response:
                        return whole_body(file, first, stop, await response.read())
                return RangeBody(file, first, stop, _stream(response))
        # An empty range, or one starting past the end (416): nothing to read, but a
        # missing object must still raise.
        file = stored_file(await transport.json("GET", url, params=_INFO), name)
        at = min(start, file.size)
        return whole_body(file, at, at, b"")

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
        transport = self.connect()
        bucket = self.config.bucket
        if not metadata and overwrite:
            # Nothing but the bytes and their type: a simple media upload, the cheapest
            # request, sent through the SDK's session directly (its upload() wraps the
            # bytes in a BytesIO and builds headers for nothing a media upload needs).
            # Not for overwrite=False: fake-gcs-server honours ifGenerationMatch on
            # multipart uploads only, and the check must hold there too.
            resource = await transport.json(
                "POST",
                transport.upload_url(bucket),
                headers={"Content-Type": content_type, "Content-Length": str(len(body))},
                params={"uploadType": "media", "name": name, "fields": OBJECT_FIELDS},
                data=sliced_body(body),
            )
        else:
            # A multipart upload: it carries the metadata, and ifGenerationMatch=0 is
            # honoured on it by GCS and by fake-gcs-server alike.
            resource = await transport.client.upload(
                bucket,
                name,
                body if isinstance(body, bytes) else bytes(body),  # the SDK takes bytes only
                content_type=content_type,
                metadata={"metadata": dict(metadata)},
                parameters={} if overwrite else {"ifGenerationMatch": "0"},
                force_resumable_upload=False,
                timeout=transport.timeout,
            )
        return stored_file(resource, name)

    async def write_stream(  # noqa: D102 - documented by SupportsStreamWrite
        self,
        name: str,
        chunks: AsyncIterator[bytes],
        *,
        size: int | None,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        session = await ResumableUpload.start(
            self.connect(),
            self.config.bucket,
            name,
            content_type=content_type,
            metadata=metadata,
            if_generation_match=None if overwrite else 0,
            retry=self.retry,
        )
        try:
            resource = await send_stream(session, chunks, self.part_size)
        except BaseException:
            await session.cancel()  # nothing is stored; a previous version stays
            raise
        return stored_file(resource, name)

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        transport = self.connect()
        # One request either way: GCS answers 404 for a missing object.
        deleted = await absent(transport.client.delete(self.config.bucket, name, timeout=transport.timeout))
        return deleted is not None

    async def delete_batch(self, names: Sequence[str]) -> None:  # noqa: D102 - documented by SupportsBatchDelete
        # GCS deletes one object per request: a batch is that many requests at once, all
        # finished before the first error is raised (none is left running).
        outcomes = await asyncio.gather(*(self.delete(name, check=False) for name in names), return_exceptions=True)
        for name, outcome in zip(names, outcomes, strict=True):
            if isinstance(outcome, GCS_ERRORS.owns):
                # Named here: the engine knows no single key for a batch.
                raise GCS_ERRORS.translate(outcome, name) from outcome  # type: ignore[arg-type]
            if isinstance(outcome, BaseException):
                raise outcome

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        transport = self.connect()
        size = min(page_size, self.config.list_page_size)
        params = {"prefix": prefix, "fields": LIST_FIELDS, "maxResults": str(size)}
        if token is not None:
            params["pageToken"] = token
        with listing_errors(self.config.bucket):
            page = await transport.client.list_objects(self.config.bucket, params=params, timeout=transport.timeout)
        items: list[dict[str, Any]] = page.get("items") or []
        return ListPage([stored_file(item, item["name"]) for item in items], page.get("nextPageToken") or None)

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        transport = self.connect()
        bucket = self.config.bucket
        # A rewrite, which the SDK repeats with GCS's rewrite token until it is done.
        answer = await transport.client.copy(
            bucket, source, bucket, new_name=destination, params={}, timeout=transport.timeout
        )
        resource = answer.get("resource")
        if not isinstance(resource, dict):
            raise GCSDriverError("GCS did not finish the copy")
        return stored_file(resource, destination)

    async def close(self) -> None:
        """Close the session this driver opened (a client passed in stays open); it reopens on its next request."""
        client, self._client = self._client, None
        self._transport = None
        self._signer = None
        if client is None:
            return
        if not self._owns_client:
            self._client = client
            return
        await client.session.session.close()

    # -- SupportsParts: the manual multipart API, on resumable sessions -------------------

    async def begin_parts(  # noqa: D102
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        return await self._uploads.begin(
            self.connect(), self.config.bucket, name, content_type=content_type, metadata=metadata
        )

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        return await self._uploads.put(upload_id, number, body)

    async def commit_parts(  # noqa: D102
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
        return stored_file(await self._uploads.commit(upload_id, parts), name)

    async def abort_parts(self, name: str, upload_id: str) -> None:  # noqa: D102
        await self._uploads.abort(upload_id)

    # -- SupportsSignedUrls, SupportsUploadForm: V4 signatures ----------------------------

    def _signing(self) -> tuple[Signer, str]:
        transport = self.connect()
        if self._signer is None:
            self._signer = make_signer(transport, self.config.service_account_email)
        return self._signer, transport.api_root if transport.emulated else GOOGLE_STORAGE_HOST

    async def sign_url(  # noqa: D102
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        public = self.config.public_base_url
        if method == "GET" and public and content_disposition is None:
            return public_url(public, name)
        signer, base_url = self._signing()
        return await sign_url(
            signer,
            method=method,
            base_url=base_url,
            bucket=self.config.bucket,
            name=name,
            expires_in=expires_in,
            query={} if content_disposition is None else {"response-content-disposition": content_disposition},
            headers={} if content_type is None else {"content-type": content_type},
        )

    async def sign_upload_form(  # noqa: D102
        self,
        name: str,
        *,
        expires_in: timedelta,
        content_type: str | None,
        metadata: Mapping[str, str],
        max_size: int | None,
        min_size: int,
    ) -> UploadForm:
        signer, base_url = self._signing()
        return await sign_post_policy(
            signer,
            base_url=base_url,
            bucket=self.config.bucket,
            name=name,
            expires_in=expires_in,
            max_size=max_size,
            min_size=min_size,
            content_type=content_type,
            metadata=metadata,
        )


async def _stream(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    async with response:  # released when the reader stops early too (the engine closes this)
        while chunk := await response.content.read(DEFAULT_CHUNK_SIZE):
            yield chunk
