"""``AzureStorage``: the Storage protocol on Azure Blob Storage (azure-storage-blob aio)."""

from __future__ import annotations

import asyncio
import builtins
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit

from azure.core import MatchConditions
from azure.storage.blob import BlobBlock, BlobType, ContentSettings
from azure.storage.blob.aio import ContainerClient
from litestar_storages.backends.azure.blocks import (
    block_id,
    check_part_number,
    new_upload_id,
    require_parts,
    upload_blocks,
)
from litestar_storages.backends.azure.config import MAX_BLOCK_SIZE, AzureConfig
from litestar_storages.backends.azure.copying import CopyState, wait_for_copy
from litestar_storages.backends.azure.download import RangeDownload
from litestar_storages.backends.azure.errors import BACKEND, MAPPER
from litestar_storages.backends.azure.metadata import decode_metadata, encode_metadata
from litestar_storages.backends.azure.sas import SasSigner
from litestar_storages.base import BaseStorage
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import (
    ConfigurationError,
    InvalidDataError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StorageValidationError,
    UnsupportedOperationError,
)
from litestar_storages.keys import join_key, normalize_prefix, strip_prefix, validate_key, validate_prefix
from litestar_storages.progress import ProgressReporter
from litestar_storages.ranges import validate_range
from litestar_storages.retry import RetryConfig, with_retry
from litestar_storages.streams import ByteStream
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile

if TYPE_CHECKING:
    from azure.storage.blob import BlobProperties
    from azure.storage.blob.aio import BlobClient
    from litestar_storages.protocol import HttpMethod
    from litestar_storages.streams import PutData

__all__ = ("AzureStorage",)

T = TypeVar("T")


def _etag(value: object) -> str | None:
    return str(value).strip('"') if value else None


