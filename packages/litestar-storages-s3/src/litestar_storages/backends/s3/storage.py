"""``S3Storage``: the storage API over Amazon S3 and S3-compatible services."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from litestar_storages.backends.s3.client import call, open_client, prepare_client, send
from litestar_storages.backends.s3.config import MAX_PARTS, S3Config
from litestar_storages.backends.s3.errors import error_code, errors
from litestar_storages.backends.s3.lifecycle import Cleanups, UploadTarget, create_upload
from litestar_storages.backends.s3.metadata import decode_metadata, encode_metadata
from litestar_storages.backends.s3.multipart import (
    completed_parts,
    copy_parts,
    fit_part_size,
    iter_parts,
    put_part,
    upload_parts,
)
from litestar_storages.backends.s3.presign import (
    check_expiry,
    content_disposition,
    presigned_post,
    public_url,
)
from litestar_storages.base import BaseStorage
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import (
    InvalidDataError,
    InvalidRangeError,
    StorageConnectionError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StorageValidationError,
)
from litestar_storages.keys import join_key, strip_prefix, validate_key, validate_prefix
from litestar_storages.progress import ProgressReporter
from litestar_storages.protocol import HttpMethod
from litestar_storages.ranges import validate_range
from litestar_storages.streams import DEFAULT_CHUNK_SIZE, ByteStream, PutData
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile, UploadForm

if TYPE_CHECKING:
    from aiobotocore.session import AioSession
    from types_aiobotocore_s3 import S3Client

__all__ = ("S3Storage",)

_DELETE_BATCH = 1000
_LIST_PAGE = 1000


def _response_date(response: Mapping[str, Any]) -> datetime | None:
    # PutObject and CompleteMultipartUpload answers carry no Last-Modified; the
    # answer's Date header is the server's clock at the write, without another request.
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if not date:
        return None
    try:
        return parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None


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

    __slots__ = ("_cleanups", "_client", "_lock", "_owns_client", "_prefix", "_session", "_stack", "config")

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
        self._prefix = config.key_prefix
        if client is not None:
            prepare_client(client)
        self._client: S3Client | None = client
        self._owns_client = client is None
        self._session = session
        self._stack: AsyncExitStack | None = None
        self._lock = asyncio.Lock()
        self._cleanups = Cleanups()

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.config.bucket!r}, prefix={self._prefix!r})"

    # -- plumbing -------------------------------------------------------------------------

    async def _s3(self) -> S3Client:
        client = self._client
        if client is not None:
            return client
        async with self._lock:
            if self._client is None:
                stack = AsyncExitStack()
                client = await open_client(self.config, stack, self._session)
                prepare_client(client)
                self._client = client
                self._stack = stack
            return self._client

    def _name(self, key: str) -> str:
        return join_key(self._prefix, key)

    async def _target(self, key: str) -> UploadTarget:
        return UploadTarget(
            client=await self._s3(),
            bucket=self.config.bucket,
            name=self._name(key),
            key=key,
            retry=self.config.retry,
            cleanups=self._cleanups,
        )

    @staticmethod
    def _attributes(
        key: str, content_type: str | None, metadata: Mapping[str, str] | None
    ) -> tuple[str, dict[str, str], dict[str, Any]]:
        # The validated content type and metadata, and the request arguments carrying them.
        resolved_type = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        attributes: dict[str, Any] = {"ContentType": resolved_type}
        if checked:
            attributes["Metadata"] = encode_metadata(checked)
        return resolved_type, checked, attributes

    async def _head(self, key: str) -> dict[str, Any]:
        client = await self._s3()
        bucket, name = self.config.bucket, self._name(key)
        response = await call(lambda: client.head_object(Bucket=bucket, Key=name), key=key, retry=self.config.retry)
        return dict(response)

    def _stored_file(self, key: str, head: Mapping[str, Any]) -> StoredFile:
        return StoredFile(
            key=key,
            size=int(head.get("ContentLength", 0)),
            content_type=head.get("ContentType"),
            etag=head.get("ETag"),
            last_modified=head.get("LastModified"),
            metadata=decode_metadata(head.get("Metadata")),
        )

    async def close(self) -> None:
        """Close the client the storage created; safe to call more than once.

        Aborts of failed or cancelled uploads still running get a few seconds to finish
        first. The storage stays usable: the next operation opens a new client. A client
        passed to the constructor is left open.
        """
        await self._cleanups.join()
        if not self._owns_client:
            return
        stack, self._stack = self._stack, None
        self._client = None
        if stack is not None:
            with errors.guard():
                await stack.aclose()

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
        return await self._put(
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            progress=progress,
            part_size=self.config.part_size,
            threshold=self.config.multipart_threshold,
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
        size = self.config.part_size if part_size is None else part_size
        try:
            S3Config(bucket=self.config.bucket, part_size=size)
        except StorageError as error:
            raise StorageValidationError(str(error), key=key) from None
        return await self._put(
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=True,
            progress=progress_callback,
            part_size=size,
            threshold=size,
        )

    async def _put(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None,
        metadata: Mapping[str, str] | None,
        overwrite: bool,
        progress: ProgressCallback | None,
        part_size: int,
        threshold: int,
    ) -> StoredFile:
        validate_key(key)
        resolved_type, checked, attributes = self._attributes(key, content_type, metadata)
        conditional = not overwrite and self.config.conditional_writes
        stored = StoredFile(key=key, size=0, content_type=resolved_type, metadata=checked)

        if isinstance(data, bytes) and len(data) <= threshold:
            # The hot path: one PutObject, no stream wrapper, no extra request.
            if not overwrite and not conditional:
                await self._refuse_existing(key)
            reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=len(data))
            return await self._put_object(
                key, data, attributes=attributes, conditional=conditional, reporter=reporter, stored=stored
            )

        stream = ByteStream(data, key=key)
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
        if not overwrite and not conditional:
            await self._refuse_existing(key)
        try:
            head = await stream.read_block(threshold)
            if len(head) < threshold or await stream.at_eof():
                return await self._put_object(
                    key, head, attributes=attributes, conditional=conditional, reporter=reporter, stored=stored
                )
            # The block read so far moves into the part iterator: no local reference may
            # keep a part alive after it is uploaded (the memory bound counts on it).
            read_ahead = [head]
            del head
            if conditional:
                # Fail before sending gigabytes; the conditional completion below still
                # settles a race with a concurrent writer.
                await self._refuse_existing(key)
            part_size = fit_part_size(part_size, stream.size, key=key)
            answer, size = await upload_parts(
                await self._target(key),
                iter_parts(stream, read_ahead, part_size, key=key),
                create_args=attributes,
                complete_args={"IfNoneMatch": "*"} if conditional else {},
                max_concurrency=self.config.max_concurrency,
                reporter=reporter,
            )
        finally:
            await stream.aclose()
        return StoredFile(
            key=key,
            size=size,
            content_type=resolved_type,
            etag=answer.get("ETag"),
            last_modified=_response_date(answer),
            metadata=dict(checked),
        )

    async def _put_object(
        self,
        key: str,
        body: bytes | bytearray,
        *,
        attributes: dict[str, Any],
        conditional: bool,
        reporter: ProgressReporter,
        stored: StoredFile,
    ) -> StoredFile:
        client = await self._s3()
        bucket, name = self.config.bucket, self._name(key)
        arguments = {**attributes, "IfNoneMatch": "*"} if conditional else attributes
        response = await send(
            client,
            body,
            lambda payload: client.put_object(Bucket=bucket, Key=name, Body=payload, **arguments),
            key=key,
            retry=self.config.retry,
        )
        await reporter.advance(len(body))
        return StoredFile(
            key=key,
            size=len(body),
            content_type=stored.content_type,
            etag=response.get("ETag"),
            last_modified=_response_date(response),
            metadata=dict(stored.metadata),
        )

    async def _refuse_existing(self, key: str) -> None:
        if await self.exists(key):
            raise StorageFileExistsError(f"File already exists: {key!r}", key=key)

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
        first, last = validate_range(start, end, key=key)
        validate_key(key)
        if last is not None and last <= first:
            # An empty range: nothing to read, but a missing key must still raise.
            await self._head(key)
            return
        client = await self._s3()
        arguments: dict[str, Any] = {"Bucket": self.config.bucket, "Key": self._name(key)}
        if first or last is not None:
            arguments["Range"] = f"bytes={first}-{'' if last is None else last - 1}"
        try:
            response = await call(lambda: client.get_object(**arguments), key=key, retry=self.config.retry)
        except InvalidRangeError:
            # 416: the object exists but the range starts at or past its end (or it is
            # empty); ranges are clipped, so that is an empty read.
            return
        body = response["Body"]
        expected = int(response.get("ContentLength", 0))
        reporter = ProgressReporter(progress, operation="download", key=key, total_bytes=expected)
        received = 0
        try:
            async for chunk in errors.guard_stream(body.iter_chunks(DEFAULT_CHUNK_SIZE), key):
                received += len(chunk)
                yield chunk
                await reporter.advance(len(chunk))
        finally:
            body.close()
        if received != expected:
            raise StorageConnectionError(f"Download of {key!r} ended after {received} of {expected} bytes", key=key)

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
            await self._head(key)
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
        return self._stored_file(key, await self._head(key))

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
        validate_prefix(prefix)
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise StorageValidationError(f"limit must be None or an int >= 0, got {limit!r}")
        remaining = limit
        if remaining == 0:
            return
        client = await self._s3()
        arguments: dict[str, Any] = {
            "Bucket": self.config.bucket,
            "Prefix": self._name(prefix) if prefix else self._prefix,
        }
        while True:
            arguments["MaxKeys"] = _LIST_PAGE if remaining is None else min(_LIST_PAGE, remaining)
            page = await call(
                lambda: client.list_objects_v2(**arguments),
                key=prefix or None,
                retry=self.config.retry,
            )
            for item in page.get("Contents", []):
                name = item["Key"]
                if name.endswith("/"):
                    continue
                yield StoredFile(
                    key=strip_prefix(self._prefix, name),
                    size=int(item.get("Size", 0)),
                    etag=item.get("ETag"),
                    last_modified=item.get("LastModified"),
                )
                if remaining is not None:
                    remaining -= 1
                    if remaining == 0:
                        return
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return
            arguments["ContinuationToken"] = token

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
        validate_key(key)
        if not missing_ok:
            await self._head(key)
        client = await self._s3()
        bucket, name = self.config.bucket, self._name(key)
        await call(lambda: client.delete_object(Bucket=bucket, Key=name), key=key, retry=self.config.retry)

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete objects with DeleteObjects, 1,000 per request; missing keys are skipped.

        Args:
            keys: The keys to delete.

        Raises:
            InvalidKeyError: If any key is invalid (nothing is deleted then).
            StorageError: The first per-key error S3 reported.
        """
        checked = list(dict.fromkeys(validate_key(key) for key in keys))
        if not checked:
            return
        client = await self._s3()
        bucket = self.config.bucket
        for start in range(0, len(checked), _DELETE_BATCH):
            batch = checked[start : start + _DELETE_BATCH]
            objects: Any = [{"Key": self._name(key)} for key in batch]
            response = await call(
                functools.partial(client.delete_objects, Bucket=bucket, Delete={"Objects": objects, "Quiet": True}),
                key=None,
                retry=self.config.retry,
            )
            failures = response.get("Errors") or []
            if failures:
                failure = failures[0]
                failed_key = strip_prefix(self._prefix, failure.get("Key", ""))
                raise errors.translate(
                    ClientError(
                        {"Error": {"Code": failure.get("Code", ""), "Message": failure.get("Message", "")}},
                        "DeleteObjects",
                    ),
                    failed_key,
                )

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
        validate_key(source)
        validate_key(destination)
        head = await self._head(source)
        original = self._stored_file(destination, head)
        if original.size > self.config.multipart_copy_threshold:
            create_args: dict[str, Any] = {
                field: head[field]
                for field in (
                    "ContentType",
                    "Metadata",
                    "CacheControl",
                    "ContentDisposition",
                    "ContentEncoding",
                    "ContentLanguage",
                )
                if head.get(field)
            }
            answer = await copy_parts(
                await self._target(destination),
                source=self._name(source),
                size=original.size,
                part_size=self.config.part_size,
                create_args=create_args,
                max_concurrency=self.config.max_concurrency,
            )
            etag, modified = answer.get("ETag"), _response_date(answer)
        else:
            client = await self._s3()
            bucket, source_name, name = self.config.bucket, self._name(source), self._name(destination)
            response = await call(
                lambda: client.copy_object(
                    Bucket=bucket, Key=name, CopySource={"Bucket": bucket, "Key": source_name}, MetadataDirective="COPY"
                ),
                key=source,
                retry=self.config.retry,
            )
            result = response.get("CopyObjectResult", {})
            etag, modified = result.get("ETag"), result.get("LastModified")
        return StoredFile(
            key=destination,
            size=original.size,
            content_type=original.content_type,
            etag=etag,
            last_modified=modified,
            metadata=original.metadata,
        )

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
        validate_key(key)
        if method not in ("GET", "PUT"):
            raise StorageValidationError(f"method must be 'GET' or 'PUT', got {method!r}", key=key)
        name = self._name(key)
        if method == "GET" and self.config.public_base_url and filename is None:
            return public_url(self.config.public_base_url, name)
        seconds = check_expiry(expires_in, self.config.presigned_expiry, key=key)
        params: dict[str, Any] = {"Bucket": self.config.bucket, "Key": name}
        if method == "GET" and filename:
            params["ResponseContentDisposition"] = content_disposition(filename)
        if method == "PUT" and content_type:
            params["ContentType"] = resolve_content_type(key, content_type)
        client = await self._s3()
        with errors.guard(key):
            return await client.generate_presigned_url(
                "get_object" if method == "GET" else "put_object", Params=params, ExpiresIn=seconds
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
        validate_key(key)
        checked = validate_metadata(metadata, key=key)
        resolved_type = None if content_type is None else resolve_content_type(key, content_type)
        seconds = check_expiry(expires_in, self.config.presigned_expiry, key=key)
        client = await self._s3()
        with errors.guard(key):
            return await presigned_post(
                client,
                bucket=self.config.bucket,
                name=self._name(key),
                key=key,
                max_size=max_size,
                min_size=min_size,
                content_type=resolved_type,
                metadata=checked,
                expires_in=seconds,
            )

    # -- manual multipart uploads -----------------------------------------------------------

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
        validate_key(key)
        resolved_type, checked, attributes = self._attributes(key, content_type, metadata)
        upload_id = await create_upload(await self._target(key), attributes)
        return MultipartUpload(
            upload_id=upload_id,
            key=key,
            part_size=part_size,
            content_type=resolved_type,
            metadata=checked,
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
        if not isinstance(part_number, int) or isinstance(part_number, bool) or not 1 <= part_number <= MAX_PARTS:
            raise StorageValidationError(f"part_number must be 1 to {MAX_PARTS}, got {part_number!r}", key=upload.key)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidDataError(f"Parts must be bytes, got {type(data).__name__}", key=upload.key)
        etag = await put_part(await self._target(upload.key), upload.upload_id, part_number, data)
        upload.add_part(part_number, etag)
        return etag

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Assemble the parts listed in ``upload.parts`` into the object.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageError: If the upload was aborted or completed already, or a part is missing.
        """
        client = await self._s3()
        bucket, name = self.config.bucket, self._name(upload.key)
        await call(
            lambda: client.complete_multipart_upload(
                Bucket=bucket,
                Key=name,
                UploadId=upload.upload_id,
                MultipartUpload={"Parts": completed_parts(upload.parts)},
            ),
            key=upload.key,
            retry=self.config.retry,
        )
        return await self.info(upload.key)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Abandon an upload and discard its parts (AbortMultipartUpload).

        Aborting an upload that no longer exists is not an error.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
        """
        client = await self._s3()
        bucket, name = self.config.bucket, self._name(upload.key)
        try:
            await call(
                lambda: client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload.upload_id),
                key=upload.key,
                retry=self.config.retry,
            )
        except StorageError as error:
            # Aborting twice, or after completion, is not an error worth raising.
            cause = error.__cause__
            if not (isinstance(cause, ClientError) and error_code(cause)[0] == "NoSuchUpload"):
                raise
