"""Turning PATCH bodies of any size into parts, a staged tail and, at the end, the final object.

Bytes are cut into parts of the upload's part size as they arrive. A full part goes
to the storage at once: to its multipart API (``"multipart"`` assembly) or as an object
of its own (``"staged"``). What is left when the PATCH ends (less than a part) is
stored as the *tail* object, and read back into the next part by the next PATCH, so
nothing waits in process memory between requests: a restart, or another process,
continues from the storage alone. Memory per PATCH in progress is one part plus the
chunk being copied.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal

from litestar_storages.calls import read_bytes, write
from litestar_storages.capabilities import SupportsMultipartUpload, SupportsPartRules
from litestar_storages.contrib.tus.protocol import TusError
from litestar_storages.contrib.tus.state import StateStore, UploadInfo, UploadState
from litestar_storages.exceptions import StorageError
from litestar_storages.parts import MAX_PART_NUMBER
from litestar_storages.protocol import Storage
from litestar_storages.types import MultipartUpload, StoredFile

__all__ = ("AUTO_PART_LIMIT", "DEFAULT_PART_SIZE", "PatchWriter", "choose_mode", "choose_part_size")

MIB = 1024 * 1024
DEFAULT_PART_SIZE = 8 * MIB
"""Part size when the configuration names none."""

# GCS resumable sessions take multiples of 256 KiB: every part size is one.
_GRANULE = 256 * 1024
AUTO_PART_LIMIT = 64 * MIB
"""Largest part size chosen to fit an announced length into 10,000 parts (625 GiB);
a longer upload needs a configured ``part_size`` (memory per PATCH is one part)."""


def choose_mode(storage: Storage, assembly: str) -> Literal["multipart", "staged"]:
    """Return the assembly used for ``storage`` (``"auto"`` resolved).

    Args:
        storage: The storage.
        assembly: The configured :data:`~litestar_storages.contrib.tus.config.Assembly`.

    Returns:
        ``"multipart"`` or ``"staged"``: ``"auto"`` is ``"multipart"`` only where the
        storage says its multipart uploads live in the service (another process, or the
        same one after a restart, can add parts).
    """
    if assembly == "staged":
        return "staged"
    has_parts = isinstance(storage, SupportsMultipartUpload)
    if assembly == "multipart":
        if not has_parts:
            raise StorageError(f"{type(storage).__name__} has no multipart uploads: use assembly='staged'")
        return "multipart"
    durable = isinstance(storage, SupportsPartRules) and storage.durable_multipart
    return "multipart" if has_parts and durable else "staged"


def choose_part_size(storage: Storage, configured: int | None, length: int | None) -> int:
    """Return the part size of a new upload.

    Args:
        storage: The storage.
        configured: :attr:`TusConfig.part_size`.
        length: The announced length, if any.

    Returns:
        At least the backend's minimum, enough for ``length`` in 10,000 parts, rounded up
        to a multiple of 256 KiB.

    Raises:
        TusError: 413 if ``length`` needs parts above the configured size and
            :data:`AUTO_PART_LIMIT`.
    """
    # S3 and compatible services refuse smaller parts but the last.
    floor = storage.min_part_size if isinstance(storage, SupportsPartRules) else 1
    base = max(configured or DEFAULT_PART_SIZE, floor)
    size = base
    if length:
        size = max(size, math.ceil(length / MAX_PART_NUMBER))
        if size > max(base, AUTO_PART_LIMIT):
            raise TusError(413, "Upload-Length is too large: configure a larger part_size")
    return math.ceil(size / _GRANULE) * _GRANULE


def _multipart(info: UploadInfo, parts: list[tuple[int, str]]) -> MultipartUpload:
    if info.multipart_id is None:
        raise StorageError(f"tus upload {info.id} has no multipart upload", key=info.key)
    return MultipartUpload(
        info.multipart_id, info.key, parts=list(parts), part_size=info.part_size, content_type=info.content_type
    )


class PatchWriter:
    """Receives the bytes of one PATCH after the state it extends."""

    __slots__ = ("_before_part", "_created", "_fill", "_part", "info", "parts", "state", "store")

    def __init__(
        self,
        store: StateStore,
        info: UploadInfo,
        state: UploadState,
        *,
        before_part: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Prepare to extend ``state``.

        Args:
            store: The upload state store.
            info: The upload.
            state: The current state (this PATCH's starting point).
            before_part: Awaited before each part is sent (the lock's check that it is
                still held: a part replaces any earlier part of its number).
        """
        self.store = store
        self.info = info
        self.state = state
        self.parts = list(state.parts)
        # Allocated on first use: zero-length PATCHes and HEADs cost no buffer.
        self._part = bytearray()
        self._fill = 0
        self._created: list[str] = []
        self._before_part = before_part

    def _buffer(self) -> bytearray:
        if not self._part:
            self._part = bytearray(self.info.part_size)
        return self._part

    @property
    def storage(self) -> Storage:
        """The storage receiving the upload."""
        return self.store.storage

    async def start(self) -> None:
        """Read the staged tail back into the part being filled."""
        expected = self.state.offset - len(self.parts) * self.info.part_size
        if self.state.tail is None:
            if expected:
                raise StorageError(f"tus upload {self.info.id}: state without its tail", key=self.info.key)
            return
        data = await read_bytes(self.storage, self.state.tail)
        if len(data) != expected:
            raise StorageError(f"tus upload {self.info.id}: tail has {len(data)} bytes, not {expected}")
        self._buffer()[: len(data)] = data
        self._fill = len(data)

    async def feed(self, chunk: bytes) -> None:
        """Add bytes; each part filled goes to the storage at once.

        Args:
            chunk: The next bytes of the body.
        """
        view = memoryview(chunk)
        size = self.info.part_size
        part = self._buffer()
        while view.nbytes:
            taken = min(size - self._fill, view.nbytes)
            part[self._fill : self._fill + taken] = view[:taken]
            self._fill += taken
            view = view[taken:]
            if self._fill == size:
                # Drivers are done with a part's buffer when put_part returns: it is reused.
                await self._send(part)
                self._fill = 0

    async def _send(self, data: bytearray) -> None:
        number = len(self.parts) + 1
        if number > MAX_PART_NUMBER:
            # Only a deferred length gets here: an announced one sized the parts to fit.
            raise TusError(413, f"The upload needs more than {MAX_PART_NUMBER} parts of {self.info.part_size} bytes")
        if self._before_part is not None:
            await self._before_part()
        if self.info.mode == "multipart":
            upload = _multipart(self.info, self.parts)
            tag = await upload_part(self.storage, upload, number, data)
        else:
            tag = self.store.staged_name(self.info.id, "parts", f"{number:05d}")
            self._created.append(tag)
            # A copy: a storage may keep the object it is given (memory does), and the buffer is reused.
            await write(self.storage, tag, bytes(data), overwrite=False)
        self.parts.append((number, tag))

    async def stage_tail(self) -> str | None:
        """Store the bytes past the last full part as the tail object.

        Returns:
            Its key, or ``None`` when there are none.
        """
        if not self._fill:
            return None
        end = len(self.parts) * self.info.part_size + self._fill
        name = self.store.staged_name(self.info.id, "tail", f"{end:020d}")
        self._created.append(name)
        await write(self.storage, name, self._rest(), overwrite=False)
        return name

    async def finish(self) -> StoredFile:
        """Make the final object of every part and the bytes left.

        Returns:
            The final object.
        """
        info = self.info
        if info.mode == "multipart":
            upload = _multipart(info, self.parts)
            if self._fill or not upload.parts:
                # A view, not a copy: the part buffer is not touched until the call returns.
                last = memoryview(self._buffer())[: self._fill]
                await upload_part(self.storage, upload, len(self.parts) + 1, last)
            return await _with_parts(self.storage, upload.key).complete_multipart_upload(upload)
        return await write(self.storage, info.key, self._concatenated(), content_type=info.content_type)

    async def _concatenated(self) -> AsyncIterator[bytes]:
        for _, name in self.parts:
            async for chunk in self.storage.get(name):
                yield chunk
        if self._fill:
            yield self._rest()

    def _rest(self) -> bytes:
        # One copy of the bytes past the last full part (slicing the bytearray would make two).
        return bytes(memoryview(self._buffer())[: self._fill])

    def created(self) -> list[str]:
        """Return the staged objects this PATCH wrote (removed if it is not recorded)."""
        return list(self._created)


def _with_parts(storage: Storage, key: str) -> SupportsMultipartUpload:
    if not isinstance(storage, SupportsMultipartUpload):
        raise StorageError(f"{type(storage).__name__} has no multipart uploads", key=key)
    return storage


async def upload_part(
    storage: Storage, upload: MultipartUpload, number: int, data: bytes | bytearray | memoryview
) -> str:
    """Send one part through the storage's multipart API.

    Args:
        storage: A storage with multipart uploads.
        upload: The upload.
        number: The part number.
        data: The part's bytes (any buffer: every backend's ``upload_part`` takes one).

    Returns:
        The part's tag.
    """
    # The protocol says ``bytes``; the engine checks for and sends any buffer.
    return await _with_parts(storage, upload.key).upload_part(upload, number, data)  # type: ignore[arg-type]
