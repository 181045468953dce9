"""``GCSDriver``: the engine's primitives, one GCS JSON API request each (parts: ``resumable.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

import aiohttp
from gcloud.aio.storage import Storage as SDKStorage

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.backends.gcs._sdk import Transport, sdk_fields
from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.errors import GCS_ERRORS, NO_BUCKET, TABLE
from litestar_storages.backends.gcs.resources import (
    ATTRIBUTES,
    attribute_request,
    copy_request,
    media_file,
    stored_file,
)
from litestar_storages.backends.gcs.resumable import ResumableUpload
from litestar_storages.backends.gcs.signing import GOOGLE_STORAGE_HOST, Signer, make_signer, sign_post_policy, sign_url
from litestar_storages.bodies import sliced_body
from litestar_storages.concurrency import run_all
from litestar_storages.driver_errors import DriverError
from litestar_storages.engine import DirPage, ListPage, RangeBody, whole_body
from litestar_storages.parts import MAX_PART_NUMBER
from litestar_storages.protocol import HttpMethod
from litestar_storages.streams import DEFAULT_CHUNK_SIZE
from litestar_storages.types import StoredFile, UploadForm
from litestar_storages.upload_sessions import UploadSessions

__all__ = ("GCSDriver", "Transport")  # Transport is documented here (_sdk is private)

# Partial answers: only what a StoredFile needs (GCS then sends, and this process
# parses, a third of each resource: no ACLs or links); fake-gcs-server ignores them.
_OBJECT_FIELDS = (
    "name,size,contentType,etag,md5Hash,generation,updated,timeCreated,metadata,cacheControl,contentDisposition,"
    "contentEncoding,contentLanguage,storageClass,kmsKeyName,customerEncryption"
)
_INFO = {"alt": "json", "fields": _OBJECT_FIELDS}
_ITEMS = "items(name,size,contentType,etag,md5Hash,generation,updated,metadata)"
_LIST_FIELDS = f"{_ITEMS},nextPageToken"
_DIR_FIELDS = f"{_ITEMS},prefixes,nextPageToken"
_MEDIA = {"alt": "media"}
_GZIP = {"Accept-Encoding": "gzip"}
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
        "public_base_url",
        "retry",
    )

    name = "GCSStorage"
    errors = GCS_ERRORS
    attribute_names = ATTRIBUTES
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
        self.public_base_url = config.public_base_url  # GET URLs without a filename: unsigned (SupportsPublicUrls)
        self._client = client
        self._owns_client = client is None
        self._transport: Transport | None = None
        self._signer: Signer | None = None
        self._uploads: UploadSessions[ResumableUpload] = UploadSessions()

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

    async def head(self, name: str) -> StoredFile | None:  # noqa: D102 - documented by the Driver protocol
        # Our request rather than the SDK's download_metadata(): that one cannot ask for
        # a partial answer, and decodes the body to text before parsing it.
        transport = self.connect()
        url = transport.object_url(self.config.bucket, name)
        resource = await TABLE.absent(transport.json("GET", url, params=_INFO))
        return None if resource is None else stored_file(resource, name)

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        # Never an empty range; one starting past the end (416) is answered by the engine.
        transport = self.connect()
        # Accepting gzip, undecoded: GCS then serves an object stored gzip-encoded as it
        # is, and honours the range (it would decompress it for a client that does not).
        last = "" if end is None else end - 1
        headers = _GZIP if not start and end is None else {**_GZIP, "Range": f"bytes={start}-{last}"}
        url = transport.object_url(self.config.bucket, name)
        response = await transport.request("GET", url, headers=headers, params=_MEDIA, decompress=False)
        file, first, stop = media_file(name, response.status, response.headers)
        if stop - first <= _WHOLE_BODY:  # one read: cheaper than driving a chunk stream
            async with response:
                return whole_body(file, first, stop, await response.read())
        return RangeBody(file, first, stop, _stream(response))

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
        fields, params = attribute_request(attributes)
        if not metadata and overwrite and attributes is NO_ATTRIBUTES:
            # Nothing but the bytes and their type: a media upload, the cheapest request,
            # sent through the SDK's session directly (its upload() copies the bytes into
            # a BytesIO). Not for overwrite=False: fake-gcs-server honours
            # ifGenerationMatch on multipart uploads only.
            resource = await transport.json(
                "POST",
                transport.upload_url(bucket),
                headers={"Content-Type": content_type, "Content-Length": str(len(body))},
                params={"uploadType": "media", "name": name, "fields": _OBJECT_FIELDS},
                data=sliced_body(body),
            )
        else:
            # A multipart upload carries the metadata and attributes; ifGenerationMatch=0 is honoured on it everywhere.
            resource = await transport.client.upload(
                bucket,
                name,
                body if isinstance(body, bytes) else bytes(body),  # the SDK takes bytes only
                content_type=content_type,
                metadata=sdk_fields({**fields, "metadata": dict(metadata)}),
                parameters={**params, "fields": _OBJECT_FIELDS, **({} if overwrite else {"ifGenerationMatch": "0"})},
                force_resumable_upload=False,
                timeout=transport.timeout,
            )
        return stored_file(resource, name)

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        transport = self.connect()
        # One request either way: GCS answers 404 for a missing object.
        deleted = await TABLE.absent(transport.client.delete(self.config.bucket, name, timeout=transport.timeout))
        return deleted is not None

    async def delete_batch(self, names: Sequence[str]) -> None:  # noqa: D102 - documented by SupportsBatchDelete
        # One object per request: a batch is that many requests at once, each error naming its object.
        await run_all(lambda name: self.delete(name, check=False), names, limit=self.max_batch, errors=GCS_ERRORS)

    async def _list(self, params: dict[str, str], token: str | None, page_size: int) -> tuple[list[StoredFile], Any]:
        transport = self.connect()
        params["maxResults"] = str(min(page_size, self.config.list_page_size))
        if token is not None:
            params["pageToken"] = token
        with TABLE.meaning(404, NO_BUCKET):
            page = await transport.client.list_objects(self.config.bucket, params=params, timeout=transport.timeout)
        items: list[dict[str, Any]] = page.get("items") or []
        return [stored_file(item, item["name"], attributes=False) for item in items], page

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        files, page = await self._list({"prefix": prefix, "fields": _LIST_FIELDS}, token, page_size)
        return ListPage(files, page.get("nextPageToken") or None)

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:  # noqa: D102
        params = {"prefix": prefix, "delimiter": "/", "fields": _DIR_FIELDS}
        files, page = await self._list(params, token, page_size)
        return DirPage(files, sorted(page.get("prefixes") or ()), page.get("nextPageToken") or None)

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        transport = self.connect()
        bucket = self.config.bucket
        # The source's properties first: a rewrite alone would give the copy the bucket's
        # default storage class and key. The SDK repeats the rewrite until GCS is done.
        body, params = copy_request(await transport.json("GET", transport.object_url(bucket, source), params=_INFO))
        answer = await transport.client.copy(
            bucket,
            source,
            bucket,
            new_name=destination,
            metadata=sdk_fields(body),
            params=params,
            timeout=transport.timeout,
        )
        resource = answer.get("resource")
        if not isinstance(resource, dict):
            raise DriverError("GCS did not finish the copy")
        return stored_file(resource, destination)

    async def close(self) -> None:
        """Close the session this driver opened (a client passed in stays open); it reopens on its next request."""
        client, self._transport, self._signer = self._client, None, None
        if client is not None and self._owns_client:
            self._client = None
            await client.session.session.close()

    # -- SupportsParts, SupportsPutParts: on resumable sessions ---------------------------

    async def begin_put_parts(  # noqa: D102
        self,
        name: str,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> str:
        fields, params = attribute_request(attributes)
        resource = {"name": name, "contentType": content_type, "metadata": dict(metadata), **fields}
        session = await ResumableUpload.start(
            self.connect(),
            self.config.bucket,
            resource,
            {**params, **({} if overwrite else {"ifGenerationMatch": "0"})},
        )
        return self._uploads.add(session.session_uri, session)

    async def begin_parts(  # noqa: D102
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        return await self.begin_put_parts(
            name, content_type=content_type, metadata=metadata, overwrite=True, attributes=attributes
        )

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        return await self._uploads.get(upload_id).put_part(number, body)

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
        resource = await self._uploads.get(upload_id).commit(parts)
        self._uploads.pop(upload_id)
        return stored_file(resource, name)

    async def abort_parts(self, name: str, upload_id: str) -> None:  # noqa: D102
        session = self._uploads.pop(upload_id)
        if session is not None:
            await session.cancel()

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
        signer, base_url = self._signing()
        return await sign_url(
            signer,
            method=method,
            base_url=base_url,
            bucket=self.config.bucket,
            name=name,
            expires_in=expires_in,
            content_disposition=content_disposition,
            content_type=content_type,
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
