"""``FileSystemStorage``: files in a local folder, written atomically, never outside it."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Union

from litestar_storages.base import BaseStorage
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import (
    ConfigurationError,
    UnsupportedOperationError,
)
from litestar_storages.keys import validate_prefix
from litestar_storages.listing import validate_limit
from litestar_storages.parts import validate_part
from litestar_storages.progress import ProgressReporter
from litestar_storages.protocol import HttpMethod
from litestar_storages.ranges import validate_range
from litestar_storages.streams import ByteStream, PutData
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile
from litestar_storages.url_arguments import check_url_arguments

from . import files, listing, maintenance, multipart
from .atomic import StreamingWrite, hop, write_file_sync
from .call_queue import CallQueue
from .config import FileSystemConfig
from .errors import error_mapper
from .maintenance import CleanupReport
from .metadata import Sidecar, encode_sidecar, stored_file
from .names import check_key
from .paths import Root
from .reads import read_range
from .signing import SignedAccess, quote_key, sign_url, verify_signature

__all__ = ("FileSystemStorage",)

_LIST_BATCH = 128  # files fetched per thread hop while listing


class FileSystemStorage(BaseStorage):
    """Files in a local folder: atomic writes, persistent metadata, signed URLs.

    Every key is a file below ``config.path``, resolved one segment at a time relative to
    an open descriptor of the root and never through a symbolic link, so nothing outside
    it is ever touched, even by a process racing to swap folders for links. Writes go to
    a locked temporary file renamed into place once complete. Content type and custom
    metadata live in hidden sidecar files no key can address. Blocking work runs in worker
    threads, a whole small operation per hop.

    Example:
        >>> storage = FileSystemStorage(FileSystemConfig(path="./uploads"))  # doctest: +SKIP
        >>> await storage.put("hello.txt", b"Hello, World!")  # doctest: +SKIP
    """

    __slots__ = ("_calls", "_mapper", "_root", "config")

    backend_name = "FileSystemStorage"

    def __init__(self, config: FileSystemConfig) -> None:
        """Create the storage; the root folder is created (if configured) on first use.

        Args:
            config: Where and how to store files.

        Raises:
            ConfigurationError: If ``config`` is not a :class:`FileSystemConfig`, or the
                platform is not POSIX.
        """
        if not isinstance(config, FileSystemConfig):
            raise ConfigurationError(
                f"FileSystemStorage needs a FileSystemConfig, got {type(config).__name__}", field="config"
            )
        if os.name != "posix":
            raise ConfigurationError("FileSystemStorage supports POSIX systems (Linux, macOS) only", field="path")
        self.config = config
        self._root = Root(Path(config.path), create=config.create_dirs)
        self._mapper = error_mapper()
        # stat-sized calls share a few worker threads instead of one thread hop each.
        self._calls = CallQueue()

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
        """Store data at ``key`` atomically, streaming it to disk.

        Readers see the previous version until the new one is complete; a failing or
        cancelled input stream leaves the previous version (or nothing) and no temporary
        file. The exception raised by the input stream propagates unchanged.

        Args:
            key: The object's key.
            data: Bytes, a sync or async iterable of bytes, or a file-like object.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            overwrite: When ``False``, fail atomically if the key exists.
            progress: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored file.

        Raises:
            StorageFileExistsError: If ``overwrite`` is false and the key exists.
            StoragePermissionError: If the key's path meets a symbolic link.
            StorageValidationError: If the key, metadata or data is invalid (keys may not
                have a segment starting with ``.lss~``, reserved for the storage's own files).
        """
        check_key(key)
        resolved_type = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        sidecar = encode_sidecar(key, resolved_type, checked)
        config = self.config
        if isinstance(data, (bytes, bytearray, memoryview)) and (
            progress is None or memoryview(data).nbytes <= config.chunk_size
        ):
            # Whole payload in hand: one thread hop does everything.
            with self._mapper.guard(key):
                stat = await hop(
                    write_file_sync,
                    self._root,
                    key,
                    data,
                    sidecar,
                    overwrite=overwrite,
                    permissions=config.permissions,
                    durable=config.fsync,
                )
            reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stat.st_size)
            await reporter.advance(stat.st_size)
            return stored_file(key, stat, (resolved_type, checked))
        stream = ByteStream(data, chunk_size=config.chunk_size, key=key)
        reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=stream.size)
        stat = await self._put_stream(key, stream, sidecar, overwrite, reporter)
        return stored_file(key, stat, (resolved_type, checked))

    async def _put_stream(
        self, key: str, stream: ByteStream, sidecar: Sidecar | None, overwrite: bool, reporter: ProgressReporter
    ) -> os.stat_result:
        config = self.config
        # Small streams are gathered and written in one hop; larger ones stream through
        # a temporary file once a chunk's worth has arrived.
        buffered: list[bytes] = []
        size = 0
        writer: StreamingWrite | None = None
        try:
            # Iterating the caller's stream stays outside the error guard: its exceptions are its own.
            async for chunk in stream:
                if writer is not None:
                    with self._mapper.guard(key):
                        await writer.write(chunk)
                    continue
                buffered.append(chunk)
                size += len(chunk)
                if size >= config.chunk_size:
                    with self._mapper.guard(key):
                        writer = await StreamingWrite.open(
                            self._root,
                            key,
                            b"".join(buffered),
                            overwrite=overwrite,
                            permissions=config.permissions,
                            reporter=reporter,
                        )
                    buffered = []
            if writer is None:
                with self._mapper.guard(key):
                    stat = await hop(
                        write_file_sync,
                        self._root,
                        key,
                        b"".join(buffered),
                        sidecar,
                        overwrite=overwrite,
                        permissions=config.permissions,
                        durable=config.fsync,
                    )
                await reporter.advance(size)
                return stat
            with self._mapper.guard(key):
                return await writer.finish(
                    sidecar, overwrite=overwrite, permissions=config.permissions, durable=config.fsync
                )
        except asyncio.CancelledError:
            if writer is not None:
                writer.discard()  # no waiting while being cancelled: cleans up when the thread is done
            raise
        except BaseException:
            if writer is not None:
                await writer.abort()
            raise

    # -- reading -------------------------------------------------------------------------

    async def get(
        self,
        key: str,
        *,
        start: int | None = None,
        end: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[bytes]:
        """Stream a file's bytes in ``config.chunk_size`` chunks, optionally a range of them.

        The file is opened once; a file replaced while it is read keeps streaming the
        version that was opened.

        Args:
            key: The object's key.
            start: First byte to read (default 0).
            end: Byte after the last to read (default: end of file).
            progress: Sync or async callback receiving download progress.

        Yields:
            Chunks of the file.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
            InvalidRangeError: If the range is negative or inverted.
        """
        check_key(key)
        first, last = validate_range(start, end, key=key)
        async for chunk in read_range(
            self._root, key, first, last, chunk_size=self.config.chunk_size, mapper=self._mapper, progress=progress
        ):
            yield chunk

    async def exists(self, key: str) -> bool:
        """Tell whether a file exists at ``key`` (a folder is not a key).

        Args:
            key: The object's key.

        Returns:
            ``True`` if the file exists.
        """
        check_key(key)
        with self._mapper.guard(key):
            return await self._calls.run(files.exists_sync, self._root, key)

    async def info(self, key: str) -> StoredFile:
        """Return a file's metadata without reading it.

        Args:
            key: The object's key.

        Returns:
            Its size, content type, etag, modification time and custom metadata.

        Raises:
            StorageFileNotFoundError: If the key does not exist.
        """
        check_key(key)
        with self._mapper.guard(key):
            return await self._calls.run(files.info_sync, self._root, key)

    async def list(self, prefix: str = "", *, limit: int | None = None) -> AsyncIterator[StoredFile]:
        """List files whose keys start with ``prefix``, in key order, lazily.

        Only folders the prefix can match are read, and the walk stops once ``limit``
        files were yielded. Temporary files and metadata sidecars never appear.

        Args:
            prefix: Any string prefix of keys (``"photos/ca"`` matches ``"photos/cat.jpg"``).
            limit: Stop after this many files.

        Yields:
            Metadata of each file.

        Raises:
            InvalidKeyError: If the prefix could never match a valid key.
            StorageValidationError: If ``limit`` is not ``None`` or an ``int`` >= 0 (``bool`` included).
        """
        validate_prefix(prefix)
        remaining = validate_limit(limit)
        if remaining == 0:
            return
        walk = listing.iter_files(self._root, prefix)
        while True:
            # Small first batch: a caller asking for a handful gets them after one hop.
            batch_size = _LIST_BATCH if remaining is None else min(remaining, _LIST_BATCH)
            with self._mapper.guard(prefix or None):
                batch = await asyncio.to_thread(listing.take, walk, batch_size)
            for item in batch:
                yield item
            if remaining is not None:
                remaining -= len(batch)
                if remaining <= 0:
                    return
            if len(batch) < batch_size:
                return

    # -- deleting, copying, moving ---------------------------------------------------------

    async def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete a file, its metadata, and the folders it leaves empty (up to the root).

        Args:
            key: The object's key.
            missing_ok: Succeed silently when the key does not exist.

        Raises:
            StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false.
        """
        check_key(key)
        with self._mapper.guard(key):
            await self._calls.run(files.delete_sync, self._root, key, missing_ok)

    async def delete_many(self, keys: Iterable[str]) -> None:
        """Delete several files in one thread hop; missing keys are skipped.

        Args:
            keys: The keys to delete.

        Raises:
            InvalidKeyError: If any key is invalid (nothing is deleted then).
        """
        checked = [check_key(key) for key in keys]
        if checked:
            with self._mapper.guard():
                await asyncio.to_thread(files.delete_many_sync, self._root, checked)

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy a file with its content type and metadata (kernel copy, atomic replace).

        Args:
            source: Key to copy from.
            destination: Key to copy to (replaced if it exists).

        Returns:
            Metadata of the copy.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
        """
        check_key(source)
        check_key(destination)
        with self._mapper.guard(source):
            return await asyncio.to_thread(
                files.copy_sync, self._root, source, destination, self.config.permissions, self.config.fsync
            )

    async def move(self, source: str, destination: str) -> StoredFile:
        """Move a file with its metadata: a rename (copy and delete only across filesystems).

        Args:
            source: Key to move from.
            destination: Key to move to (replaced if it exists).

        Returns:
            Metadata of the file at its new key.

        Raises:
            StorageFileNotFoundError: If ``source`` does not exist.
        """
        check_key(source)
        check_key(destination)
        if source == destination:
            return await self.info(source)
        with self._mapper.guard(source):
            return await asyncio.to_thread(
                files.move_sync, self._root, source, destination, self.config.permissions, self.config.fsync
            )

    # -- URLs ------------------------------------------------------------------------------

    async def url(
        self,
        key: str,
        *,
        expires_in: timedelta | None = None,
        method: HttpMethod = "GET",
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Return a URL for the file; existence is not checked.

        - With ``signing_secret``: a signed URL below ``base_url``, valid for
          ``expires_in`` (default ``signed_url_expiry``), for GET or PUT.
        - With ``base_url`` only: ``base_url + "/" + quoted key`` (``expires_in`` and
          ``filename`` are ignored: the URL is public).
        - Otherwise: a ``file://`` URI of the file.

        Args:
            key: The object's key.
            expires_in: Validity of a signed URL, 1 second to 7 days like on every
                backend (checked, then ignored, for public and ``file://`` URLs).
            method: ``"GET"`` to download, ``"PUT"`` to upload (signed URLs only).
            filename: Download name, bound into a signed GET URL.
            content_type: Upload content type, bound into a signed PUT URL.

        Returns:
            The URL.

        Raises:
            StorageValidationError: If ``expires_in`` or ``method`` is invalid
                (:func:`~litestar_storages.url_arguments.check_url_arguments`).
            InvalidMetadataError: If ``filename`` or ``content_type`` is invalid.
            UnsupportedOperationError: For ``method="PUT"`` without ``signing_secret``.
        """
        check_key(key)
        check_url_arguments(key, expires_in=expires_in, method=method, filename=filename, content_type=content_type)
        config = self.config
        if config.signing_secret is not None and config.base_url is not None:
            lifetime = config.signed_url_expiry if expires_in is None else expires_in
            return sign_url(
                config.base_url,
                key,
                config.signing_secret,
                expires_at=int(time.time() + lifetime.total_seconds()),
                method=method,
                filename=filename if method == "GET" else None,
                content_type=content_type if method == "PUT" else None,
            )
        if method == "PUT":
            raise UnsupportedOperationError(
                "FileSystemStorage makes upload URLs only when signing_secret (and base_url) are configured: "
                "they point at your own upload route",
                key=key,
            )
        if config.base_url is not None:
            return f"{config.base_url.rstrip('/')}/{quote_key(key)}"
        return Path(f"{self._root.configured}/{key}").as_uri()

    def verify_signed_url(
        self, key: str, query: Union[Mapping[str, str], str], *, method: str = "GET", now: float | None = None
    ) -> SignedAccess:
        """Check a signed URL made by :meth:`url`; call it from the route serving the files.

        Args:
            key: The key from the request path (percent-decoded).
            query: The request's query parameters (or raw query string).
            method: The request's HTTP method.
            now: The current Unix time (tests); defaults to now.

        Returns:
            What the URL grants (key, method, expiry, filename, content type).

        Raises:
            InvalidSignatureError: If the signature is missing, malformed or wrong.
            ExpiredSignatureError: If the URL has expired.
            ConfigurationError: If the storage has no ``signing_secret``.
        """
        secret = self.config.signing_secret
        if secret is None:
            raise ConfigurationError(
                "FileSystemConfig.signing_secret is not set: this storage makes no signed URLs",
                field="signing_secret",
            )
        return verify_signature(key, query, secret, method=method, now=now)

    # -- maintenance and lifecycle ---------------------------------------------------------

    async def remove_stale_files(self, *, older_than: timedelta = timedelta(hours=24)) -> CleanupReport:
        """Remove what interrupted work left behind; safe to run while the storage is in use.

        Temporary files of writers that died (killed, crashed, power loss) are removed
        whatever their age: a live writer holds a lock on its temporary file. Multipart
        uploads not touched for ``older_than`` are aborted, and metadata sidecars of file
        versions that no longer exist (left by concurrent writers) are removed once that
        old. Folders left empty are removed. This walks the whole tree: run it from a
        periodic job or at startup, not per request.

        Args:
            older_than: Age after which abandoned multipart uploads and orphaned sidecars go.

        Returns:
            What was removed.
        """
        with self._mapper.guard():
            return await asyncio.to_thread(maintenance.remove_stale_files_sync, self._root, older_than)

    async def close(self) -> None:
        """Close the root's descriptor (once no operation uses it); the next use opens the root again."""
        self._root.forget()

    # -- manual multipart uploads ------------------------------------------------------------

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin an upload sent in parts, staged on disk in the root's hidden staging area.

        Args:
            key: The key the file will have.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Nominal part size (parts may be any size on a filesystem).

        Returns:
            The upload's state; it holds everything needed to continue in another process.
        """
        check_key(key)
        upload = MultipartUpload(
            upload_id=multipart.new_upload_id(),
            key=key,
            part_size=part_size,
            content_type=resolve_content_type(key, content_type),
            metadata=validate_metadata(metadata, key=key),
        )
        with self._mapper.guard(key):
            await asyncio.to_thread(multipart.start_sync, self._root, upload, self.config.permissions)
        return upload

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Stage one part on disk (atomically) and record it in ``upload.parts``.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
            part_number: The part's 1-based position (1 to 10,000).
            data: The part's bytes.

        Returns:
            The part's etag.
        """
        validate_part(upload, part_number, data)
        with self._mapper.guard(upload.key):
            etag = await asyncio.to_thread(
                multipart.upload_part_sync, self._root, upload, part_number, data, self.config.permissions
            )
        upload.add_part(part_number, etag)
        return etag

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Join the parts, in part-number order, into the file (atomically) and drop the staging.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored file.

        Raises:
            StorageError: If the upload is unknown (completed or aborted) or a part is missing.
        """
        with self._mapper.guard(upload.key):
            return await asyncio.to_thread(
                multipart.complete_sync, self._root, upload, self.config.permissions, self.config.fsync
            )

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Discard an upload's staged parts.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
        """
        with self._mapper.guard(upload.key):
            await asyncio.to_thread(multipart.abort_sync, self._root, upload)
