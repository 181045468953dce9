"""``AzureStorage``: the Storage protocol on Azure Blob Storage (azure-storage-blob aio)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from azure.storage.blob.aio import ContainerClient
from litestar_storages.backends.azure._multipart import MultipartMixin
from litestar_storages.backends.azure._sdk import BlobOperationsFactory, BlobRequests
from litestar_storages.backends.azure.client import (
    build_client,
    client_config,
    default_credential,
    request,
    static_credential,
)
from litestar_storages.backends.azure.config import AzureConfig
from litestar_storages.backends.azure.copying import copy_blob
from litestar_storages.backends.azure.download import RangeDownload
from litestar_storages.backends.azure.errors import BACKEND
from litestar_storages.backends.azure.listing import list_blobs
from litestar_storages.backends.azure.properties import blob_etag, response_headers, stored_file_from_headers
from litestar_storages.backends.azure.sas import SasSigner
from litestar_storages.backends.azure.upload import UploadTarget, upload_blob
from litestar_storages.base import BaseStorage
from litestar_storages.exceptions import (
    StorageFileExistsError,
    StorageFileNotFoundError,
)
from litestar_storages.keys import join_key, normalize_prefix, validate_key
from litestar_storages.progress import ProgressReporter
from litestar_storages.ranges import validate_range
from litestar_storages.retry import request_retry
from litestar_storages.types import ProgressCallback, StoredFile
from litestar_storages.url_arguments import check_url_arguments

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobClient
    from litestar_storages.protocol import HttpMethod
    from litestar_storages.streams import PutData

__all__ = ("AzureStorage",)

T = TypeVar("T")


class AzureStorage(MultipartMixin, BaseStorage):
    """Files in an Azure Blob Storage container, through the async azure-storage-blob SDK.

    One ``ContainerClient`` is created on first use and reused by every operation;
    :meth:`close` (or leaving ``async with``) closes it, and the next operation opens a
    new one. A client passed in is used as is and never closed by the storage.

    Example:
        >>> storage = AzureStorage(AzureConfig(container="uploads", connection_string=conn))  # doctest: +SKIP
        >>> await storage.put("photos/cat.jpg", data)  # doctest: +SKIP
    """

    __slots__ = (
        "_aborted",
        "_client",
        "_operations",
        "_owned_credential",
        "_owns_client",
        "_prefix",
        "_retry",
        "_signer",
        "config",
    )

    backend_name = BACKEND

    def __init__(self, config: AzureConfig | None = None, *, client: ContainerClient | None = None) -> None:
        """Create the storage; no request is made until the first operation.

        Args:
            config: Where the container is and how to authenticate. Optional when
                ``client`` is given (the container and endpoint are then the client's).
            client: A ready ``azure.storage.blob.aio.ContainerClient`` to use instead of
                building one from ``config``; the caller keeps ownership of it.

        Raises:
            ConfigurationError: If neither is given, or their containers differ.
        """
        self.config = config = client_config(config, client)
        self._prefix = normalize_prefix(config.prefix)
        self._retry = config.retry or request_retry()
        self._client = client
        self._owns_client = client is None
        self._owned_credential: Any = None
        self._signer = SasSigner(config.account_key)
        self._aborted: set[str] = set()
        self._operations: BlobOperationsFactory | None = None

    # -- client and request plumbing ---------------------------------------------------

    def _container(self) -> ContainerClient:
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _new_client(self) -> ContainerClient:
        config = self.config
        credential = config.credential if config.connection_string is not None else self._credential()
        return build_client(config, credential)

    def _credential(self) -> Any:
        found, credential = static_credential(self.config)
        if found:
            return credential
        if self._owned_credential is None:
            self._owned_credential = default_credential()
        return self._owned_credential

    def _blob(self, key: str) -> BlobClient:
        return self._container().get_blob_client(join_key(self._prefix, key))

    def _requests(self, key: str) -> BlobRequests:
        # Built once per container client (a new one after close()): see _sdk.py.
        container = self._container()
        factory = self._operations
        if factory is None or factory.container is not container:
            factory = self._operations = BlobOperationsFactory(container)
        return factory(join_key(self._prefix, key))

    async def _call(self, key: str | None, operation: Callable[[], Awaitable[T]]) -> T:
        return await request(self._retry, key, operation)

    async def _properties(self, key: str) -> Mapping[str, str]:
        requests = self._requests(key)
        return await self._call(key, lambda: requests.get_properties(response_headers))

    async def create_container(self, *, exist_ok: bool = True) -> None:
        """Create the configured container (handy with Azurite and in tests).

        Args:
            exist_ok: Succeed when the container already exists.

        Raises:
            StorageFileExistsError: If it exists and ``exist_ok`` is false.
        """
        container = self._container()
        try:
            await self._call(None, container.create_container)
        except StorageFileExistsError:
            if not exist_ok:
                raise

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
        """Store ``data`` at ``key``: one request when it fits in a block, else staged blocks.

        Data larger than ``block_size`` is uploaded as blocks, ``max_concurrency`` at a
        time, and committed at the end with its content type and metadata; if the input
        stream raises, nothing is committed and the error propagates unchanged.

        Args:
            key: The object's key.
            data: Bytes, a sync or async iterable of bytes, or a file-like object.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata (names lowercased; encoded for Azure, see the docs).
            overwrite: When ``False``, fail atomically (``If-None-Match: *``) if the key exists.
            progress: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageFileExistsError: If ``overwrite`` is false and the key exists.
            StorageValidationError: If the key, metadata or data is invalid.
        """
        return await upload_blob(
            self._upload_target(),
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            progress=progress,
            block_size=self.config.block_size,
        )

    def _upload_target(self) -> UploadTarget:
        return UploadTarget(self._blob, self._requests, self._version, self._retry, self.config.max_concurrency)

    async def _version(self, key: str) -> str | None:
        # The blob's ETag, or None when it does not exist (one HEAD).
        try:
            return blob_etag((await self._properties(key)).get("ETag"))
        except StorageFileNotFoundError:
            return None

    # -- reading -------------------------------------------------------------------------

    async def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream the object's bytes, optionally a byte range of them.

        Args:
            key: The object's key.
            start: First byte to read (default 0).
            end: Byte after the last to read (default: end of object); clipped.
            progress: Sync or async callback receiving download progress.

        A transfer cut short is resumed from the byte reached (same blob version, checked
        with its ETag) within the ``retry`` budget, which covers the whole download: the
        SDK's own re-reads are bypassed, so ``max_attempts`` is the number of GETs at most.

        Yields:
            Chunks of the object as they arrive (at most 256 KiB each by default).

        Raises:
            StorageFileNotFoundError: If the key does not exist.
            StorageConnectionError: If the transfer kept failing until the attempts ran out
                (short data is never returned).
            StorageError: If the blob was replaced between two attempts.
        """
        first, last = validate_range(start, end, key=key)
        requests = self._requests(validate_key(key))
        if last is not None and last == first:
            await self._properties(key)  # an empty range still needs the object to exist
            return
        download = RangeDownload(requests, key=key, start=first, end=last, retry=self._retry)
        reporter = ProgressReporter(progress, operation="download", key=key)
        async for chunk in download:
            reporter.total_bytes = download.size
            yield chunk
            await reporter.advance(len(chunk))

    async def info(self, key: str) -> StoredFile:
        """Return the object's metadata (one HEAD request).

        Args:
            key: The object's key.

        Returns:
            Size, content type, ETag, last modification time and custom metadata.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
        """
        validate_key(key)
        return stored_file_from_headers(key, await self._properties(key))

    async def exists(self, key: str) -> bool:
        """Tell whether the object exists.

        Args:
            key: The object's key.

        Returns:
            ``True`` if it exists.

        Raises:
            ConfigurationError: If the container does not exist.
        """
        validate_key(key)
        try:
            await self._properties(key)
        except StorageFileNotFoundError:
            return False
        return True

    async def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        r"""List objects whose keys start with ``prefix``, in Azure's order, page by page.

        Azure (and Azurite) list names in UTF-16 code-unit order, not in code point
        order like the other backends. The two differ only where, at the first
        differing character, one key has a character from U+E000 to U+FFFF and the
        other one above U+FFFF (a surrogate pair): Azure lists ``"\U0001f600"``
        before ``"\ue000"``. The listing is not reordered, since the keys to move can
        be arbitrarily many; ``sorted(keys, key=lambda k: k.encode("utf-16-be",
        "surrogatepass"))`` reproduces Azure's order.

        Each page is one List Blobs request including metadata and content type;
        iteration stops requesting pages once ``limit`` objects were yielded.

        Args:
            prefix: Only keys starting with this string.
            limit: Stop after this many objects.

        Yields:
            Metadata of each object.

        Raises:
            InvalidKeyError: If the prefix could never match a valid key.
            StorageValidationError: If ``limit`` is not ``None`` or an ``int`` >= 0 (``bool`` included).
        """
        listing = list_blobs(
            self._container,
            prefix,
            limit=limit,
            storage_prefix=self._prefix,
            page_size=self.config.list_page_size,
            retry=self._retry,
        )
        async for stored in listing:
            yield stored

    # -- deleting ------------------------------------------------------------------------

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete the object (and its snapshots).

        Args:
            key: The object's key.
            missing_ok: Succeed silently when the key does not exist.

        Raises:
            StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false.
        """
        requests = self._requests(validate_key(key))
        try:
            await self._call(key, requests.delete)
        except StorageFileNotFoundError:
            if not missing_ok:
                raise

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete several objects, ``max_concurrency`` requests at a time; missing keys are skipped.

        Every key is validated before anything is deleted. (Azure's Blob Batch is not
        used: Azurite rejects it, so it could not be tested here.)

        Args:
            keys: The keys to delete.

        Raises:
            InvalidKeyError: If any key is invalid (nothing is deleted then).
            StorageError: If Azure refused to delete one of them (the others still are).
        """
        checked = list(dict.fromkeys(validate_key(key) for key in keys))
        limit = asyncio.Semaphore(self.config.max_concurrency)

        async def delete_one(key: str) -> None:
            async with limit:
                await self.delete(key, missing_ok=True)

        results = await asyncio.gather(*(delete_one(key) for key in checked), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

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
        """Return a SAS URL to download the object, or to upload it with ``method="PUT"``.

        Signing is local (with a token credential, a user delegation key is fetched
        once and cached). A PUT URL grants create and write: the uploader must send
        ``x-ms-blob-type: BlockBlob`` and should send the ``Content-Type`` it wants
        stored, which a SAS cannot enforce (``content_type`` is therefore not signed).

        Args:
            key: The object's key (its existence is not checked).
            expires_in: Validity, 1 second to 7 days; ``AzureConfig.presigned_expiry`` when omitted.
            method: ``"GET"`` or ``"PUT"``.
            filename: For GET, the download name (signed Content-Disposition).
            content_type: Checked like every content type (a wrong one raises as on
                the other backends), but not bound: Azure SAS cannot bind it.

        Returns:
            The URL; for GET with ``public_base_url`` set and no ``filename``, the
            unsigned public URL.

        Raises:
            ConfigurationError: If there is neither an account key nor a token credential.
            StorageValidationError: If ``expires_in`` or ``method`` is invalid
                (:func:`~litestar_storages.url_arguments.check_url_arguments`).
            InvalidMetadataError: If ``filename`` or ``content_type`` is invalid.
        """
        check_url_arguments(key, expires_in=expires_in, method=method, filename=filename, content_type=content_type)
        validity = self.config.presigned_expiry if expires_in is None else expires_in
        name = join_key(self._prefix, key)
        if method == "GET" and filename is None and self.config.public_base_url:
            return f"{self.config.public_base_url.rstrip('/')}/{quote(name, safe='/~')}"
        container = self._container()
        query = await self._signer.sign(
            container,
            name,
            key=key,
            method=method,
            expiry=datetime.now(timezone.utc) + validity,
            filename=filename,
        )
        base = container.get_blob_client(name).url
        return f"{base}{'&' if '?' in base else '?'}{query}"

    # -- server-side copy ----------------------------------------------------------------

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy an object server-side (Copy Blob), keeping its content type and metadata.

        Waits for a copy Azure reports as pending; a failed or aborted copy raises.

        Args:
            source: Key to copy from.
            destination: Key to copy to (replaced if it exists).

        Returns:
            Metadata of the copy.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
            StorageError: If the copy failed.
        """
        validate_key(source)
        validate_key(destination)
        return await copy_blob(self._blob(source), self._blob(destination), source, destination, self._retry)

    # -- lifecycle -----------------------------------------------------------------------

    async def close(self) -> None:
        """Close the client (and credential) the storage created; safe to call twice.

        The storage stays usable: the next operation opens a new client.
        """
        client, self._client = (self._client, None) if self._owns_client else (None, self._client)
        self._operations = None
        credential, self._owned_credential = self._owned_credential, None
        try:
            if client is not None:
                await client.close()
        finally:
            if credential is not None:
                await credential.close()

    def __repr__(self) -> str:
        return f"AzureStorage(container={self.config.container!r}, prefix={self._prefix!r})"
