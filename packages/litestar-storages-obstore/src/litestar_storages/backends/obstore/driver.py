"""``ObstoreDriver``: the engine's primitives, one obstore call each.

Every call is one of obstore's native async functions, so the request, its retries
(object_store's own policy: the engine does not retry on top) and streamed bodies run
in Rust. Uploads longer than ``part_size`` are handed to ``obstore.put_async`` as an
async iterator: obstore's own multipart upload, not the engine's Python pipeline.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import obstore
from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.backends.obstore.config import ObstoreConfig
from litestar_storages.backends.obstore.errors import error_table
from litestar_storages.backends.obstore.staging import (
    STAGING_FOLDER,
    discard_parts,
    is_staged,
    part_name,
    staged_body,
    staged_put_name,
)
from litestar_storages.backends.obstore.writes import CountedChunks, copies_if_absent, discard, no_chunks, one_chunk
from litestar_storages.concurrency import run_all
from litestar_storages.content import guess_content_type
from litestar_storages.engine import DirPage, ListPage, RangeBody, utf16_order
from litestar_storages.exceptions import StorageError, UnsupportedOperationError
from litestar_storages.header_metadata import (
    decode_header_value,
    decode_identifier_name,
    encode_header_value,
    encode_identifier_name,
)
from litestar_storages.protocol import HttpMethod
from litestar_storages.types import StoredFile
from obstore.exceptions import AlreadyExistsError, BaseError
from obstore.store import AzureStore, GCSStore, LocalStore, MemoryStore, S3Store

if TYPE_CHECKING:
    from obstore import Attributes, GetOptions, GetResult, ObjectMeta
    from obstore.store import ObjectStore

__all__ = ("ObstoreDriver", "build_driver")

_CONTENT_TYPE = "Content-Type"
_CHUNK = 64 * 1024
"""Smallest chunk a streamed download yields (obstore merges smaller network reads)."""
_WHOLE_BODY = 256 * 1024
"""Bodies up to this size are read in one call rather than streamed."""
_STANDARD_ATTRIBUTES = frozenset(
    {_CONTENT_TYPE, "Content-Disposition", "Content-Encoding", "Content-Language", "Cache-Control", "Storage-Class"}
)
_LIST_BATCH = 1000
_SORTED_LISTINGS = (S3Store, AzureStore, GCSStore, MemoryStore)
"""Stores whose listings come in key order; others (``LocalStore``) are sorted here."""
_MISSING_ON_DELETE = (AzureStore, LocalStore)
"""Stores whose delete of a missing object raises ``FileNotFoundError``: one request
tells whether it existed. S3 (and so ``S3Store``), ``MemoryStore`` and (not measured
here: no emulator speaks its XML API) ``GCSStore`` delete a missing object silently, so
the driver asks first."""
_HEAD: GetOptions = {"head": True}
_STAGED_FOLDER = STAGING_FOLDER + "/"
"""The staging area, hidden from folder listings as its objects are from listings."""
_HEADER_ATTRIBUTES = (
    ("cache_control", "Cache-Control"),
    ("content_disposition", "Content-Disposition"),
    ("content_encoding", "Content-Encoding"),
    ("content_language", "Content-Language"),
)
"""Our attribute names and object_store's: the ones every store but ``LocalStore`` keeps and reports."""
OBSTORE_ATTRIBUTES = frozenset(name for name, _ in _HEADER_ATTRIBUTES)
"""The attributes ``ObstoreStorage`` honours over every store but ``LocalStore`` (none there).

object_store can also send a storage class, but never reports it back and its S3 copy
drops it: refused. Tags are sent as well, and never reported (``head`` returns none):
they are declared, write only like ``acl``, where the store keeps them and its copy
does too, that is over ``S3Store`` only (``MemoryStore`` and ``GCSStore`` ignore them;
Azure's Copy Blob drops them, checked on Azurite)."""
_WRITE_ONLY_TAGS = (S3Store,)
"""Stores whose puts store tags and whose copies keep them."""


