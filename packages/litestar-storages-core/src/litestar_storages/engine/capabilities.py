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

from litestar_storages.protocol import HttpMethod
from litestar_storages.types import StoredFile, UploadForm

__all__ = (
    "SupportsAddressUrls",
    "SupportsBatchDelete",
    "SupportsExists",
    "SupportsListStream",
    "SupportsParts",
    "SupportsSignedUrls",
    "SupportsStreamWrite",
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

    async def begin_parts(self, name: str, *, content_type: str, metadata: Mapping[str, str]) -> str:
        """Start an upload in parts.

        Args:
            name: The object's name.
            content_type: The object's content type.
            metadata: The object's metadata.

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
    ) -> StoredFile:
        """Assemble the parts, in number order, into the object.

        Args:
            name: The object's name.
            upload_id: From :meth:`begin_parts`.
            parts: ``(number, tag)`` pairs, sorted.
            content_type: The object's content type (for services that set it here).
            metadata: The object's metadata (likewise).
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

        Returns:
            Metadata of the stored object.
        """
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
    ) -> UploadForm:
        """Sign a form that uploads one object.

        Args:
            name: The object's name.
            expires_in: The checked validity.
            content_type: The content type the form must send, or ``None``.
            metadata: Metadata the form stores.
            max_size: Largest accepted upload, or ``None``.

        Returns:
            The form.
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
