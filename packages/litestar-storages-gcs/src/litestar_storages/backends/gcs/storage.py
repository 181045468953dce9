"""``GCSStorage``: Google Cloud Storage through gcloud-aio-storage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import timedelta
from typing import Any, cast

import aiohttp
from gcloud.aio.storage import Storage as SDKStorage

from litestar_storages.backends.gcs._reading import download, fetch_info, list_objects, read_object
from litestar_storages.backends.gcs._urls import make_signer, object_url, upload_form
from litestar_storages.backends.gcs._writing import copy_object, delete_object, upload_object
from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.multipart import PendingUploads
from litestar_storages.backends.gcs.resources import stored_file
from litestar_storages.backends.gcs.signing import Signer
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.base import BaseStorage
from litestar_storages.exceptions import ConfigurationError, StorageFileNotFoundError
from litestar_storages.keys import join_key, validate_key
from litestar_storages.protocol import HttpMethod
from litestar_storages.ranges import validate_range
from litestar_storages.streams import PutData
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile, UploadForm

__all__ = ("GCSStorage",)

_DELETE_CONCURRENCY = 16


class GCSStorage(BaseStorage):
    """Google Cloud Storage backend on gcloud-aio-storage.

    One aiohttp session (with one connection pool) serves every request; it opens on
    first use and :meth:`close` (or leaving ``async with``) closes it. A closed storage
    reopens on its next request.

    Example:
        >>> storage = GCSStorage(GCSConfig(bucket="uploads", service_file="key.json"))
        >>> async with storage:  # doctest: +SKIP
        ...     await storage.put("photos/cat.jpg", data)
        ...     url = await storage.url("photos/cat.jpg")
    """

    __slots__ = ("_client", "_owns_client", "_prefix", "_signer", "_transport", "_uploads", "config")

    backend_name = "GCSStorage"

    def __init__(self, config: GCSConfig, *, client: SDKStorage | None = None) -> None:
        """Create the storage; no request is made and no session opened yet.

        Args:
            config: The bucket and credentials.
            client: A ready gcloud-aio-storage ``Storage`` to use (and share) instead of
                one built from ``config``; it is not closed by :meth:`close`.
                ``config.service_file`` and ``config.api_root`` are then ignored.

        Raises:
            ConfigurationError: If ``config`` is not a :class:`GCSConfig`.
        """
        if not isinstance(config, GCSConfig):
            raise ConfigurationError(f"GCSStorage takes a GCSConfig, got {type(config).__name__}", field="config")
        self.config = config
        self._prefix = config.normalized_prefix
        self._client = client
        self._owns_client = client is None
        self._transport: Transport | None = None
        self._signer: Signer | None = None
        self._uploads = PendingUploads()

    # -- connection ----------------------------------------------------------------------

    def _connect(self) -> Transport:
        # Built on first use, inside the event loop (aiohttp sessions belong to a loop).
        if self._transport is None:
            if self._client is None:
                session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
                self._client = SDKStorage(
                    service_file=_path(self.config.service_file),
                    # The SDK annotates sessions with requests' type (it is also built
                    # as the sync gcloud-rest); at run time it takes aiohttp's.
                    session=cast("Any", session),
                    api_root=self.config.api_root,
                )
            self._transport = Transport(self._client, timeout=self.config.timeout)
        return self._transport

    async def close(self) -> None:
        """Close the aiohttp session this storage opened; safe to call more than once.

        A client passed to the constructor is left open. The storage reopens on its
        next request.
        """
        client, self._client = self._client, None
        self._transport = None
        self._signer = None
        if client is None:
            return
        if not self._owns_client:
            self._client = client
            return
        await client.session.session.close()

    def _name(self, key: str) -> str:
        return join_key(self._prefix, validate_key(key))

    # -- writing -------------------------------------------------------------------------

    async def put(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        overwrite: bool = True,
        progress: ProgressCallback | None = None,
    ) -> StoredFile:
        """Store data at ``key``: one request when it fits ``chunk_size``, else chunked.

        Data smaller than ``config.chunk_size`` goes in one multipart upload (content
        and metadata together). Larger data and longer streams go through a resumable
        session, one ``chunk_size`` request at a time; if the stream fails, the session
        is cancelled and nothing is stored.

        Args:
            key: The object's key.
            data: Bytes, a sync or async iterable of bytes, or a file-like object.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata, stored as GCS object metadata.
            overwrite: When ``False``, fail if the key exists (``ifGenerationMatch=0``,
                atomic).
            progress: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageFileExistsError: If ``overwrite`` is false and the key exists.
            StorageValidationError: If the key, metadata or data is invalid.
            StorageError: If GCS failed; nothing is stored.
        """
        return await upload_object(
            self._connect,
            self.config,
            key=key,
            name=self._name(key),
            data=data,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            progress=progress,
        )

    # -- reading -------------------------------------------------------------------------

    async def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream the object's bytes (or a range of them) as GCS sends them.

        Args:
            key: The object's key.
            start: First byte to read (default 0).
            end: Byte after the last to read (default: end of object).
            progress: Sync or async callback receiving download progress.

        Yields:
            Chunks of the content, as they arrive.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
            InvalidRangeError: If the range is negative or inverted.
            StorageConnectionError: If the transfer is cut short.
        """
        name = self._name(key)
        first, last = validate_range(start, end, key=key)
        if last is not None and last <= first:
            await self.info(key)  # an empty range of a missing key still fails
            return
        transport = self._connect()
        async for chunk in download(
            transport, self.config, key=key, name=name, first=first, last=last, progress=progress
        ):
            yield chunk

    async def get_bytes(self, key: str, *, start: int | None = None, end: int | None = None) -> bytes:
        """Return the whole object (or a byte range of it) as bytes, in one request read at once.

        Args:
            key: The object's key.
            start: First byte to read (default 0).
            end: Byte after the last to read (default: end of object).

        Returns:
            The content.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
            InvalidRangeError: If the range is negative or inverted.
            StorageConnectionError: If the transfer is cut short.
        """
        # Not the default join of get()'s chunks: one read of the answer, without the
        # stream's generators, chunking and progress bookkeeping (a third of the CPU
        # of a small download).
        name = self._name(key)
        first, last = validate_range(start, end, key=key)
        if last is not None and last <= first:
            await self.info(key)  # an empty range of a missing key still fails
            return b""
        return await read_object(self._connect(), self.config, key=key, name=name, first=first, last=last)

    async def info(self, key: str) -> StoredFile:
        """Return the object's metadata without downloading it.

        Args:
            key: The object's key.

        Returns:
            Its size, content type, etag, update time and custom metadata.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
        """
        name = self._name(key)
        return await fetch_info(self._connect(), self.config, key=key, name=name)

    async def exists(self, key: str) -> bool:
        """Tell whether the object exists.

        Args:
            key: The object's key.

        Returns:
            ``True`` if it exists.
        """
        try:
            await self.info(key)
        except StorageFileNotFoundError:
            return False
        return True

    def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List objects whose keys start with ``prefix``, page by page, in key order.

        Args:
            prefix: Only keys starting with this string.
            limit: Stop after this many results (no further page is fetched).

        Returns:
            An async iterator of the metadata of each object, content type and custom
            metadata included; nothing is requested or checked before its first step.

        Raises:
            InvalidKeyError: If the prefix could never match a valid key.
            StorageValidationError: If ``limit`` is negative.
            ConfigurationError: If the bucket does not exist.
        """
        # The listing generator itself, not a generator re-yielding it: one suspension
        # per object instead of two. It checks its arguments on first iteration.
        return list_objects(self._connect, self.config, root=self._prefix, prefix=prefix, limit=limit)

    # -- deleting, copying ---------------------------------------------------------------

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete the object.

        Args:
            key: The object's key.
            missing_ok: Succeed silently when the key does not exist.

        Raises:
            StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false.
        """
        name = self._name(key)
        await delete_object(self._connect(), self.config, key=key, name=name, missing_ok=missing_ok)

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete several objects, a few requests at a time; missing keys are skipped.

        Every key is validated before anything is deleted.

        Args:
            keys: The keys to delete.

        Raises:
            InvalidKeyError: If any key is invalid (nothing is deleted then).
        """
        checked = [validate_key(key) for key in keys]
        limit = asyncio.Semaphore(_DELETE_CONCURRENCY)

        async def remove(key: str) -> None:
            async with limit:
                await self.delete(key, missing_ok=True)

        # Every delete finishes before the first error is raised: none is left running.
        outcomes = await asyncio.gather(*(remove(key) for key in checked), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy an object server-side (``rewrite``, repeated with its token until done).

        The copy keeps the content type and custom metadata; no byte goes through
        this process.

        Args:
            source: Key to copy from.
            destination: Key to copy to (replaced if it exists).

        Returns:
            Metadata of the copy.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
        """
        source_name = self._name(source)
        destination_name = self._name(destination)
        return await copy_object(
            self._connect(), self.config, source=source, destination=destination, names=(source_name, destination_name)
        )

    # -- URLs ----------------------------------------------------------------------------

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Return a V4 signed URL (or a plain one with ``public_base_url``).

        Signing is local with a service-account key; with Application Default
        Credentials it goes through the IAM ``signBlob`` API (one request).

        Args:
            key: The object's key (its existence is not checked).
            expires_in: Validity; ``config.presigned_expiry`` when omitted (max 7 days).
            method: ``"GET"`` to download, ``"PUT"`` to upload.
            filename: For GET: the name a browser saves the download as.
            content_type: For PUT: the Content-Type the uploader must send (signed).

        Returns:
            The URL.

        Raises:
            ConfigurationError: If no credentials can sign.
            StorageValidationError: If ``expires_in`` is out of range or ``method`` unknown.
        """
        return await object_url(
            self._connect,
            self.config,
            self._get_signer,
            key=key,
            name=self._name(key),
            expires_in=expires_in,
            method=method,
            filename=filename,
            content_type=content_type,
        )

    async def upload_form(
        self,
        key: str,
        *,
        max_size: int,
        min_size: int = 0,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        expires_in: timedelta | None = None,
    ) -> UploadForm:
        """Return a signed browser upload form (V4 POST policy) for one key.

        GCS itself enforces the policy: the size limit (``content-length-range``), the
        key and, when given, the content type and metadata; so a browser can upload
        straight to the bucket without the app trusting it. Same signature as the S3
        backend's.

        Args:
            key: The key the upload will have.
            max_size: Largest accepted file, in bytes.
            min_size: Smallest accepted file, in bytes.
            content_type: The Content-Type the upload must declare (a form field).
            metadata: Custom metadata the object will have (signed form fields).
            expires_in: Validity of the form; ``config.presigned_expiry`` when omitted.

        Returns:
            The URL to POST to, the fields to send before the ``file`` field, and the
            form's expiry time.

        Raises:
            StorageValidationError: If ``max_size`` or ``expires_in`` is out of range.
            ConfigurationError: If no credentials can sign.
        """
        return await upload_form(
            self._connect,
            self.config,
            self._get_signer,
            key=key,
            name=self._name(key),
            max_size=max_size,
            min_size=min_size,
            content_type=content_type,
            metadata=metadata,
            expires_in=expires_in,
        )

    async def _get_signer(self) -> Signer:
        if self._signer is None:
            self._signer = make_signer(self._connect(), self.config)
        return self._signer

    # -- manual multipart ----------------------------------------------------------------

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin an upload in parts, on a GCS resumable session.

        Parts must be uploaded in order (1, 2, 3...); each is sent as it arrives, so
        memory holds one part at a time.

        Args:
            key: The key the object will have.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Nominal size of each part (any size works).

        Returns:
            The upload's state; its ``upload_id`` is the session URL.
        """
        return await self._uploads.start(
            self._connect,
            self.config,
            key=key,
            name=self._name(key),
            content_type=content_type,
            metadata=metadata,
            part_size=part_size,
        )

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Upload the next part.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
            part_number: The part's 1-based position; parts come in order.
            data: The part's bytes.

        Returns:
            The part's tag.
        """
        return await self._uploads.upload_part(upload, part_number, data)

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Complete the object from the parts uploaded.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored object.
        """
        return stored_file(await self._uploads.complete(upload), upload.key)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Cancel the upload; nothing is stored.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
        """
        await self._uploads.abort(upload)


def _path(value: object) -> str | None:
    return None if value is None else str(value)
