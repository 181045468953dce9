"""Calling any storage with the keywords it accepts, falling back where it takes fewer.

Storages written for 0.2.x implement ``get(key)``, ``delete(key)`` and ``put(key, data,
*, content_type=None, metadata=None)``; this release added ``start``/``end`` and
``progress`` to ``get``, ``missing_ok`` to ``delete`` and ``overwrite``/``progress`` to
``put``. Code that works on *any* storage (``BaseStorage``'s defaults, the Litestar
plugin, the CLI) calls through these functions: a keyword the storage accepts is
passed on, one it lacks is emulated (a byte range is cut from the full stream, a
missing file is ignored, progress is counted here) or, where it cannot be emulated
safely (``overwrite=False``), refused with ``UnsupportedOperationError``.

Which keywords a method accepts is read from its signature once per class and cached,
rather than guessed from a ``TypeError``, which would also hide the real ones.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import AsyncIterator, Mapping
from typing import Any

from litestar_storages.attributes import ObjectAttributes
from litestar_storages.capabilities import SupportsFolderListing
from litestar_storages.exceptions import ConfigurationError, StorageFileNotFoundError, UnsupportedOperationError
from litestar_storages.folders import group_listing
from litestar_storages.keys import validate_folder
from litestar_storages.listing import validate_limit
from litestar_storages.progress import ProgressReporter, report_progress
from litestar_storages.ranges import validate_range
from litestar_storages.streams import ByteStream, PutData, byte_length
from litestar_storages.types import ProgressCallback, StoredFile, StoredFolder

__all__ = ("accepts", "attribute_names", "delete_object", "list_folder", "open_read", "read_bytes", "write")

_ALL = None  # a method taking **kwargs: every keyword is passed on

_SIGNATURES: weakref.WeakKeyDictionary[type, dict[str, frozenset[str] | None]] = weakref.WeakKeyDictionary()


def _keywords_of(function: object) -> frozenset[str] | None:
    try:
        signature = inspect.signature(function)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        # No introspectable signature (a C function, an odd callable): assume the full
        # API; if that is wrong, the call raises its own, honest TypeError.
        return _ALL
    names: set[str] = set()
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return _ALL
        if parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY):
            names.add(parameter.name)
    return frozenset(names)


def accepts(storage: object, method: str, keyword: str) -> bool:
    """Tell whether ``storage.<method>`` takes the keyword argument ``keyword``.

    The answer is read from the method's signature once per class, then cached. A
    method set on the instance itself is inspected on each call.

    Args:
        storage: Any storage object.
        method: A method name, such as ``"get"``.
        keyword: A keyword argument name, such as ``"start"``.

    Returns:
        ``True`` if the method accepts the keyword (or any keyword, via ``**kwargs``).
    """
    instance_attributes = getattr(storage, "__dict__", None)
    if instance_attributes is not None and method in instance_attributes:
        keywords = _keywords_of(instance_attributes[method])
    else:
        cls = type(storage)
        try:
            per_class = _SIGNATURES.setdefault(cls, {})
        except TypeError:  # a class that cannot be weakly referenced: do not cache
            per_class = {}
        if method not in per_class:
            per_class[method] = _keywords_of(getattr(cls, method, None))
        keywords = per_class[method]
    return keywords is _ALL or keyword in keywords


def attribute_names(storage: Any) -> frozenset[str]:
    """Return the object attributes any storage keeps when ``put`` is given them.

    Engine storages declare theirs (``attribute_names``, from the driver's
    ``SupportsAttributes``); a storage whose ``put`` has no ``attributes`` parameter, or
    that declares none, keeps none: a copy tool passes only these and reports the rest
    as not kept instead of dropping them silently.

    Args:
        storage: Any storage.

    Returns:
        The names (fields of :class:`~litestar_storages.attributes.ObjectAttributes`).
    """
    names: object = getattr(storage, "attribute_names", None)
    if not isinstance(names, (set, frozenset)) or not accepts(storage, "put", "attributes"):
        return frozenset()
    return frozenset(name for name in names if isinstance(name, str))


def open_read(
    storage: Any,
    key: str,
    *,
    start: int | None = None,
    end: int | None = None,
    progress: ProgressCallback | None = None,
) -> AsyncIterator[bytes]:
    """Stream ``storage.get(key)``, a byte range of it and with progress, on any storage.

    When the storage's ``get`` takes every keyword needed, its own iterator is returned
    unchanged (no extra layer). Otherwise the range is cut from the full stream and
    progress counted here, with the total unknown. A ``get`` written as a coroutine
    returning an iterator is accepted too.

    Args:
        storage: Any storage.
        key: The object's key.
        start: First byte to read (default 0).
        end: Byte after the last to read (default: end of object).
        progress: Sync or async callback receiving download progress.

    Returns:
        The chunks; errors (missing file, invalid range) are raised when iteration starts.
    """
    ranged = start is not None or end is not None
    native_range = not ranged or (accepts(storage, "get", "start") and accepts(storage, "get", "end"))
    native_progress = progress is None or accepts(storage, "get", "progress")
    kwargs: dict[str, Any] = {}
    if ranged and native_range:
        kwargs.update(start=start, end=end)
    if progress is not None and native_progress:
        kwargs["progress"] = progress
    if native_range and native_progress:
        chunks = storage.get(key, **kwargs)
        if not inspect.isawaitable(chunks):
            return chunks  # type: ignore[no-any-return]
        return _emulated_read(chunks, key, None, None)
    return _emulated_read(
        storage.get(key, **kwargs), key, None if native_range else (start, end), None if native_progress else progress
    )


async def _emulated_read(
    opened: Any,
    key: str,
    byte_range: tuple[int | None, int | None] | None,
    progress: ProgressCallback | None,
) -> AsyncIterator[bytes]:
    first, stop = validate_range(*byte_range, key=key) if byte_range is not None else (0, None)
    chunks = await opened if inspect.isawaitable(opened) else opened
    reporter = ProgressReporter(progress, operation="download", key=key)
    position = 0
    try:
        async for chunk in chunks:
            # Keep only the part of this chunk inside [first, stop).
            chunk_start, position = position, position + len(chunk)
            if position <= first:
                continue
            piece = chunk[max(0, first - chunk_start) : None if stop is None else max(0, stop - chunk_start)]
            if piece:
                yield piece
                await reporter.advance(len(piece))
            if stop is not None and position >= stop:
                break
    finally:
        # Stopping early (a range ends, or the consumer stops) must not leave the
        # storage's stream open.
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


async def read_bytes(storage: Any, key: str, *, start: int | None = None, end: int | None = None) -> bytes:
    """Return ``storage.get_bytes(key)``, or a byte range of it, on any storage.

    Args:
        storage: Any storage.
        key: The object's key.
        start: First byte to read (default 0).
        end: Byte after the last to read (default: end of object).

    Returns:
        The content.
    """
    if start is None and end is None:
        return await storage.get_bytes(key)  # type: ignore[no-any-return]
    if accepts(storage, "get_bytes", "start") and accepts(storage, "get_bytes", "end"):
        return await storage.get_bytes(key, start=start, end=end)  # type: ignore[no-any-return]
    return b"".join([chunk async for chunk in open_read(storage, key, start=start, end=end)])


async def delete_object(storage: Any, key: str, *, missing_ok: bool = False) -> None:
    """Delete ``key`` from any storage, ignoring a missing file when ``missing_ok``.

    Args:
        storage: Any storage.
        key: The object's key.
        missing_ok: Succeed silently when the key does not exist.

    Raises:
        StorageFileNotFoundError: If the key does not exist and ``missing_ok`` is false
            (as far as the storage reports it).
    """
    if not missing_ok:
        await storage.delete(key)
    elif accepts(storage, "delete", "missing_ok"):
        await storage.delete(key, missing_ok=True)
    else:
        try:
            await storage.delete(key)
        except StorageFileNotFoundError:
            return


async def write(
    storage: Any,
    key: str,
    data: PutData,
    *,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
    overwrite: bool = True,
    progress: ProgressCallback | None = None,
    attributes: ObjectAttributes | None = None,
) -> StoredFile:
    """Call ``storage.put`` on any storage, with ``overwrite``, ``progress`` and ``attributes`` where possible.

    Args:
        storage: Any storage.
        key: The object's key.
        data: Anything ``put`` accepts.
        content_type: MIME type.
        metadata: Custom metadata.
        overwrite: When ``False``, refuse to replace an existing object.
        progress: Sync or async callback receiving upload progress.
        attributes: Standard attributes; passed on only when given.

    Returns:
        Metadata of the stored object.

    Raises:
        ConfigurationError: If ``attributes`` are given and the storage's ``put`` has no
            ``attributes`` parameter (they would be dropped).
        UnsupportedOperationError: If ``overwrite`` is false and the storage's ``put``
            has no ``overwrite`` parameter: checking ``exists`` first would race with
            other writers, so "create only" is refused rather than faked.
    """
    kwargs: dict[str, Any] = {"content_type": content_type, "metadata": metadata}
    if not overwrite:
        if not accepts(storage, "put", "overwrite"):
            raise UnsupportedOperationError(
                f"{type(storage).__name__}.put has no overwrite parameter: it cannot refuse to replace {key!r}",
                key=key,
            )
        kwargs["overwrite"] = False
    if attributes is not None:
        if not accepts(storage, "put", "attributes"):
            raise ConfigurationError(
                f"{type(storage).__name__}.put has no attributes parameter: it cannot store "
                f"{', '.join(sorted(attributes.set_names())) or 'attributes'} for {key!r}",
                field="attributes",
                key=key,
            )
        kwargs["attributes"] = attributes
    if progress is None or accepts(storage, "put", "progress"):
        if progress is not None:
            kwargs["progress"] = progress
        return await storage.put(key, data, **kwargs)  # type: ignore[no-any-return]
    size = byte_length(data)
    reporter = ProgressReporter(progress, operation="upload", key=key, total_bytes=size)
    if isinstance(data, (bytes, bytearray, memoryview)):
        # Passed as it is (a 0.2.x put may take bytes only); reported once stored.
        stored: StoredFile = await storage.put(key, data, **kwargs)
        await reporter.advance(size or 0)
        return stored
    return await storage.put(key, report_progress(ByteStream(data, key=key), reporter), **kwargs)  # type: ignore[no-any-return]


def list_folder(
    storage: Any, prefix: str = "", *, limit: int | None = None
) -> AsyncIterator[StoredFile | StoredFolder]:
    """List one folder of any storage: ``list_dir`` where it has one, else its ``list()`` grouped.

    Args:
        storage: Any storage.
        prefix: The folder (``""``: the root; ``"a/b"`` and ``"a/b/"`` are the same).
        limit: Stop after this many entries.

    Returns:
        An async iterator of the folder's objects and sub-folders, in key order
        (arguments are checked when iteration starts).
    """
    if isinstance(storage, SupportsFolderListing):
        return storage.list_dir(prefix, limit=limit)
    return _grouped(storage, prefix, limit)


async def _grouped(storage: Any, prefix: str, limit: int | None) -> AsyncIterator[StoredFile | StoredFolder]:
    folder = validate_folder(prefix)
    remaining = validate_limit(limit)
    async for entry in group_listing(storage.list(folder), folder, remaining):
        yield entry
