"""Saving uploads into a storage while streaming, with size limits.

Litestar's ``UploadFile`` is already something ``storage.put`` accepts (it has an async
``read``), so ``await storage.put(key, upload)`` streams it chunk by chunk. The helpers
here add what a web handler needs on top: a size limit that answers 413 as soon as the
limit is crossed (the storage then keeps nothing, as ``put`` stores nothing when its
input stream raises), a content type the client cannot choose, and raw request bodies.

The stored content type is the application's (``content_type=``) or else the one the
key's extension gives. The type the client claims (the multipart part's or the
request's ``Content-Type``) is used only with ``trust_client_content_type=True``: a
client that uploads ``<script>`` as ``avatar.png`` with ``Content-Type: text/html``
would otherwise choose how the file is served back (see
:mod:`~litestar_storages.contrib.serving_policy`, which guards the download side too).

Limits come from the handler's ``opt`` (layered: app, router, controller, handler), set
by :class:`~litestar_storages.contrib.plugin.StoragePlugin` from its config and
overridable per handler with ``opt={MAX_UPLOAD_SIZE_OPT: n}``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from litestar.exceptions import ClientException
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE

from litestar_storages.calls import write
from litestar_storages.content import DEFAULT_CONTENT_TYPE
from litestar_storages.streams import ByteStream, PutData

if TYPE_CHECKING:
    from litestar.connection import Request
    from litestar.datastructures import UploadFile

    from litestar_storages.protocol import Storage
    from litestar_storages.types import ProgressCallback, StoredFile

__all__ = (
    "MAX_UPLOAD_SIZE_OPT",
    "UploadTooLargeError",
    "limit_size",
    "save_request_body",
    "save_upload",
    "upload_limit",
)

MAX_UPLOAD_SIZE_OPT = "storage_max_upload_size"
"""The ``opt`` key holding the upload size limit in bytes (``None``: no limit)."""

# Types a client sends when it does not know better: let the key's extension decide.
_UNINFORMATIVE_TYPES = frozenset({"", DEFAULT_CONTENT_TYPE, "binary/octet-stream"})

# RFC 9110 Content-Length: ASCII digits only (str.isdigit() accepts "²", which int() refuses).
_CONTENT_LENGTH = re.compile(r"[ \t]*([0-9]+)[ \t]*")
# More digits than this is more bytes than any limit: int() never sees a huge number.
_MAX_LENGTH_DIGITS = 19


class UploadTooLargeError(ClientException):
    """An upload crossed its size limit; Litestar answers it with 413.

    Attributes:
        limit: The limit in bytes.
        key: The key the upload was going to.
    """

    status_code = HTTP_413_REQUEST_ENTITY_TOO_LARGE

    def __init__(self, limit: int, *, key: str | None = None) -> None:
        """Create the error.

        Args:
            limit: The limit in bytes.
            key: The key the upload was going to.
        """
        super().__init__(detail=f"Upload exceeds the limit of {limit} bytes")
        self.limit = limit
        self.key = key


def upload_limit(request: Request[Any, Any, Any]) -> int | None:
    """Return the upload size limit that applies to the request's handler.

    Args:
        request: The current request.

    Returns:
        The limit in bytes from the handler's layered ``opt``, or ``None`` for no limit.
    """
    value = request.route_handler.opt.get(MAX_UPLOAD_SIZE_OPT)
    return value if isinstance(value, int) else None


async def limit_size(data: PutData, max_size: int | None, *, key: str | None = None) -> AsyncIterator[bytes]:
    """Pass ``data`` through as chunks, raising once more than ``max_size`` bytes went by.

    Args:
        data: Anything ``storage.put`` accepts.
        max_size: The limit in bytes, or ``None`` for none.
        key: The key being written, for the error.

    Yields:
        The data's chunks.

    Raises:
        UploadTooLargeError: As soon as the running total exceeds ``max_size``.
    """
    total = 0
    stream = ByteStream(data, key=key)
    async for chunk in stream:
        total += len(chunk)
        if max_size is not None and total > max_size:
            raise UploadTooLargeError(max_size, key=key)
        yield chunk


def _informative(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    return None if content_type.split(";")[0].strip().lower() in _UNINFORMATIVE_TYPES else content_type


def _stored_type(explicit: str | None, claimed: str | None, *, trust_client_content_type: bool) -> str | None:
    # None lets the storage guess from the key's extension.
    if explicit:
        return explicit
    return _informative(claimed) if trust_client_content_type else None


def _declared_over(value: str | None, max_size: int) -> bool:
    # A malformed Content-Length is left to the stream's own count, which is exact.
    match = _CONTENT_LENGTH.fullmatch(value) if value is not None else None
    if match is None:
        return False
    digits = match.group(1).lstrip("0")
    return len(digits) > _MAX_LENGTH_DIGITS or int(digits or "0") > max_size


def _spooled_size(upload: UploadFile) -> int | None:
    # The multipart parser has spooled the whole part already, so its size is known:
    # refusing before the first byte reaches the storage saves a doomed upload.
    file = upload.file
    try:
        position = file.tell()
        size = file.seek(0, 2) - position
        file.seek(position)
    except (OSError, ValueError):
        return None
    return size


async def save_upload(
    storage: Storage,
    key: str,
    upload: UploadFile,
    *,
    max_size: int | None = None,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
    overwrite: bool = True,
    progress: ProgressCallback | None = None,
    trust_client_content_type: bool = False,
) -> StoredFile:
    """Stream a multipart ``UploadFile`` into a storage.

    Args:
        storage: Where to store it.
        key: The key to store it at.
        upload: The uploaded file.
        max_size: Limit in bytes (pass ``upload_limit(request)`` or the
            ``storage_upload_limit`` dependency to use the configured one).
        content_type: MIME type, chosen by the application; by default the one the
            key's extension gives (``application/octet-stream`` when none does).
        metadata: Custom metadata.
        overwrite: When ``False``, fail if the key exists.
        progress: Callback receiving upload progress.
        trust_client_content_type: Store the type the browser sent for the part (when
            ``content_type`` is not given and it says more than
            ``application/octet-stream``). Off by default: the client would choose
            how the file is later served.

    Returns:
        Metadata of the stored file.

    Raises:
        UploadTooLargeError: If the upload is bigger than ``max_size`` (nothing is stored).
    """
    if max_size is not None:
        size = _spooled_size(upload)
        if size is not None and size > max_size:
            raise UploadTooLargeError(max_size, key=key)
    declared = upload.content_type if "content-type" in {name.lower() for name in upload.headers} else None
    return await write(
        storage,
        key,
        limit_size(upload, max_size, key=key),
        content_type=_stored_type(content_type, declared, trust_client_content_type=trust_client_content_type),
        metadata=metadata,
        overwrite=overwrite,
        progress=progress,
    )


async def save_request_body(
    storage: Storage,
    key: str,
    request: Request[Any, Any, Any],
    *,
    max_size: int | None = None,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
    overwrite: bool = True,
    progress: ProgressCallback | None = None,
    trust_client_content_type: bool = False,
) -> StoredFile:
    """Stream a raw request body (``PUT /files/name`` with the bytes as body) into a storage.

    The body is never held whole: chunks go to the storage as they arrive. A declared
    ``Content-Length`` above the limit is refused before reading anything.

    Args:
        storage: Where to store it.
        key: The key to store it at.
        request: The request whose body is the file.
        max_size: Limit in bytes.
        content_type: MIME type, chosen by the application; by default the one the
            key's extension gives (``application/octet-stream`` when none does).
        metadata: Custom metadata.
        overwrite: When ``False``, fail if the key exists.
        progress: Callback receiving upload progress.
        trust_client_content_type: Store the request's ``Content-Type`` (when
            ``content_type`` is not given and it says more than
            ``application/octet-stream``). Off by default: the client would choose
            how the file is later served.

    Returns:
        Metadata of the stored file.

    Raises:
        UploadTooLargeError: If the body is bigger than ``max_size`` (nothing is stored).
    """
    if max_size is not None and _declared_over(request.headers.get("content-length"), max_size):
        raise UploadTooLargeError(max_size, key=key)
    claimed = request.headers.get("content-type")
    return await write(
        storage,
        key,
        limit_size(request.stream(), max_size, key=key),
        content_type=_stored_type(content_type, claimed, trust_client_content_type=trust_client_content_type),
        metadata=metadata,
        overwrite=overwrite,
        progress=progress,
    )
