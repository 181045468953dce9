"""Optional driver abilities, one small runtime-checkable protocol each (as obspec has one per operation).

The engine asks ``isinstance(driver, SupportsParts)`` and so on, never ``getattr``:
a driver gains an ability by implementing the protocol, and a storage over a driver
without it raises :class:`~litestar_storages.exceptions.UnsupportedOperationError`
(or, for batch deletes and streamed writes, takes the plain path).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from typing import Protocol, runtime_checkable

from litestar_storages.attribute_rules import TagLimits
from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.engine.driver import DirPage
from litestar_storages.protocol import HttpMethod
from litestar_storages.types import StoredFile, UploadForm

__all__ = (
    "SupportsAddressUrls",
    "SupportsAttributes",
    "SupportsBatchDelete",
    "SupportsDirectWrite",
    "SupportsDurableParts",
    "SupportsExists",
    "SupportsListDir",
    "SupportsListStream",
    "SupportsMinPartSize",
    "SupportsParts",
    "SupportsPublicUrls",
    "SupportsRename",
    "SupportsPutParts",
    "SupportsSignedUrls",
    "SupportsSingleRequestLimit",
    "SupportsStreamWrite",
    "SupportsTagLimits",
    "SupportsUploadForm",
)


@runtime_checkable
class SupportsParts(Protocol):
    """A driver that assembles an object from separately uploaded parts (S3 multipart, Azure blocks)."""

    part_size: int
    """Size of each part of a streamed upload but the last; also the single-request threshold."""

    max_concurrency: int
    """Most parts of one streamed upload in flight."""

    max_part_size: int
    """Largest part the service accepts."""

    max_parts: int
    """Most parts of one object."""

    async def begin_parts(
        self,
        name: str,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> str:
        """Start an upload in parts.

        Args:
            name: The object's name.
            content_type: The object's content type.
            metadata: The object's metadata.
            attributes: The object's checked attributes (only those the driver declares).

        Returns:
            The upload's identifier.
        """
        ...

    async def put_part(self, name: str, upload_id: str, number: int, body: bytes | bytearray | memoryview) -> str:
        """Upload one part (safe to repeat: the engine retries it).

        Args:
            name: The object's name.
            upload_id: From :meth:`begin_parts`.
            number: The part's 1-based position.
            body: Its bytes.

        Returns:
            The part's tag, passed back to :meth:`commit_parts`.
        """
        ...

    async def commit_parts(
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
        """Assemble the parts, in number order, into the object.

        Args:
            name: The object's name.
            upload_id: From :meth:`begin_parts`.
            parts: ``(number, tag)`` pairs, sorted.
            content_type: The object's content type (for services that set it here).
            metadata: The object's metadata (likewise).
            attributes: The object's attributes, as given to :meth:`begin_parts` (likewise).
            overwrite: ``False``: fail with the SDK's "exists" error if the object exists.

        Returns:
            Metadata of the stored object.

        Note:
            An unknown, committed or aborted ``upload_id`` must raise (an SDK error or a
            :class:`~litestar_storages.exceptions.StorageError`), never store an object.
        """
        ...

    async def abort_parts(self, name: str, upload_id: str) -> None:
        """Discard an upload's parts; aborting twice is harmless.

        Args:
            name: The object's name.
            upload_id: From :meth:`begin_parts`.
        """
        ...


@runtime_checkable
class SupportsSingleRequestLimit(Protocol):
    """A driver with parts whose single-request limit is not its part size (S3's ``multipart_threshold``).

    Inputs up to :attr:`single_request_limit` bytes go in one request; a longer one is
    sent in parts, the first holding the :attr:`single_request_limit` bytes read to
    decide, the others :attr:`SupportsParts.part_size` bytes. ``put_large`` (which
    names its own part size) ignores it.
    """

    single_request_limit: int
    """Largest input sent in one request (at most :attr:`SupportsParts.max_part_size`)."""


@runtime_checkable
class SupportsMinPartSize(Protocol):
    """A driver with parts whose service refuses small parts (S3: 5 MiB, all but the last part).

    ``put_large`` refuses a ``part_size`` below :attr:`min_part_size` before anything is
    sent, with the same :class:`~litestar_storages.exceptions.StorageValidationError` as
    one above :attr:`SupportsParts.max_part_size`. Without it any part size from 1 byte goes.
    """

    min_part_size: int
    """Smallest part the service takes (every part but the last)."""


@runtime_checkable
class SupportsDurableParts(Protocol):
    """A driver with parts whose uploads live in the service (or its folder), not in this process.

    Any request holding a :class:`~litestar_storages.types.MultipartUpload` (its id, key
    and parts) can add parts and complete it: from another worker process, or after a
    restart. A driver keeping an upload's state between part requests in the process
    (a GCS resumable session's unsent bytes, in
    :class:`~litestar_storages.upload_sessions.UploadSessions`) does not declare it; the
    in-memory driver does, its service being the process itself. The tus endpoint
    assembles into the storage's multipart uploads only over such a driver.
    """

    durable_parts: bool
    """``True`` (a driver whose parts are in the process may say ``False``, or nothing)."""


@runtime_checkable
class SupportsPutParts(Protocol):
    """A driver with parts that starts the parts of a ``put`` itself, told whether it may overwrite.

    Without it the part pipeline of ``put`` starts with
    :meth:`SupportsParts.begin_parts`, as the manual multipart API does. With it the
    pipeline calls :meth:`begin_put_parts` instead, so the driver can tell the two
    apart, refuse an ``overwrite=False`` upload before any part is sent, and note what
    its commit needs (Azure reads the blob's ETag here, to tell a concurrent overwrite
    from lost parts). The manual API still uses :meth:`SupportsParts.begin_parts`.
    """

    async def begin_put_parts(
        self,
        name: str,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> str:
        """Start the parts of a ``put`` (safe to repeat: the engine retries it).

        Args:
            name: The object's name.
            content_type: The object's content type.
            metadata: The object's metadata.
            attributes: The object's checked attributes (only those the driver declares).
            overwrite: ``False``: the driver may fail now with its "exists" error if the
                object exists (the commit stays conditional either way).

        Returns:
            The upload's identifier, passed to the other part calls.
        """
        ...


@runtime_checkable
class SupportsStreamWrite(Protocol):
    """A driver that uploads a whole stream itself (obstore's Rust multipart put), bypassing the part pipeline.

    Objects up to :attr:`part_size` still go through :meth:`~litestar_storages.engine.driver.Driver.write` in one
    request; only longer inputs are handed over as a stream.
    """

    part_size: int
    """Inputs longer than this are streamed with :meth:`write_stream`."""

    async def write_stream(
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
        """Store a stream longer than :attr:`part_size` as one object, atomically.

        Exceptions raised by ``chunks`` (the caller's stream) must propagate as they are,
        and nothing may be stored then.

        Args:
            name: The object's name.
            chunks: The data.
            size: Its length when known in advance.
            content_type: The checked content type.
            metadata: The checked metadata.
            overwrite: ``False``: fail with the SDK's "exists" error if it exists.
            attributes: The checked attributes (only those the driver declares).

        Returns:
            Metadata of the stored object.
        """
        ...


@runtime_checkable
class SupportsDirectWrite(Protocol):
    """A driver whose store is in the process (memory): it takes every input as it comes.

    The engine hands it ``bytes`` and ``bytearray`` of any size through
    :meth:`~litestar_storages.engine.driver.Driver.write` (a ``bytes`` object can be kept
    as it is, with no copy), and every other input through :meth:`write_chunks`, chunk
    by chunk as the input yields them: no first block is read ahead, nothing is cut into
    parts, so the driver can keep the chunks themselves and check its own limits as
    they arrive. It takes precedence over :class:`SupportsStreamWrite` and the part
    pipeline for ``put``; :class:`SupportsParts` still serves the manual multipart API.
    """

    async def write_chunks(
        self,
        name: str,
        chunks: AsyncIterator[bytes],
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        """Store a stream of chunks as one object, atomically.

        Exceptions raised by ``chunks`` (the caller's stream) must propagate as they are,
        and nothing may be stored then.

        Args:
            name: The object's name.
            chunks: The data, as the input yields it (immutable ``bytes``).
            content_type: The checked content type.
            metadata: The checked metadata.
            overwrite: ``False``: fail if the object exists.
            attributes: The checked attributes (only those the driver declares).

        Returns:
            Metadata of the stored object.
        """
        ...


@runtime_checkable
class SupportsAttributes(Protocol):
    """A driver that stores object attributes (:class:`~litestar_storages.attributes.ObjectAttributes`).

    The engine checks every write's attributes against :attr:`attribute_names` before
    any request and raises :class:`~litestar_storages.exceptions.ConfigurationError`
    for the others, so a driver only ever receives attributes it declared. A driver
    without this ability supports none. Its ``head`` reports the attributes it stores
    (``acl`` is write only), and its ``copy`` keeps them.
    """

    @property
    def attribute_names(self) -> frozenset[str]:
        """Names of the :class:`~litestar_storages.attributes.ObjectAttributes` fields the driver honours."""
        ...


@runtime_checkable
class SupportsTagLimits(Protocol):
    """A driver with tags whose limits differ from :data:`~litestar_storages.attribute_rules.COMMON_TAG_LIMITS`."""

    @property
    def tag_limits(self) -> TagLimits:
        """The tag limits the engine checks this driver's writes against."""
        ...


@runtime_checkable
class SupportsSignedUrls(Protocol):
    """A driver that signs URLs its holder can use without credentials."""

    url_methods: frozenset[HttpMethod]
    """The methods it can sign (``GET``, ``PUT``)."""

    default_url_expiry: timedelta
    """Validity of a URL when the caller gives none."""

    async def sign_url(
        self,
        name: str,
        *,
        method: HttpMethod,
        expires_in: timedelta,
        content_disposition: str | None,
        content_type: str | None,
    ) -> str:
        """Sign a URL for one object.

        Args:
            name: The object's name.
            method: A method of :attr:`url_methods`.
            expires_in: The checked validity (1 s to 7 days).
            content_disposition: For GET: the header the download should carry, built by
                :func:`~litestar_storages.disposition.content_disposition`; sign it where
                the service can, else ignore it.
            content_type: For PUT: the content type to bind, where the service can.

        Returns:
            The URL.
        """
        ...


@runtime_checkable
class SupportsPublicUrls(Protocol):
    """A driver whose objects may be served unsigned under a public base URL (a CDN, a public bucket).

    When :attr:`public_base_url` is set, ``url(key)`` for a GET without ``filename``
    returns :func:`~litestar_storages.public_urls.public_url` of it: no request, no
    signature. Other URLs (PUT, or a GET naming a download filename) are still signed.
    """

    public_base_url: str | None
    """The configured base URL (checked by :func:`~litestar_storages.public_urls.check_base_url`), or ``None``."""


@runtime_checkable
class SupportsAddressUrls(Protocol):
    """A driver whose objects have a plain, non-expiring address (memory, local files)."""

    def address(self, name: str) -> str:
        """Return the object's address, used for ``url(key)`` with GET.

        Args:
            name: The object's name.

        Returns:
            The address.
        """
        ...


@runtime_checkable
class SupportsUploadForm(Protocol):
    """A driver that signs browser POST forms (S3 and GCS POST policies)."""

    async def sign_upload_form(
        self,
        name: str,
        *,
        expires_in: timedelta,
        content_type: str | None,
        metadata: Mapping[str, str],
        max_size: int | None,
        min_size: int,
    ) -> UploadForm:
        """Sign a form that uploads one object.

        Args:
            name: The object's name.
            expires_in: The checked validity.
            content_type: The content type the form must send, or ``None``.
            metadata: Metadata the form stores.
            max_size: Largest accepted upload, or ``None``.
            min_size: Smallest accepted upload (0: no lower bound); at most ``max_size``.

        Returns:
            The form.
        """
        ...


@runtime_checkable
class SupportsRename(Protocol):
    """A driver that renames an object in one step (memory); ``move`` copies and deletes otherwise."""

    async def rename(self, source: str, destination: str) -> StoredFile:
        """Give an object a new name, replacing the destination, keeping everything else.

        Args:
            source: The object's name (missing: the driver's not-found error).
            destination: Its new name; equal to ``source``: nothing changes.

        Returns:
            Metadata of the object under its new name.
        """
        ...


@runtime_checkable
class SupportsBatchDelete(Protocol):
    """A driver that deletes many objects per request."""

    max_batch: int
    """Most names per request."""

    async def delete_batch(self, names: Sequence[str]) -> None:
        """Delete up to :attr:`max_batch` objects; missing ones are skipped.

        Args:
            names: The names.
        """
        ...


@runtime_checkable
class SupportsListStream(Protocol):
    """A driver that walks a listing itself, holding its place between batches (a local folder tree).

    Resuming a listing from a token means reading again what led to it: a folder of
    10,000 files would be scanned and sorted once per page. Such a driver yields
    batches from one walk instead; the engine still applies ``limit`` and the key
    prefix, and closes the stream when the caller stops early (the driver releases
    what the walk holds then).
    """

    def list_stream(self, prefix: str, limit: int | None) -> AsyncIterator[Sequence[StoredFile]]:
        """Yield the objects whose names start with ``prefix``, in name order, in batches.

        Args:
            prefix: The name prefix (may stop mid-segment).
            limit: Most objects the caller will take (a hint for sizing batches), or ``None``.

        Returns:
            An async iterator of batches (an async generator, so the engine can close it).
        """
        ...


@runtime_checkable
class SupportsExists(Protocol):
    """A driver that tells whether an object exists more cheaply than :meth:`~litestar_storages.engine.Driver.head`.

    ``head`` must describe the object (a local driver reads its metadata sidecar for
    that); ``exists`` only looks.
    """

    async def exists(self, name: str) -> bool:
        """Tell whether an object exists.

        Args:
            name: The object's name.

        Returns:
            ``True`` if it exists.
        """
        ...


@runtime_checkable
class SupportsListDir(Protocol):
    """A driver that lists one folder with the service's delimiter (S3 ``Delimiter="/"``, one ``scandir``).

    Without it ``list_dir`` walks the recursive listing (:meth:`Driver.list_page`) and
    groups it: correct, but it reads the whole subtree.
    """

    async def list_dir_page(self, prefix: str, token: str | None, page_size: int) -> DirPage:
        """Return one page of the objects and sub-folders directly under ``prefix``.

        The delimiter is ``"/"``. A missing folder is an empty page, not an error.

        Args:
            prefix: The folder's full name prefix (the storage's prefix included): ``""``
                (the root) or ending in ``"/"``.
            token: ``None`` for the first page, else the previous page's token.
            page_size: Most entries (files plus folders) wanted in this page; the page
                may hold fewer, and a driver that cannot page may return them all.

        Returns:
            The files and folders directly under ``prefix``, and the next token.
        """
        ...