class ObstoreDriver:
    """Primitives over one obstore store, with obstore's streamed uploads, parts and batch deletes."""

    name = "ObstoreStorage"
    retry = None  # object_store retries requests itself
    max_batch = 1000
    max_part_size = 5 * 1024**3
    max_parts = 10_000

    def __init__(self, store: ObjectStore, config: ObstoreConfig) -> None:
        """Create the driver.

        Args:
            store: The store (shared, never closed here).
            config: The storage's configuration.
        """
        self.store = store
        self.errors = error_table(self.name)
        self.part_size = config.part_size
        self.max_concurrency = config.max_concurrency
        self.keeps_attributes = not isinstance(store, LocalStore)
        names = OBSTORE_ATTRIBUTES if self.keeps_attributes else frozenset()
        self.attribute_names = (names | {"tags"}) if isinstance(store, _WRITE_ONLY_TAGS) else names
        self.identifier_names = isinstance(store, AzureStore)  # Azure: metadata names are C# identifiers
        self.reports_missing = isinstance(store, _MISSING_ON_DELETE)
        self.copies_if_absent = copies_if_absent(store)

    def _attributes(
        self,
        name: str,
        content_type: str,
        metadata: Mapping[str, str],
        wanted: ObjectAttributes = NO_ATTRIBUTES,
    ) -> Attributes | None:
        if self.keeps_attributes:
            attributes: Attributes = {_CONTENT_TYPE: content_type}
            if wanted is not NO_ATTRIBUTES:
                # Only the header attributes reach here (the engine refused the others),
                # checked printable ASCII: sent as they are.
                for field, header in _HEADER_ATTRIBUTES:
                    value = getattr(wanted, field)
                    if value is not None:
                        attributes[header] = value
            if not metadata:
                return attributes
            # Headers on S3, Azure and GCS: non-ASCII values travel RFC 2047 encoded.
            encode_name = encode_identifier_name if self.identifier_names else str
            attributes.update({encode_name(name): encode_header_value(value) for name, value in metadata.items()})
            return attributes
        # LocalStore keeps no attributes: the content type guessed from the name is
        # what head() reports, so only that one can be "stored".
        if metadata or content_type != guess_content_type(name):
            raise UnsupportedOperationError(
                f"{type(self.store).__name__} keeps no object attributes: it cannot store "
                + ("custom metadata" if metadata else f"the content type {content_type!r}"),
                key=name,
            )
        return None

    def _file(self, meta: ObjectMeta, attributes: Attributes | None) -> StoredFile:
        name = meta["path"]
        attributes = attributes or {}
        content_type = attributes.get(_CONTENT_TYPE) or (None if self.keeps_attributes else guess_content_type(name))
        metadata = {
            # Custom names come back as the service keeps them; ours are lower case.
            decode_identifier_name(str(key)) if self.identifier_names else str(key).lower(): decode_header_value(value)
            for key, value in attributes.items()
            if key not in _STANDARD_ATTRIBUTES
        }
        reported: dict[str, Any] = {
            field: attributes[header] for field, header in _HEADER_ATTRIBUTES if header in attributes
        }
        return StoredFile(
            key=name,
            size=meta["size"],
            content_type=content_type,
            etag=meta["e_tag"],
            last_modified=meta["last_modified"],
            metadata=metadata,
            attributes=ObjectAttributes(**reported) if reported else NO_ATTRIBUTES,
        )

    def _result_file(self, result: GetResult) -> StoredFile:
        return self._file(result.meta, result.attributes)

    async def head(self, name: str) -> StoredFile | None:  # noqa: D102 - documented by the Driver protocol
        try:
            result = await obstore.get_async(self.store, name, options=_HEAD)
        except FileNotFoundError:
            return None
        return self._result_file(result)

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:  # noqa: D102
        if start == 0 and end is None:
            result = await obstore.get_async(self.store, name)
        else:
            try:
                result = await obstore.get_async(
                    self.store, name, options={"range": {"offset": start} if end is None else (start, end)}
                )
            except BaseError:
                # object_store refuses an empty range or one starting at or past the end;
                # the engine's rule is an empty body. Anything else is raised again.
                head = await self.head(name)
                if head is None:
                    raise
                if start >= head.size:  # (the engine asks for no empty range)
                    return RangeBody(head, min(start, head.size), min(start, head.size), no_chunks())
                raise
        first, stop = result.range
        if stop - first <= _WHOLE_BODY:
            # One Rust call for a small body, read here: cheaper than driving a chunk
            # stream, and get_bytes takes it as it is.
            data = bytes(await result.bytes_async())
            return RangeBody(self._result_file(result), first, stop, one_chunk(data), data)
        return RangeBody(self._result_file(result), first, stop, aiter(result.stream(min_chunk_size=_CHUNK)))

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
        headers = self._attributes(name, content_type, metadata, attributes)
        result = await obstore.put_async(
            self.store,
            name,
            body,
            attributes=headers,
            tags=_tags(attributes),
            mode=None if overwrite else "create",
            use_multipart=False,
        )
        return StoredFile(
            key=name,
            size=len(body),
            content_type=content_type,
            etag=result["e_tag"],
            metadata=dict(metadata),
            attributes=attributes,
        )

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
        headers = self._attributes(name, content_type, metadata, attributes)
        if not overwrite and self.copies_if_absent:
            return await self._create_staged(name, chunks, headers, content_type, metadata, attributes=attributes)
        counted = CountedChunks(chunks)
        try:
            result = await obstore.put_async(
                self.store,
                name,
                counted,
                attributes=headers,
                tags=_tags(attributes),
                # obstore sends a conditional ("create") put as one request, holding the
                # whole body: object_store has no conditional multipart completion. Only
                # stores without a conditional copy that keeps attributes come here.
                mode=None if overwrite else "create",
                chunk_size=self.part_size,
                max_concurrency=self.max_concurrency,
            )
        except BaseException:
            counted.raise_failure()  # the caller's own error, as it was raised
            raise
        return StoredFile(
            key=name,
            size=counted.size,
            content_type=content_type,
            etag=result["e_tag"],
            metadata=dict(metadata),
            attributes=attributes,
        )

    async def _create_staged(
        self,
        name: str,
        chunks: AsyncIterator[bytes],
        headers: Attributes | None,
        content_type: str,
        metadata: Mapping[str, str],
        *,
        attributes: ObjectAttributes,
    ) -> StoredFile:
        # A long stream with overwrite=False, in flat memory: obstore's multipart upload
        # to a staged object, then the store's atomic copy-if-not-exists to the name.
        if await self.head(name) is not None:
            # Fail before uploading a body that could not be stored; the copy below
            # still decides atomically if the object appears meanwhile.
            raise AlreadyExistsError(f"Object at location {name} already exists")
        staged = staged_put_name()
        counted = CountedChunks(chunks)
        try:
            try:
                await obstore.put_async(
                    self.store,
                    staged,
                    counted,
                    attributes=headers,
                    tags=_tags(attributes),  # kept by the copy to the name below
                    chunk_size=self.part_size,
                    max_concurrency=self.max_concurrency,
                )
            except BaseException:
                counted.raise_failure()  # the caller's own error, as it was raised
                raise
            await obstore.copy_async(self.store, staged, name, overwrite=False)
        finally:
            await discard(self.store, staged)
        created = await self.head(name)
        return StoredFile(
            key=name,
            size=counted.size,
            content_type=content_type,
            etag=None if created is None else created.etag,
            last_modified=None if created is None else created.last_modified,
            metadata=dict(metadata),
            attributes=attributes,
        )

    async def delete(self, name: str, *, check: bool) -> bool:  # noqa: D102
        if check and not self.reports_missing:
            try:
                # head_async: the existence check needs no attributes and no StoredFile.
                await obstore.head_async(self.store, name)
            except FileNotFoundError:
                return False
        try:
            await obstore.delete_async(self.store, name)
        except FileNotFoundError:
            return False
        return True

    async def delete_batch(self, names: Sequence[str]) -> None:  # noqa: D102
        try:
            await obstore.delete_async(self.store, list(names))
        except FileNotFoundError:
            # LocalStore stops at the first missing name: delete them one by one (a
            # failure then names its own key).
            delete = functools.partial(self.delete, check=False)
            await run_all(delete, dict.fromkeys(names), limit=self.max_concurrency, errors=self.errors)

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:  # noqa: D102
        # object_store lists by whole path segments: list the folder holding the
        # prefix, and keep the names that start with it.
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else None
        if not isinstance(self.store, _SORTED_LISTINGS):
            # One page holding everything, sorted here: the store walks folders in
            # directory order, so no name can be a resume point.
            found = [meta async for meta in self._listing(folder, None, page_size) if meta["path"].startswith(prefix)]
            found.sort(key=lambda meta: meta["path"])
            return ListPage([self._file(meta, None) for meta in found if not is_staged(meta["path"])], None)
        page: list[StoredFile] = []
        async for meta in self._listing(folder, token, page_size):
            path = meta["path"]
            if path < prefix or is_staged(path) or self._listed_before(path, token):
                continue
            if not path.startswith(prefix):
                return ListPage(page, None)  # sorted: nothing further can match
            page.append(self._file(meta, None))
            if len(page) == page_size:
                return ListPage(page, path)
        return ListPage(page, None)

    async def list_stream(self, prefix: str, limit: int | None) -> AsyncIterator[list[StoredFile]]:
        """Yield the objects under ``prefix`` in batches from one listing (``SupportsListStream``).

        object_store pages through the service with the service's own continuation
        tokens. Resuming from a name instead (:meth:`list_page`) is a filter applied
        after listing from the start on ``AzureStore`` (and Azurite ignores the offset),
        so every page read the listing again from its start (n²/2 names for n keys).

        Args:
            prefix: The name prefix (may stop mid-segment).
            limit: Most objects the caller will take (sizes the batches), or ``None``.

        Yields:
            Batches of objects, in the store's listing order.
        """
        if not isinstance(self.store, _SORTED_LISTINGS):
            yield list((await self.list_page(prefix, None, _LIST_BATCH)).files)
            return
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else None
        utf16 = isinstance(self.store, AzureStore)  # Azure lists in UTF-16 order
        size = _LIST_BATCH if limit is None else max(50, min(limit, _LIST_BATCH))
        async for batch in obstore.list(self.store, folder, chunk_size=size):
            files: list[StoredFile] = []
            for meta in batch:
                path = meta["path"]
                if path.startswith(prefix):
                    if not is_staged(path):
                        files.append(self._file(meta, None))
                elif (utf16_order(path) > utf16_order(prefix)) if utf16 else path > prefix:  # nothing further matches
                    if files:
                        yield files
                    return
            if files:
                yield files

    def _listed_before(self, path: str, token: str | None) -> bool:
        # The offset is only a hint to some services: Azurite answers a marker it did not
        # issue from the start of the listing, so the next page would repeat this one
        # forever. Names up to the token were listed already (in Azure's UTF-16 order there).
        if token is None:
            return False
        if isinstance(self.store, AzureStore):
            return utf16_order(path) <= utf16_order(token)
        return path <= token

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:
        """List one folder with ``list_with_delimiter`` (the service's delimiter listing).

        object_store gathers every page of the service's answer itself and has no
        resume point, so the one page returned holds the whole folder, whatever
        ``page_size`` asks (the engine still applies ``limit``).

        Args:
            prefix: The folder (``""`` or ending with ``/``).
            token: Always ``None`` (there is no second page).
            page_size: Ignored (see above).

        Returns:
            The folder's objects and sub-folders, sorted (``LocalStore`` answers in
            directory order).
        """
        # object_store paths have no trailing "/": "a/b" is the folder a/b/ (whole segments only).
        result = await obstore.list_with_delimiter_async(self.store, prefix[:-1] or None)
        files = [self._file(meta, None) for meta in result["objects"] if not is_staged(meta["path"])]
        files.sort(key=lambda stored: stored.key)
        named = {folder if folder.endswith("/") else folder + "/" for folder in result["common_prefixes"]}
        folders = sorted(named - {_STAGED_FOLDER})
        if isinstance(self.store, LocalStore):
            # Local folders outlive their last file (object_store removes none), and
            # LocalStore reports them: keep those that still hold a file, as a bucket would.
            folders = [folder for folder in folders if await self._holds_objects(folder)]
        return DirPage(files, folders, None)

    async def _holds_objects(self, folder: str) -> bool:
        stream = obstore.list(self.store, folder[:-1], chunk_size=1)
        async for batch in stream:
            if batch:
                return True
        return False

    async def _listing(self, folder: str | None, offset: str | None, page_size: int) -> AsyncIterator[ObjectMeta]:
        stream = obstore.list(self.store, folder, offset=offset, chunk_size=max(page_size, 50))
        async for batch in stream:
            for meta in batch:
                yield meta

    async def copy(self, source: str, destination: str) -> StoredFile:  # noqa: D102
        await obstore.copy_async(self.store, source, destination)
        copied = await self.head(destination)
        if copied is None:
            raise FileNotFoundError(destination)
        return copied

    async def close(self) -> None:  # noqa: D102
        return  # obstore stores hold no connection to release; the store may be shared

    # -- SupportsParts: the manual multipart API, parts staged as objects (see staging.py)

    async def begin_parts(  # noqa: D102
        self, name: str, *, content_type: str, metadata: Mapping[str, str], attributes: ObjectAttributes = NO_ATTRIBUTES
    ) -> str:
        self._attributes(name, content_type, metadata, attributes)  # refuse now what the store cannot keep
        return uuid.uuid4().hex

    async def put_part(  # noqa: D102
        self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview
    ) -> str:
        result = await obstore.put_async(self.store, part_name(upload_id, number), body, use_multipart=False)
        return result["e_tag"] or str(number)

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
        names = [part_name(upload_id, number) for number, _ in parts]
        if await self.head(names[0]) is None:
            raise StorageError(f"The multipart upload of {name!r} was completed, aborted or never started", key=name)
        stored = await self.write_stream(
            name,
            staged_body(self.store, names),
            size=None,
            content_type=content_type,
            metadata=metadata,
            overwrite=overwrite,
            attributes=attributes,
        )
        await discard_parts(self.store, upload_id)
        return stored

    async def abort_parts(self, name: str, upload_id: str) -> None:  # noqa: D102
        await discard_parts(self.store, upload_id)