class AzureStorage(BaseStorage):
    """Files in an Azure Blob Storage container, through the async azure-storage-blob SDK.

    One ``ContainerClient`` is created on first use and reused by every operation;
    :meth:`close` (or leaving ``async with``) closes it, and the next operation opens a
    new one. A client passed in is used as is and never closed by the storage.

    Example:
        >>> storage = AzureStorage(AzureConfig(container="uploads", connection_string=conn))  # doctest: +SKIP
        >>> await storage.put("photos/cat.jpg", data)  # doctest: +SKIP
    """

    __slots__ = ("_aborted", "_client", "_owned_credential", "_owns_client", "_prefix", "_retry", "_signer", "config")

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
        if config is None:
            if client is None:
                raise ConfigurationError("AzureStorage needs an AzureConfig or a ContainerClient", field="container")
            parts = urlsplit(client.url)
            account_url = f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}"
            config = AzureConfig(container=client.container_name, account_url=account_url)
        elif client is not None and client.container_name != config.container:
            raise ConfigurationError(
                f"AzureConfig.container is {config.container!r} but the client's container is "
                f"{client.container_name!r}",
                field="container",
            )
        self.config = config
        self._prefix = normalize_prefix(config.prefix)
        self._retry = config.retry or RetryConfig()
        self._client = client
        self._owns_client = client is None
        self._owned_credential: Any = None
        self._signer = SasSigner(config.account_key)
        self._aborted: set[str] = set()

    # -- client and request plumbing ---------------------------------------------------

    def _container(self) -> ContainerClient:
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _new_client(self) -> ContainerClient:
        config = self.config
        options: dict[str, Any] = {
            # Retries happen once, in with_retry around each request, not also in the SDK.
            "retry_total": 0,
            "max_single_put_size": max(config.block_size, 64 * 1024 * 1024),
            "max_block_size": min(config.block_size, MAX_BLOCK_SIZE),
            "connection_timeout": config.connection_timeout,
            "read_timeout": config.read_timeout,
        }
        credential = config.credential if config.connection_string is not None else self._credential()
        try:
            if config.connection_string is not None:
                return ContainerClient.from_connection_string(
                    config.connection_string, config.container, credential=credential, **options
                )
            return ContainerClient(config.account_url or "", config.container, credential=credential, **options)
        except ValueError as error:
            field = "connection_string" if config.connection_string is not None else "account_url"
            raise ConfigurationError(f"{BACKEND}: cannot build the Azure client: {error}", field=field) from error

    def _credential(self) -> Any:
        config = self.config
        if config.account_key is not None:
            return config.account_key
        if config.credential is not None:
            return config.credential
        if "?" in (config.account_url or ""):
            return None  # a SAS token in the URL authorizes every request
        if self._owned_credential is None:
            try:
                # Optional extra ([identity]): imported only when no other credential is configured.
                from azure.identity.aio import (  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: PLC0415
                    DefaultAzureCredential,
                )
            except ImportError as error:
                raise ConfigurationError(
                    f"{BACKEND}: AzureConfig.account_url has no account_key, credential or SAS token; install "
                    "litestar-storages-azure[identity] to use DefaultAzureCredential, or set one of them",
                    field="credential",
                ) from error
            self._owned_credential = DefaultAzureCredential()
        return self._owned_credential

    def _blob(self, key: str) -> BlobClient:
        return self._container().get_blob_client(join_key(self._prefix, key))

    async def _call(self, key: str | None, operation: Callable[[], Awaitable[T]]) -> T:
        async def attempt() -> T:
            with MAPPER.guard(key):
                return await operation()

        return await with_retry(attempt, self._retry)

    def _stored(self, key: str, properties: BlobProperties) -> StoredFile:
        settings = properties.content_settings
        return StoredFile(
            key=key,
            size=int(properties.size or 0),
            content_type=settings.content_type if settings else None,
            etag=_etag(properties.etag),
            last_modified=properties.last_modified,
            metadata=decode_metadata(properties.metadata),
        )

    async def _properties(self, key: str) -> BlobProperties:
        blob = self._blob(key)
        return await self._call(key, blob.get_blob_properties)

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
        return await self._put(
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            progress=progress,
            block_size=self.config.block_size,
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
        block_size: int,
    ) -> StoredFile:
        validate_key(key)
        resolved_type = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        stream = ByteStream(data, chunk_size=min(block_size, 1024 * 1024), key=key)
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
        settings = ContentSettings(content_type=resolved_type)
        encoded = encode_metadata(checked)
        blob = self._blob(key)
        try:
            first = await stream.read(block_size)
            second = await stream.read(block_size) if len(first) == block_size else b""
            if not second:
                result = await self._call(
                    key,
                    lambda: blob.upload_blob(
                        first,
                        blob_type=BlobType.BLOCKBLOB,
                        length=len(first),
                        overwrite=overwrite,
                        content_settings=settings,
                        metadata=encoded,
                    ),
                )
                await reporter.advance(len(first))
                size = len(first)
            else:
                if not overwrite and await self.exists(key):
                    # Fail before uploading the blocks; the commit below stays conditional.
                    raise StorageFileExistsError(f"{BACKEND}: file already exists: {key!r}", key=key)
                upload_id = new_upload_id()

                async def stage(identifier: str, block: bytes) -> None:
                    await self._call(key, lambda: blob.stage_block(identifier, block, length=len(block)))

                blocks = [first, second]
                del first, second
                ids, size = await upload_blocks(
                    stage,
                    stream,
                    blocks,
                    upload_id=upload_id,
                    block_size=block_size,
                    max_concurrency=self.config.max_concurrency,
                    reporter=reporter,
                    key=key,
                )
                result = await self._commit(blob, key, ids, settings, encoded, overwrite=overwrite)
        finally:
            await stream.aclose()
        return StoredFile(
            key=key,
            size=size,
            content_type=resolved_type,
            etag=_etag(result.get("etag")),
            last_modified=result.get("last_modified"),
            metadata=checked,
        )

    async def _commit(
        self,
        blob: BlobClient,
        key: str,
        ids: builtins.list[str],
        settings: ContentSettings,
        encoded: dict[str, str],
        *,
        overwrite: bool,
    ) -> dict[str, Any]:
        conditions: dict[str, Any] = {} if overwrite else {"match_condition": MatchConditions.IfMissing}
        blocks = [BlobBlock(block_id=identifier) for identifier in ids]
        return await self._call(
            key,
            lambda: blob.commit_block_list(blocks, content_settings=settings, metadata=encoded, **conditions),
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
        blob = self._blob(validate_key(key))
        if last is not None and last == first:
            await self._properties(key)  # an empty range still needs the object to exist
            return
        download = RangeDownload(blob, key=key, start=first, end=last, retry=self._retry)
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
        return self._stored(key, await self._properties(key))

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
            StorageValidationError: If ``limit`` is negative.
        """
        validate_prefix(prefix)
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise StorageValidationError(f"limit must be None or an int >= 0, got {limit!r}")
        remaining = limit
        token: str | None = None
        name_prefix = join_key(self._prefix, prefix) or None
        while remaining != 0:
            page_size = self.config.list_page_size if remaining is None else min(remaining, self.config.list_page_size)
            fetch = functools.partial(self._list_page, name_prefix, page_size, token)
            page, token = await self._call(prefix or None, fetch)
            for properties in page:
                yield self._stored(strip_prefix(self._prefix, properties.name), properties)
                if remaining is not None:
                    remaining -= 1
                    if remaining == 0:
                        return
            if not token:
                return

    async def _list_page(
        self, name_prefix: str | None, page_size: int, token: str | None
    ) -> tuple[builtins.list[BlobProperties], str | None]:
        pages = (
            self._container()
            .list_blobs(name_starts_with=name_prefix, include=["metadata"], results_per_page=page_size)
            .by_page(continuation_token=token)
        )
        page = await anext(pages)
        items = [properties async for properties in page]
        return items, pages.continuation_token  # type: ignore[attr-defined]

    # -- deleting ------------------------------------------------------------------------

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete the object (and its snapshots).

        Args:
            key: The object's key.
            missing_ok: Succeed silently when the key does not exist.

        Raises:
            StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false.
        """
        blob = self._blob(validate_key(key))
        try:
            await self._call(key, lambda: blob.delete_blob(delete_snapshots="include"))
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
            expires_in: Validity; ``AzureConfig.presigned_expiry`` when omitted.
            method: ``"GET"`` or ``"PUT"``.
            filename: For GET, the download name (signed Content-Disposition).
            content_type: Accepted for the protocol; Azure SAS cannot bind it.

        Returns:
            The URL; for GET with ``public_base_url`` set and no ``filename``, the
            unsigned public URL.

        Raises:
            ConfigurationError: If there is neither an account key nor a token credential.
            UnsupportedOperationError: For a method other than GET and PUT.
        """
        validate_key(key)
        if method not in ("GET", "PUT"):
            raise UnsupportedOperationError(f"{BACKEND} cannot make {method} URLs (only GET and PUT)", key=key)
        validity = self.config.presigned_expiry if expires_in is None else expires_in
        if not isinstance(validity, timedelta) or validity <= timedelta(0):
            raise StorageValidationError(f"expires_in must be a positive timedelta, got {expires_in!r}", key=key)
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
        source_blob = self._blob(source)
        target = self._blob(destination)
        result = await self._call(source, lambda: target.start_copy_from_url(source_blob.url))

        async def poll() -> CopyState[BlobProperties]:
            properties = await self._properties(destination)
            return properties.copy.status, properties.copy.status_description, properties

        if result.get("copy_status") == "pending":
            properties = await wait_for_copy(poll, key=destination)
        else:
            properties = await self._properties(destination)
        return self._stored(destination, properties)

    # -- manual multipart uploads (blocks) -----------------------------------------------

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin an upload in parts; each part becomes one staged block.

        No request is made: Azure has no upload session, the parts are blocks staged
        under the final name and nothing is visible until :meth:`complete_multipart_upload`.

        Args:
            key: The key the object will have.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Nominal size of each part (at most 4000 MiB).

        Returns:
            The upload's state.
        """
        validate_key(key)
        if not isinstance(part_size, int) or not 1 <= part_size <= MAX_BLOCK_SIZE:
            raise StorageValidationError(f"part_size must be 1 to {MAX_BLOCK_SIZE} bytes, got {part_size!r}", key=key)
        return MultipartUpload(
            upload_id=new_upload_id(),
            key=key,
            part_size=part_size,
            content_type=resolve_content_type(key, content_type),
            metadata=validate_metadata(metadata, key=key),
        )

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Stage one part as a block and record it in ``upload.parts``.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
            part_number: The part's 1-based position (1 to 10,000).
            data: The part's bytes.

        Returns:
            The block id, recorded as the part's tag.

        Raises:
            StorageError: If the upload was aborted.
        """
        self._check_active(upload)
        check_part_number(part_number, upload.key)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidDataError(f"Parts must be bytes, got {type(data).__name__}", key=upload.key)
        payload = bytes(data)
        identifier = block_id(upload.upload_id, part_number)
        blob = self._blob(upload.key)
        await self._call(upload.key, lambda: blob.stage_block(identifier, payload, length=len(payload)))
        upload.add_part(part_number, identifier)
        return identifier

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Commit the staged parts, in part-number order, as the object.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageError: If the upload was aborted or has no parts.
        """
        self._check_active(upload)
        ids = require_parts(upload.parts, upload.key)
        blob = self._blob(upload.key)
        settings = ContentSettings(content_type=upload.content_type)
        await self._commit(blob, upload.key, ids, settings, encode_metadata(upload.metadata), overwrite=True)
        return await self.info(upload.key)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Abandon an upload: its staged blocks are never committed.

        Azure has no request to discard uncommitted blocks; it garbage-collects them
        after a week (or when another upload of the key commits).

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
        """
        self._aborted.add(upload.upload_id)
        upload.parts.clear()

    def _check_active(self, upload: MultipartUpload) -> None:
        if upload.upload_id in self._aborted:
            raise StorageError(f"Multipart upload {upload.upload_id!r} of {upload.key!r} was aborted", key=upload.key)

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
        """Upload a large object as staged blocks of ``part_size`` bytes.

        Args:
            key: The object's key.
            data: Anything :meth:`put` accepts.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Block size; ``AzureConfig.block_size`` when omitted.
            progress_callback: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored object.
        """
        size = self.config.block_size if part_size is None else part_size
        if not isinstance(size, int) or not 1 <= size <= MAX_BLOCK_SIZE:
            raise StorageValidationError(f"part_size must be 1 to {MAX_BLOCK_SIZE} bytes, got {part_size!r}", key=key)
        return await self._put(
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=True,
            progress=progress_callback,
            block_size=size,
        )

    # -- lifecycle -----------------------------------------------------------------------

    async def close(self) -> None:
        """Close the client (and credential) the storage created; safe to call twice.

        The storage stays usable: the next operation opens a new client.
        """
        client, self._client = (self._client, None) if self._owns_client else (None, self._client)
        credential, self._owned_credential = self._owned_credential, None
        try:
            if client is not None:
                await client.close()
        finally:
            if credential is not None:
                await credential.close()

    def __repr__(self) -> str:
        return f"AzureStorage(container={self.config.container!r}, prefix={self._prefix!r})"
