"""The driver protocol: the primitives every backend implements, and their value types.

A driver holds its SDK client and configuration itself (the one explicit context of
every call) and speaks in *names*: the object names of the service, the storage's
prefix already joined by the engine. Each primitive is one request (or one stream) to
the service; everything around it (argument checks, retries, the multipart decision,
progress, ranges, ``limit``) is the engine's. Drivers raise their SDK's exceptions
freely: the engine calls every primitive inside ``driver.errors.guard(key)``, so the
driver's error table (an :class:`~litestar_storages.error_mapping.ErrorMapper`) is the
one place they become :mod:`litestar_storages.exceptions`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from litestar_storages.attributes import NO_ATTRIBUTES, ObjectAttributes
from litestar_storages.error_mapping import ErrorMapper
from litestar_storages.retry import RetryConfig
from litestar_storages.types import StoredFile

__all__ = ("DirPage", "Driver", "ListPage", "OneChunk", "RangeBody", "utf16_order", "whole_body")


@dataclass(frozen=True)
class RangeBody:
    """An opened ranged read: the object's metadata and the body of the range.

    Attributes:
        file: Metadata of the whole object (``size`` is the object's size, not the range's).
        start: First byte the body holds.
        end: Byte after the last one the body holds (``start == end`` for an empty body).
        chunks: The body; the engine counts it and resumes or fails when it ends short.
        data: The same body, whole, when the driver already holds it in memory (a small
            object read in one call), else ``None``. ``get_bytes`` then returns it
            without driving ``chunks``, when it is as long as the range says.
    """

    file: StoredFile
    start: int
    end: int
    chunks: AsyncIterator[bytes]
    data: bytes | None = None


class OneChunk:
    """A body held whole, as a one-step async iterator of one chunk (none when empty).

    Cheaper than an async generator for the small reads that are most reads: nothing to
    finalize, nothing to close when the reader stops early.
    """

    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        """Hold ``body``.

        Args:
            body: The whole body.
        """
        self._body: bytes | None = body or None

    def __aiter__(self) -> OneChunk:
        return self

    async def __anext__(self) -> bytes:
        body, self._body = self._body, None
        if body is None:
            raise StopAsyncIteration
        return body


def whole_body(file: StoredFile, start: int, end: int, body: bytes) -> RangeBody:
    """Open a range whose body the driver read whole: ``get_bytes`` takes it as it is.

    Args:
        file: Metadata of the whole object.
        start: First byte of the range.
        end: Byte after the last one of the range (a shorter ``body`` is resumed by the engine).
        body: The bytes read.

    Returns:
        The opened body, with :attr:`RangeBody.data` set.
    """
    return RangeBody(file, start, end, OneChunk(body), body)


@dataclass(frozen=True)
class ListPage:
    """One page of a listing, in key order.

    Attributes:
        files: The objects of this page (``key`` holds the full object name).
        token: Where the next page starts, or ``None`` after the last page.
    """

    files: Sequence[StoredFile]
    token: str | None


@dataclass(frozen=True)
class DirPage:
    """One page of a folder listing (:class:`~litestar_storages.engine.SupportsListDir`).

    Files and folders each sorted by name; the engine merges them. Across pages the
    entries (files and folders together) come in name order, as S3's ``Delimiter``
    listing returns them; a folder repeated at the start of the next page (a service
    that reports a common prefix once per page) is yielded once.

    Attributes:
        files: The objects directly in the folder (``key`` holds the full object name).
        folders: The sub-folders: full names (the folder's name prefix included), each
            ending in ``"/"``.
        token: Where the next page starts, or ``None`` after the last page.
        order: The sort key of the service's name order when it is not code point
            order (Azure lists in UTF-16 code unit order: :func:`utf16_order`), else ``None``.
    """

    files: Sequence[StoredFile]
    folders: Sequence[str]
    token: str | None
    order: Callable[[str], Any] | None = None


def utf16_order(name: str) -> bytes:
    """Sort key of UTF-16 code unit order, Azure's name order (a character above U+FFFF sorts before U+E000).

    Args:
        name: A name.

    Returns:
        Its UTF-16 (big-endian) encoding, which sorts by code units.
    """
    return name.encode("utf-16-be", "surrogatepass")


@runtime_checkable
class Driver(Protocol):
    """The primitives a backend implements; :class:`~litestar_storages.engine.DriverStorage` does the rest."""

    # Read-only members (properties here), so a driver may declare narrower types
    # (``retry: RetryConfig``) or plain attributes.

    @property
    def name(self) -> str:
        """The backend's name, used in messages (``"S3Storage"``)."""
        ...

    @property
    def errors(self) -> ErrorMapper:
        """Error table of the driver, naming the exceptions it owns and what each becomes."""
        ...

    @property
    def retry(self) -> RetryConfig | None:
        """The policy the engine retries idempotent requests with; ``None`` when the SDK retries by itself."""
        ...

    async def head(self, name: str) -> StoredFile | None:
        """Return an object's metadata, or ``None`` when it does not exist.

        Args:
            name: The object's name.

        Returns:
            The metadata, ``key`` holding ``name``; ``None`` for a missing object.
        """
        ...

    async def open_range(self, name: str, start: int, end: int | None) -> RangeBody:
        """Start reading bytes ``[start, end)`` of an object (``end=None``: to its end).

        The engine never asks for an empty range (``end <= start``). A range past the
        end of the object is clipped; one starting at or after the end may give an empty
        body or the SDK's "range not satisfiable" error (416, translated to
        :class:`~litestar_storages.exceptions.InvalidRangeError`), which the engine
        answers with an empty body itself. A missing object raises the SDK's not-found error.

        Args:
            name: The object's name.
            start: First byte (>= 0).
            end: Byte after the last one, or ``None``.

        Returns:
            The opened body.
        """
        ...

    async def write(
        self,
        name: str,
        body: bytes | bytearray | memoryview,
        *,
        content_type: str,
        metadata: Mapping[str, str],
        overwrite: bool,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> StoredFile:
        """Store a whole object in one request.

        Args:
            name: The object's name.
            body: Its bytes (not copied; may be sent again by a retry).
            content_type: The checked content type.
            metadata: The checked metadata (lower-case names).
            overwrite: ``False``: fail atomically with the SDK's "exists" error if it exists.
            attributes: The checked attributes (only those the driver declares with
                :class:`~litestar_storages.engine.SupportsAttributes`; empty otherwise).

        Returns:
            Metadata of the stored object.
        """
        ...

    async def delete(self, name: str, *, check: bool) -> bool:
        """Delete an object.

        Args:
            name: The object's name.
            check: ``True`` when the caller needs to know whether it existed; otherwise
                the driver may skip finding out and return ``True``.

        Returns:
            Whether the object existed (meaningful only with ``check``).
        """
        ...

    async def list_page(self, prefix: str, token: str | None, page_size: int) -> ListPage:
        """Return one page of the objects whose names start with ``prefix`` (a plain string prefix).

        Args:
            prefix: The name prefix (may stop mid-segment).
            token: ``None`` for the first page, else the previous page's token.
            page_size: Most objects wanted in this page (the page may hold fewer).

        Returns:
            The page, sorted by name, and the next token.
        """
        ...

    async def copy(self, source: str, destination: str) -> StoredFile:
        """Copy an object server-side, with its content type and metadata, replacing the destination.

        Args:
            source: The source name (missing: the SDK's not-found error).
            destination: The destination name.

        Returns:
            Metadata of the copy.
        """
        ...

    async def close(self) -> None:
        """Release the client's connections. Safe to call more than once."""
        ...
