"""``S3Storage``: the storage API over Amazon S3 and S3-compatible services."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import aclosing
from datetime import timedelta
from typing import TYPE_CHECKING

from litestar_storages.backends.s3 import copying, listing, manual, objects, reads, removal, signing, writes
from litestar_storages.backends.s3.client import call
from litestar_storages.backends.s3.config import S3Config
from litestar_storages.backends.s3.context import S3Context
from litestar_storages.base import BaseStorage
from litestar_storages.exceptions import StorageFileNotFoundError
from litestar_storages.keys import validate_key
from litestar_storages.protocol import HttpMethod
from litestar_storages.streams import PutData
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile, UploadForm

if TYPE_CHECKING:
    from aiobotocore.session import AioSession
    from types_aiobotocore_s3 import S3Client

__all__ = ("S3Storage",)


class S3Storage(BaseStorage):
    """Files in an Amazon S3 bucket, or on any S3-compatible service.

    One aiobotocore client is created on first use and shared by every operation and
    task (its connection pool holds ``max_pool_connections``); :meth:`close` (or leaving
    ``async with``) closes it, and the next operation opens a new one. A client passed in
    is used as it is and never closed by the storage.

    Example:
        >>> storage = S3Storage(S3Config(bucket="uploads", region="eu-west-1"))
        >>> await storage.put("photos/cat.jpg", image_bytes)  # doctest: +SKIP
        >>> url = await storage.url("photos/cat.jpg")  # doctest: +SKIP
    """

    __slots__ = ("_context", "config")

    backend_name = "S3Storage"

    def __init__(
        self,
        config: S3Config,
        *,
        client: S3Client | None = None,
        session: AioSession | None = None,
    ) -> None:
        """Create the storage; no connection is made until the first operation.

        Args:
            config: Bucket, credentials and transfer settings.
            client: A ready aiobotocore S3 client to use instead of creating one (the
                caller keeps closing it); its own endpoint, credentials, timeouts and
                retry settings then apply, not those of ``config``. The storage adds one
                event handler to it, which affects only the storage's own uploads (see
                :func:`~litestar_storages.backends.s3.client.prepare_client`).
            session: An aiobotocore session to create the client from (to share
                credential caches or event hooks); a new one when omitted.
        """
        if not isinstance(config, S3Config):
            raise TypeError(f"S3Storage takes an S3Config, not {type(config).__name__}")
        self.config = config
        # Everything the helper modules need; they get this, never the storage.
        self._context = S3Context(config, client=client, session=session)

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.config.bucket!r}, prefix={self._context.prefix!r})"

    async def close(self) -> None:
        """Close the client the storage created; safe to call more than once.

        Aborts of failed or cancelled uploads still running get a few seconds to finish
        first. The storage stays usable: the next operation opens a new client. A client
        passed to the constructor is left open.
        """
        await self._context.close()

    # -- writes -----------------------------------------------------------------------------

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
        """Store ``data`` at ``key`` with one PutObject, or a multipart upload past the threshold.

        Up to ``multipart_threshold`` bytes go in one PutObject; more in a multipart
        upload with up to ``max_concurrency`` parts in flight. Streams are read one part
        at a time, never whole. On any failure a multipart upload is aborted, so nothing
        is stored and the previous version stays.

        Args:
            key: The object's key.
            data: Bytes, a sync or async iterable of bytes, or a file-like object.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata; non-ASCII values are RFC 2047 encoded on the wire
                and decoded on read.
            overwrite: When ``False``, fail if the key exists (``If-None-Match: *``, atomic
                on AWS S3).
            progress: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored object (``last_modified`` is the server's Date of
            the write).

        Raises:
            StorageFileExistsError: If ``overwrite`` is false and the key exists.
            StorageValidationError: If the key, metadata or data is invalid.
            StorageError: If S3 failed; an exception raised by ``data`` propagates unchanged.
        """
        return await writes.put_data(
            self._context,
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            progress=progress,
        )

    async def put_large(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int | None = None,
        progress_callback: ProgressCallback | None = None,
    ) -> StoredFile:
        """Upload ``data`` as a multipart upload in parts of ``part_size`` bytes.

        :meth:`put` already switches to multipart above ``multipart_threshold``; this
        method forces it (for data over one part) and takes its own part size.

        Args:
            key: The object's key.
            data: Anything :meth:`put` accepts.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Part size in bytes (5 MiB to 5 GiB); the configured one when omitted.
            progress_callback: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageValidationError: If ``part_size`` is out of S3's range.
        """
        return await writes.put_data(
            self._context,
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=True,
            progress=progress_callback,
            in_parts=True,
            part_size=part_size,
        )

    # -- reads ------------------------------------------------------------------------------

    async def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream the object's bytes (one GetObject), optionally a range of them.

        Args:
            key: The object's key.
            start: First byte to read (default 0).
            end: Byte after the last to read (default: end of object).
            progress: Sync or async callback receiving download progress.

        Yields:
            Chunks of the content as they arrive.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
            InvalidRangeError: If the range is negative or inverted.
            StorageConnectionError: If the connection drops mid-body: a short body is
                never returned as if it were complete.
        """
        async with aclosing(reads.read_object(self._context, key, start=start, end=end, progress=progress)) as chunks:
            async for chunk in chunks:
                yield chunk

    async def exists(self, key: str) -> bool:
        """Tell whether an object exists (one HeadObject).

        Args:
            key: The object's key.

        Returns:
            ``True`` if the key exists.

        Raises:
            StoragePermissionError: If S3 refuses: without ``s3:ListBucket`` permission
                AWS answers 403 rather than 404 for a missing key.
        """
        validate_key(key)
        try:
            await objects.head_object(self._context, key)
        except StorageFileNotFoundError:
            return False
        return True

    async def info(self, key: str) -> StoredFile:
        """Return an object's metadata (one HeadObject).

        Args:
            key: The object's key.

        Returns:
            Size, content type, ETag, last modified time and custom metadata.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
        """
        validate_key(key)
        return objects.stored_file(key, await objects.head_object(self._context, key))

    async def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List objects whose keys start with ``prefix`` (ListObjectsV2, 1,000 per page).

        Pages are fetched as the caller iterates and no further once ``limit`` is
        reached. S3 listings carry no content type or custom metadata: those fields are
        ``None`` and empty here (use :meth:`info`). Zero-byte "folder" markers (names
        ending in ``/``, made by some consoles) are skipped: they are not valid keys.

        Args:
            prefix: Only keys starting with this string.
            limit: Stop after this many results.

        Yields:
            Key, size, ETag and last modified time of each object, sorted by key.

        Raises:
            InvalidKeyError: If the prefix could never match a valid key.
            StorageValidationError: If ``limit`` is negative.
        """
        async with aclosing(listing.list_objects(self._context, prefix, limit=limit)) as files:
            async for stored in files:
                yield stored

    # -- deletes, copies --------------------------------------------------------------------

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete an object.

        S3 answers a delete of a missing key with success, so unless ``missing_ok`` is
        set a HeadObject comes first to raise :class:`StorageFileNotFoundError`.

        Args:
            key: The object's key.
            missing_ok: Succeed silently when the key does not exist (one request).

        Raises:
            StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false.
        """
        # Inline, not in removal.py: the hottest small operation keeps one coroutine frame.
        context = self._context
        validate_key(key)
        if not missing_ok:
            await objects.head_object(context, key)
        client = await context.client()
        bucket, name = context.bucket, context.name(key)
        await call(lambda: client.delete_object(Bucket=bucket, Key=name), key=key, retry=context.retry)

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete objects with DeleteObjects, 1,000 per request; missing keys are skipped.

        Args:
            keys: The keys to delete.

        Raises:
            InvalidKeyError: If any key is invalid (nothing is deleted then).
            StorageError: The first per-key error S3 reported.
        """
        await removal.delete_objects(self._context, keys)

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy an object server-side, keeping its content type and metadata.

        One HeadObject (for the size) and one CopyObject; objects larger than
        ``multipart_copy_threshold`` (5 GiB, S3's CopyObject limit) are copied in parts
        with UploadPartCopy.

        Args:
            source: Key to copy from.
            destination: Key to copy to (replaced if it exists).

        Returns:
            Metadata of the copy.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
        """
        return await copying.copy_object(self._context, source, destination)

    async def move(self, source: str, destination: str) -> StoredFile:
        """Move an object: a server-side copy, then a delete of the source.

        S3 has no rename, so for a moment both keys exist.

        Args:
            source: Key to move from.
            destination: Key to move to (replaced if it exists).

        Returns:
            Metadata of the object at its new key.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
        """
        validate_key(source)
        validate_key(destination)
        if source == destination:
            return await self.info(source)
        copied = await self.copy(source, destination)
        await self.delete(source, missing_ok=True)
        return copied

    # -- manual multipart uploads ------------------------------------------------------------

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin a multipart upload (CreateMultipartUpload).

        Abort it with :meth:`abort_multipart_upload` if it is not completed: S3 keeps
        (and bills) the parts of an open upload until a lifecycle rule removes them.

        Args:
            key: The key the object will have.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Nominal size of each part but the last (5 MiB to 5 GiB).

        Returns:
            The upload's state.
        """
        return await manual.start_manual(
            self._context, key, content_type=content_type, metadata=metadata, part_size=part_size
        )

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Upload one part (UploadPart) and record it in ``upload.parts``.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
            part_number: The part's 1-based position (1 to 10,000).
            data: The part's bytes (at least 5 MiB except for the last part).

        Returns:
            The part's ETag.

        Raises:
            StorageValidationError: If the part number or data is invalid.
        """
        return await manual.upload_manual_part(self._context, upload, part_number, data)

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Assemble the parts listed in ``upload.parts`` into the object.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageError: If the upload was aborted or completed already, or a part is missing.
        """
        await manual.complete_manual(self._context, upload)
        return await self.info(upload.key)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Abandon an upload and discard its parts (AbortMultipartUpload).

        Aborting an upload that no longer exists is not an error.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
        """
        await manual.abort_manual(self._context, upload)

    # -- URLs -------------------------------------------------------------------------------

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Return a presigned URL to download (GET) or upload (PUT) the object.

        With ``public_base_url`` configured, GET URLs are plain URLs under it, unsigned
        and without expiry (unless ``filename`` asks for a signed Content-Disposition).

        Args:
            key: The object's key (its existence is not checked).
            expires_in: Validity, up to 7 days; ``presigned_expiry`` when omitted.
            method: ``"GET"`` to download, ``"PUT"`` to upload with a plain HTTP PUT.
            filename: For GET: the name a browser saves the download as.
            content_type: For PUT: the Content-Type the uploader must send (signed).

        Returns:
            The URL.

        Raises:
            StorageValidationError: If ``expires_in`` or ``method`` is invalid.
        """
        return await signing.object_url(
            self._context, key, expires_in=expires_in, method=method, filename=filename, content_type=content_type
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
        """Sign an HTML form (S3 POST policy) that uploads one file straight to ``key``.

        S3 itself enforces the policy: the key, the size range
        (``content-length-range``), the exact content type when given, the metadata
        and the expiry, so the browser posting the form needs no trust.

        Args:
            key: The key the upload will have.
            max_size: Largest accepted file, in bytes.
            min_size: Smallest accepted file, in bytes.
            content_type: The Content-Type the upload must declare (sent as a form field).
            metadata: Custom metadata the object will have (sent as form fields).
            expires_in: Validity, up to 7 days; ``presigned_expiry`` when omitted.

        Returns:
            The form's URL, fields and expiry time.

        Raises:
            StorageValidationError: If a size, the content type or the expiry is invalid.
        """
        return await signing.upload_form(
            self._context,
            key,
            max_size=max_size,
            min_size=min_size,
            content_type=content_type,
            metadata=metadata,
            expires_in=expires_in,
        )
