"""``FileSystemDriver``: the engine's primitives over a local folder, one thread hop each.

Every primitive resolves its name below the root's descriptor (:mod:`.paths`), never
through a link, and does all its blocking work in one worker-thread hop: ``stat``-sized
calls through the :class:`~.call_queue.CallQueue`, calls that own a descriptor or a
temporary file through :func:`~.threads.hop` (which releases them if the caller is
cancelled). Names are the storage's keys (the filesystem backend has no prefix); the
engine has checked them, and :func:`~.names.check_reserved` adds the backend's one rule:
no segment may start with ``.lss~``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine import DirPage, ListPage, RangeBody, whole_body
from litestar_storages.opened import OpenedObject
from litestar_storages.protocol import HttpMethod
from litestar_storages.types import StoredFile

from . import files, listing, multipart
from .atomic import write_file_sync, write_stream
from .call_queue import CallQueue
from .config import FileSystemConfig
from .errors import BACKEND, error_mapper
from .folder_page import folder_page
from .metadata import encode_sidecar, etag_of, stored_file
from .names import check_reserved
from .opened_file import close_opening, open_object_sync, opened_object
from .paths import Root
from .reads import close_opened, open_range_sync, read_chunks
from .signing import quote_key, sign_url
from .threads import hop

__all__ = ("FILESYSTEM_ATTRIBUTES", "FileSystemDriver", "SigningFileSystemDriver", "build_driver")

FILESYSTEM_ATTRIBUTES = frozenset(
    {"cache_control", "content_disposition", "content_encoding", "content_language", "tags"}
)
"""The attributes ``FileSystemStorage`` keeps in the sidecar: all but ``acl``, ``encryption``, ``storage_class``."""

_LIST_BATCH = 128
"""Files fetched per thread hop while listing (fewer when the caller wants fewer)."""
_MAX_PART_SIZE = 5 * 1024**3
"""Largest part of a manual multipart upload (S3's: parts may be any size on disk)."""


def _check_listing_prefix(prefix: str) -> None:
    # The whole folders of a prefix are opened as they are: one of the storage's own
    # (".lss~multipart/") would list its internal files as keys no call can use.
    folders = prefix.rpartition("/")[0]
    if folders:
        check_reserved(folders)


class FileSystemDriver:
    """Primitives over one root folder: atomic writes, streamed writes, walked listings, parts."""

    name = BACKEND
    attribute_names = FILESYSTEM_ATTRIBUTES
    """Kept in the sidecar and served by the Litestar plugin; no meaning on disk for acl, encryption, storage_class."""
    retry = None  # local calls: nothing transient to retry
    max_batch = 1 << 62
    """Every name in one batch: all are checked before any file is deleted, in one thread hop."""
    max_concurrency = 1  # parts of a streamed put are never sent in parallel: they stream to one file
    max_part_size = _MAX_PART_SIZE
    max_parts = 10_000
    durable_parts = True  # parts are files of the storage's folder (SupportsDurableParts)

    def __init__(self, config: FileSystemConfig) -> None:
        """Create the driver; the root is opened (and created, if configured) on first use.

        Args:
            config: The storage's configuration.
        """
        self.config = config
        self.root = Root(Path(config.path), create=config.create_dirs)
        self.errors = error_mapper()
        self.part_size = config.chunk_size
        # stat-sized calls share a few worker threads instead of one thread hop each.
        self.calls = CallQueue()

    # -- objects ----------------------------------------------------------------------------

    async def head(self, name: str) -> StoredFile | None:  # noqa: D102 - documented by the Driver protocol
        return await self.calls.run(files.info_sync, self.root, check_reserved(name))

    async def exists(self, name: str) -> bool:  # noqa: D102 - documented by SupportsExists
        return await self.calls.run(files.exists_sync, self.root, check_reserved(name))

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        chunk_size = self.config.chunk_size
        fd, chunk, first, stop, stat = await hop(
            open_range_sync, self.root, check_reserved(name), start, end, chunk_size, on_abandon=close_opened
        )
        # The engine only pins resumes to the etag: no sidecar is read for a download.
        file = StoredFile(key=name, size=stat.st_size, etag=etag_of(stat))
        if fd is None:
            return whole_body(file, first, stop, chunk)
        return RangeBody(file, first, stop, read_chunks(fd, chunk, first + len(chunk), stop, chunk_size))

    async def open_object(self, name: str) -> OpenedObject:
        """Open a file with its metadata (and, when small, its bytes) in one queued thread call.

        Args:
            name: The file's (validated) name.

        Returns:
            The opened version; the caller closes it.
        """
        opening = await self.calls.run(open_object_sync, self.root, check_reserved(name), on_abandon=close_opening)
        return opened_object(opening, self.config.chunk_size, self.errors)

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
        check_reserved(name)
        sidecar = encode_sidecar(name, content_type, dict(metadata), attributes)
        config = self.config
        stat = await hop(
            write_file_sync,
            self.root,
            name,
            body,
            sidecar,
            overwrite=overwrite,
            permissions=config.permissions,
            durable=config.fsync,
        )
        return stored_file(name, stat, (content_type, dict(metadata), attributes))

    async def write_stream(  # noqa: D102
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
        check_reserved(name)
        sidecar = encode_sidecar(name, content_type, dict(metadata), attributes)
        config = self.config
        stat = await write_stream(
            self.root,
            name,
            chunks,
            sidecar,
            overwrite=overwrite,
            permissions=config.permissions,
            durable=config.fsync,
        )
        return stored_file(name, stat, (content_type, dict(metadata), attributes))

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        return await self.calls.run(files.delete_sync, self.root, check_reserved(name))

    async def delete_batch(self, names: Sequence[str]) -> None:  # noqa: D102
        checked = [check_reserved(name) for name in names]
        await asyncio.to_thread(files.delete_many_sync, self.root, checked)

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        _check_listing_prefix(prefix)
        walk = listing.iter_files(self.root, prefix, token or "")
        page = await asyncio.to_thread(listing.take, walk, page_size)
        return ListPage(page, page[-1].key if len(page) == page_size else None)

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:
        """List one page of one folder: one ``scandir`` of it, in a worker thread (see :mod:`.folder_page`).

        Args:
            prefix: The folder (``""`` or ending with ``/``).
            token: The previous page's last entry, or ``None``.
            page_size: Most entries in the page.

        Returns:
            The page.
        """
        if prefix:
            check_reserved(prefix[:-1])
        files, folders, following = await asyncio.to_thread(folder_page, self.root, prefix, token or "", page_size)
        return DirPage(files, folders, following)

    async def list_stream(self, prefix: str, limit: int | None) -> AsyncIterator[Sequence[StoredFile]]:
        """Walk the folders the prefix can match, one batch per thread hop, in key order.

        Args:
            prefix: The key prefix.
            limit: Most files the caller will take, or ``None``.

        Yields:
            Batches of files, in key order.
        """
        _check_listing_prefix(prefix)
        walk = listing.iter_files(self.root, prefix)
        try:
            while True:
                # Small first batch: a caller asking for a handful gets them after one hop.
                size = _LIST_BATCH if limit is None else min(limit, _LIST_BATCH)
                batch = await asyncio.to_thread(listing.take, walk, size)
                if batch:
                    yield batch
                if len(batch) < size:
                    return
                if limit is not None:
                    limit -= len(batch)
        finally:
            # Release the folders the walk holds open. A walk still running in its thread
            # (the caller was cancelled) refuses: it is closed when that thread lets go of it.
            with contextlib.suppress(ValueError):
                walk.close()

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        config = self.config
        return await asyncio.to_thread(
            files.copy_sync,
            self.root,
            check_reserved(source),
            check_reserved(destination),
            config.permissions,
            config.fsync,
        )

    async def move(self, source: str, destination: str) -> StoredFile:
        """Rename a file with its metadata (copy and delete only across filesystems).

        Args:
            source: The source name.
            destination: The destination name.

        Returns:
            Metadata of the file at its new name.
        """
        config = self.config
        return await asyncio.to_thread(
            files.move_sync,
            self.root,
            check_reserved(source),
            check_reserved(destination),
            config.permissions,
            config.fsync,
        )

    async def close(self) -> None:  # noqa: D102
        self.root.forget()  # closed once no running operation uses it; the next use opens it again

    # -- SupportsParts: manual multipart uploads staged on disk (see multipart.py) ------------

    async def begin_parts(  # noqa: D102
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        upload_id = multipart.new_upload_id()
        await asyncio.to_thread(
            multipart.start_sync,
            self.root,
            check_reserved(name),
            upload_id,
            content_type=content_type,
            metadata=metadata,
            permissions=self.config.permissions,
        )
        return upload_id

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        return await asyncio.to_thread(
            multipart.upload_part_sync,
            self.root,
            check_reserved(name),
            upload_id,
            number,
            body,
            permissions=self.config.permissions,
        )

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
        # The content type and metadata are the manifest's, written when the upload began;
        # the attributes come with the commit (the engine passes the upload's own).
        config = self.config
        return await asyncio.to_thread(
            multipart.complete_sync,
            self.root,
            check_reserved(name),
            upload_id,
            parts,
            permissions=config.permissions,
            durable=config.fsync,
            attributes=attributes,
        )

    async def abort_parts(self, name: str, upload_id: str) -> None:  # noqa: D102
        await asyncio.to_thread(multipart.abort_sync, self.root, check_reserved(name), upload_id)

    # -- SupportsAddressUrls ---------------------------------------------------------------

    def address(self, name: str) -> str:
        """Return ``base_url + "/" + quoted name``, or the file's ``file://`` URI without a base URL.

        Args:
            name: The file's name.

        Returns:
            The URL (existence is not checked).
        """
        check_reserved(name)
        base_url = self.config.base_url
        if base_url is not None:
            return f"{base_url.rstrip('/')}/{quote_key(name)}"
        return Path(f"{self.root.configured}/{name}").as_uri()


class SigningFileSystemDriver(FileSystemDriver):
    """The driver of a storage with a ``signing_secret``: HMAC-signed URLs below ``base_url``."""

    url_methods: frozenset[HttpMethod] = frozenset({"GET", "PUT"})

    def __init__(self, config: FileSystemConfig) -> None:
        super().__init__(config)
        self.default_url_expiry: timedelta = config.signed_url_expiry

    async def sign_url(
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        """Sign a URL for the route serving (or accepting) the file (HMAC; see the ``signing`` module).

        Args:
            name: The file's name.
            method: ``"GET"`` or ``"PUT"``.
            expires_in: The checked validity.
            content_disposition: For GET: the header the engine built from the caller's
                file name; the name itself is bound into the URL.
            content_type: For PUT: the content type the uploader must send.

        Returns:
            The URL.
        """
        config = self.config
        secret, base_url = config.signing_secret, config.base_url
        assert secret is not None  # noqa: S101 - build_driver chose this driver for it
        assert base_url is not None  # noqa: S101 - the configuration requires it with a secret
        return sign_url(
            base_url,
            check_reserved(name),
            secret,
            expires_at=int(time.time() + expires_in.total_seconds()),
            method=method,
            filename=filename_of(content_disposition),
            content_type=content_type,
        )


def filename_of(content_disposition: str | None) -> str | None:
    """Return the file name a value of :func:`~litestar_storages.disposition.content_disposition` was built from.

    The builder writes ``filename="<ASCII fallback>"`` (which holds no ``"``), then, when
    the fallback differs from the name, the exact name percent-encoded in ``filename*``.

    Args:
        content_disposition: The header value, or ``None``.

    Returns:
        The file name, or ``None`` when the value names none.
    """
    if content_disposition is None:
        return None
    _, found, rest = content_disposition.partition('; filename="')
    if not found:
        return None
    fallback, _, after = rest.partition('"')
    # Only what follows the quoted fallback: the name itself may hold "filename*=".
    _, star, encoded = after.partition("; filename*=UTF-8''")
    return unquote(encoded, errors="strict") if star else fallback


def build_driver(config: FileSystemConfig) -> FileSystemDriver:
    """Return the driver for ``config``: a signing one when it has a ``signing_secret``.

    Args:
        config: The storage's configuration.

    Returns:
        The driver.
    """
    if config.signing_secret is not None:
        return SigningFileSystemDriver(config)
    return FileSystemDriver(config)