class SigningObstoreDriver(ObstoreDriver):
    """The driver over a store that signs URLs (``S3Store``, ``GCSStore``, ``AzureStore``)."""

    url_methods: frozenset[HttpMethod] = frozenset({"GET", "PUT"})

    def __init__(self, store: ObjectStore, config: ObstoreConfig) -> None:
        super().__init__(store, config)
        self.default_url_expiry: timedelta = config.url_expiry

    async def sign_url(
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        # obstore's signer takes no response headers or content type: neither is bound
        # (docs/backends/obstore.md). Both arguments were checked by the engine.
        store = self.store
        assert isinstance(store, (S3Store, GCSStore, AzureStore))  # noqa: S101 - chosen by build_driver
        return await obstore.sign_async(store, method, name, expires_in)


class AddressObstoreDriver(ObstoreDriver):
    """The driver over a store without signing (``MemoryStore``, ``LocalStore``): plain addresses."""

    def address(self, name: str) -> str:
        scheme: Literal["memory", "file"] = "memory" if isinstance(self.store, MemoryStore) else "file"
        if scheme == "file" and isinstance(self.store, LocalStore) and self.store.prefix is not None:
            return (self.store.prefix / name).as_uri()
        from urllib.parse import quote  # noqa: PLC0415 - only this rare path needs it

        return f"{scheme}:///" + quote(name)


def _tags(attributes: ObjectAttributes) -> dict[str, str] | None:
    # Only a store that keeps tags receives any: the engine refused them elsewhere.
    return dict(attributes.tags) if attributes.tags else None


def build_driver(store: ObjectStore, config: ObstoreConfig) -> ObstoreDriver:
    """Return the driver for ``store``, with the abilities that store has.

    Args:
        store: The obstore store.
        config: The storage's configuration.

    Returns:
        A signing driver for cloud stores, an addressing one for memory and local stores.
    """
    if isinstance(store, (S3Store, GCSStore, AzureStore)):
        return SigningObstoreDriver(store, config)
    return AddressObstoreDriver(store, config)
