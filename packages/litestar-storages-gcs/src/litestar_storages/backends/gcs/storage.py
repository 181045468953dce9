"""``GCSStorage``: Google Cloud Storage through gcloud-aio-storage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import timedelta
from typing import Any, cast
from urllib.parse import quote

import aiohttp
from gcloud.aio.storage import Storage as SDKStorage

from litestar_storages.backends.gcs.config import MAX_SIGNED_EXPIRY, GCSConfig
from litestar_storages.backends.gcs.errors import GCS_ERRORS
from litestar_storages.backends.gcs.multipart import PendingUploads
from litestar_storages.backends.gcs.resources import LIST_FIELDS, stored_file
from litestar_storages.backends.gcs.resumable import ResumableUpload
from litestar_storages.backends.gcs.signing import (
    IAMSigner,
    KeySigner,
    Signer,
    sign_post_policy,
    sign_url,
)
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.base import BaseStorage
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import (
    ConfigurationError,
    StorageError,
    StorageFileNotFoundError,
    StorageValidationError,
)
from litestar_storages.keys import join_key, strip_prefix, validate_key, validate_prefix
from litestar_storages.progress import ProgressReporter
from litestar_storages.protocol import HttpMethod
from litestar_storages.ranges import validate_range
from litestar_storages.retry import with_retry
from litestar_storages.streams import DEFAULT_CHUNK_SIZE, ByteStream, PutData
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile, UploadForm

__all__ = ("GCSStorage",)

_GOOGLE_STORAGE_HOST = "https://storage.googleapis.com"
_RANGE_NOT_SATISFIABLE = 416
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
        name = self._name(key)
        resolved_type = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        chunk_size = self.config.chunk_size
        stream = ByteStream(data, chunk_size=chunk_size, key=key)
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
        transport = self._connect()
        # The caller's stream is read outside every error guard: what it raises
        # reaches the caller unchanged. Small bytes are sent as they are (no copy).
        first = data if isinstance(data, bytes) and len(data) < chunk_size else await stream.read(chunk_size)
        if len(first) < chunk_size:
            resource = await self._upload_small(
                transport,
                key=key,
                name=name,
                payload=first,
                content_type=resolved_type,
                metadata=checked,
                overwrite=overwrite,
            )
            await reporter.advance(len(first))
            return stored_file(resource, key)
        session = await ResumableUpload.start(
            transport,
            self.config.bucket,
            name,
            content_type=resolved_type,
            metadata=checked,
            if_generation_match=None if overwrite else 0,
            key=key,
            retry=self.config.retry,
        )
        try:
            chunk = first
            while True:
                # Reading one chunk ahead tells whether this one is the last.
                following = await stream.read(chunk_size) if len(chunk) == chunk_size else b""
                completed = await session.send(chunk, final=not following)
                await reporter.advance(len(chunk))
                if completed is not None:
                    return stored_file(completed, key)
                chunk = following
        except BaseException:
            await session.cancel()
            raise

    async def _upload_small(
        self,
        transport: Transport,
        *,
        key: str,
        name: str,
        payload: bytes,
        content_type: str,
        metadata: dict[str, str],
        overwrite: bool,
    ) -> dict[str, Any]:
        # A multipart upload (never "media"): it carries the metadata, and
        # ifGenerationMatch=0 is honoured on it by GCS and by fake-gcs-server alike.
        parameters = {} if overwrite else {"ifGenerationMatch": "0"}

        async def upload() -> dict[str, Any]:
            with GCS_ERRORS.guard(key):
                resource: dict[str, Any] = await transport.client.upload(
                    self.config.bucket,
                    name,
                    payload,
                    content_type=content_type,
                    metadata={"metadata": metadata},
                    parameters=dict(parameters),
                    force_resumable_upload=False,
                    timeout=transport.timeout,
                )
                return resource

        return await with_retry(upload, self.config.retry)

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
        headers = {}
        if first or last is not None:
            headers["Range"] = f"bytes={first}-{'' if last is None else last - 1}"
        transport = self._connect()

        async def open_stream() -> Any:
            with GCS_ERRORS.guard(key):
                try:
                    return await transport.client.download_stream(
                        self.config.bucket, name, headers=dict(headers), timeout=transport.timeout
                    )
                except aiohttp.ClientResponseError as error:
                    if error.status == _RANGE_NOT_SATISFIABLE:
                        return None  # the range starts past the end: nothing to read
                    raise

        response = await with_retry(open_stream, self.config.retry)
        if response is None:
            return
        async with response:
            reporter = ProgressReporter(
                progress, operation="download", key=key, total_bytes=response.content_length or None
            )
            async for chunk in GCS_ERRORS.guard_stream(_read_chunks(response), key):
                yield chunk
                await reporter.advance(len(chunk))

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
        transport = self._connect()

        async def fetch() -> dict[str, Any]:
            with GCS_ERRORS.guard(key):
                resource: dict[str, Any] = await transport.client.download_metadata(
                    self.config.bucket, name, timeout=transport.timeout
                )
                return resource

        return stored_file(await with_retry(fetch, self.config.retry), key)

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

    async def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List objects whose keys start with ``prefix``, page by page, in key order.

        Args:
            prefix: Only keys starting with this string.
            limit: Stop after this many results (no further page is fetched).

        Yields:
            Metadata of each object, content type and custom metadata included.

        Raises:
            InvalidKeyError: If the prefix could never match a valid key.
            StorageValidationError: If ``limit`` is negative.
            ConfigurationError: If the bucket does not exist.
        """
        validate_prefix(prefix)
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise StorageValidationError(f"limit must be None or an int >= 0, got {limit!r}")
        remaining = limit
        transport = self._connect()
        params = {"prefix": self._prefix + prefix, "fields": LIST_FIELDS}
        while remaining is None or remaining > 0:
            page_size = self.config.list_page_size if remaining is None else min(remaining, self.config.list_page_size)
            params["maxResults"] = str(page_size)
            page = await with_retry(lambda: self._list_page(transport, dict(params)), self.config.retry)
            for item in page.get("items", []):
                yield stored_file(item, strip_prefix(self._prefix, item["name"]))
                if remaining is not None:
                    remaining -= 1
                    if remaining == 0:
                        return
            token = page.get("nextPageToken")
            if not token:
                return
            params["pageToken"] = token

    async def _list_page(self, transport: Transport, params: dict[str, str]) -> dict[str, Any]:
        try:
            with GCS_ERRORS.guard():
                page: dict[str, Any] = await transport.client.list_objects(
                    self.config.bucket, params=params, timeout=transport.timeout
                )
                return page
        except StorageFileNotFoundError as error:
            raise ConfigurationError(
                f"GCS bucket {self.config.bucket!r} does not exist", field="bucket"
            ) from error.__cause__

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
        transport = self._connect()

        async def remove() -> None:
            with GCS_ERRORS.guard(key):
                await transport.client.delete(self.config.bucket, name, timeout=transport.timeout)

        try:
            await with_retry(remove, self.config.retry)
        except StorageFileNotFoundError:
            if not missing_ok:
                raise

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
        transport = self._connect()

        async def rewrite() -> dict[str, Any]:
            with GCS_ERRORS.guard(source):
                answer: dict[str, Any] = await transport.client.copy(
                    self.config.bucket,
                    source_name,
                    self.config.bucket,
                    new_name=destination_name,
                    params={},
                    timeout=transport.timeout,
                )
                return answer

        answer = await with_retry(rewrite, self.config.retry)
        resource = answer.get("resource")
        if not isinstance(resource, dict):
            raise StorageError(f"GCS did not finish copying {source!r} to {destination!r}", key=source)
        return stored_file(resource, destination)

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
        name = self._name(key)
        if method not in ("GET", "PUT"):
            raise StorageValidationError(f"method must be 'GET' or 'PUT', got {method!r}", key=key)
        if method == "GET" and self.config.public_base_url and filename is None:
            return f"{self.config.public_base_url.rstrip('/')}/{quote(name, safe='/~')}"
        query: dict[str, str] = {}
        headers: dict[str, str] = {}
        if method == "GET" and filename is not None:
            query["response-content-disposition"] = _attachment(filename)
        if method == "PUT" and content_type is not None:
            headers["content-type"] = resolve_content_type(key, content_type)
        signer = await self._get_signer(key)
        with GCS_ERRORS.guard(key):
            return await sign_url(
                signer,
                method=method,
                base_url=self._signing_base(),
                bucket=self.config.bucket,
                name=name,
                expires_in=self._expiry(expires_in, key),
                query=query,
                headers=headers,
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
        name = self._name(key)
        for label, size in (("min_size", min_size), ("max_size", max_size)):
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise StorageValidationError(f"{label} must be an int >= 0, got {size!r}", key=key)
        if min_size > max_size:
            raise StorageValidationError(f"min_size ({min_size}) exceeds max_size ({max_size})", key=key)
        checked_metadata = validate_metadata(metadata, key=key)
        checked_type = None if content_type is None else resolve_content_type(key, content_type)
        signer = await self._get_signer(key)
        with GCS_ERRORS.guard(key):
            return await sign_post_policy(
                signer,
                base_url=self._signing_base(),
                bucket=self.config.bucket,
                name=name,
                expires_in=self._expiry(expires_in, key),
                max_size=max_size,
                min_size=min_size,
                content_type=checked_type,
                metadata=checked_metadata,
            )

    def _expiry(self, expires_in: timedelta | None, key: str) -> timedelta:
        expiry = self.config.presigned_expiry if expires_in is None else expires_in
        if not isinstance(expiry, timedelta) or not timedelta(seconds=1) <= expiry <= MAX_SIGNED_EXPIRY:
            raise StorageValidationError(f"expires_in must be 1 second to 7 days, got {expires_in!r}", key=key)
        return expiry

    def _signing_base(self) -> str:
        transport = self._connect()
        return transport.api_root if transport.emulated else _GOOGLE_STORAGE_HOST

    async def _get_signer(self, key: str) -> Signer:
        if self._signer is not None:
            return self._signer
        transport = self._connect()
        token = transport.client.token
        service_data: dict[str, Any] = getattr(token, "service_data", None) or {}
        email = service_data.get("client_email")
        private_key = service_data.get("private_key")
        if isinstance(email, str) and isinstance(private_key, str):
            self._signer = KeySigner(email, private_key)
            return self._signer
        if transport.emulated:
            raise ConfigurationError(
                "GCSStorage cannot sign URLs: the credentials hold no service-account key. Set "
                "GCSConfig.service_file to a service-account key (any key works with an emulator) "
                "or GCSConfig.public_base_url for plain (unsigned) GET URLs; upload URLs always need a key",
                field="service_file",
            )
        self._signer = self._iam_signer(transport, token)
        return self._signer

    def _iam_signer(self, transport: Transport, token: Any) -> Signer:
        from gcloud.aio.auth import IamClient  # noqa: PLC0415 - only needed without a key

        try:
            iam = IamClient(token=token, session=cast("Any", transport.session))
        except TypeError as error:
            raise ConfigurationError(
                "GCSStorage cannot sign URLs with these credentials (user credentials cannot call IAM signBlob "
                "through gcloud-aio-auth): use a service-account key (GCSConfig.service_file) or "
                "GCSConfig.public_base_url",
                field="service_file",
            ) from error
        email = self.config.service_account_email or iam.service_account_email
        if not email:
            raise ConfigurationError(
                "GCSStorage signs URLs through IAM signBlob with Application Default Credentials and needs "
                "the service account's email: set GCSConfig.service_account_email",
                field="service_account_email",
            )
        return IAMSigner(iam, email)

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
        name = self._name(key)
        resolved_type = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        session = await ResumableUpload.start(
            self._connect(),
            self.config.bucket,
            name,
            content_type=resolved_type,
            metadata=checked,
            key=key,
            retry=self.config.retry,
        )
        self._uploads.add(session)
        return MultipartUpload(
            upload_id=session.session_uri,
            key=key,
            part_size=part_size,
            content_type=resolved_type,
            metadata=checked,
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


def _attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def _read_chunks(response: Any) -> AsyncIterator[bytes]:
    while True:
        chunk: bytes = await response.read(DEFAULT_CHUNK_SIZE)
        if not chunk:
            return
        yield chunk
