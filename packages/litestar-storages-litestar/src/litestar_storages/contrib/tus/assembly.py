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
from collections.abc import AsyncIterator
from typing import Literal

from litestar_storages.calls import read_bytes, write
from litestar_storages.capabilities import SupportsMultipartUpload
from litestar_storages.contrib.tus.state import StateStore, UploadInfo, UploadState
from litestar_storages.exceptions import StorageError
from litestar_storages.parts import MAX_PART_NUMBER
from litestar_storages.protocol import Storage
from litestar_storages.types import MultipartUpload, StoredFile

__all__ = ("DEFAULT_PART_SIZE", "PatchWriter", "choose_mode", "choose_part_size")

MIB = 1024 * 1024
DEFAULT_PART_SIZE = 8 * MIB
"""Part size when the configuration names none."""

# GCS resumable sessions take multiples of 256 KiB: every part size is one.
_GRANULE = 256 * 1024
# Backends refusing smaller parts but the last (S3 and compatible services).
_MIN_PART_SIZE = {"S3Storage": 5 * MIB}
# Backends whose multipart state lives in the service (or the folder), not in the
# process: another process, or the same one after a restart, can add parts.
_PORTABLE_MULTIPART = frozenset({"MemoryStorage", "FileSystemStorage", "S3Storage", "AzureStorage"})


def choose_mode(storage: Storage, assembly: str) -> Literal["multipart", "staged"]:
    """Return the assembly used for ``storage`` (``"auto"`` resolved).

    Args:
        storage: The storage.
        assembly: The configured :data:`~litestar_storages.contrib.tus.config.Assembly`.

    Returns:
        ``"multipart"`` or ``"staged"``.
    """
    if assembly == "staged":
        return "staged"
    has_parts = isinstance(storage, SupportsMultipartUpload)
    if assembly == "multipart":
        if not has_parts:
            raise StorageError(f"{type(storage).__name__} has no multipart uploads: use assembly='staged'")
        return "multipart"
    return "multipart" if has_parts and getattr(storage, "backend_name", "") in _PORTABLE_MULTIPART else "staged"


def choose_part_size(storage: Storage, configured: int | None, length: int | None) -> int:
    """Return the part size of a new upload.

    Args:
        storage: The storage.
        configured: :attr:`TusConfig.part_size`.
        length: The announced length, if any.

    Returns:
        At least the backend's minimum, enough for ``length`` in 10,000 parts, rounded up
        to a multiple of 256 KiB.
    """
    size = max(configured or DEFAULT_PART_SIZE, _MIN_PART_SIZE.get(getattr(storage, "backend_name", ""), 1))
    if length:
        size = max(size, math.ceil(length / MAX_PART_NUMBER))
    return math.ceil(size / _GRANULE) * _GRANULE


def _multipart(info: UploadInfo, parts: list[tuple[int, str]]) -> MultipartUpload:
    if info.multipart_id is None:
        raise StorageError(f"tus upload {info.id} has no multipart upload", key=info.key)
    return MultipartUpload(
        info.multipart_id, info.key, parts=list(parts), part_size=info.part_size, content_type=info.content_type
    )


class PatchWriter:
    """Receives the bytes of one PATCH after the state it extends."""

    __slots__ = ("_created", "_fill", "_part", "info", "parts", "state", "store")

    def __init__(self, store: StateStore, info: UploadInfo, state: UploadState) -> None:
        """Prepare to extend ``state``.

        Args:
            store: The upload state store.
            info: The upload.
            state: The current state (this PATCH's starting point).
        """
        self.store = store
        self.info = info
        self.state = state
        self.parts = list(state.parts)
        self._part = bytearray(info.part_size)
        self._fill = 0
        self._created: list[str] = []

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
        self._part[: len(data)] = data
        self._fill = len(data)

    async def feed(self, chunk: bytes) -> None:
        """Add bytes; each part filled goes to the storage at once.

        Args:
            chunk: The next bytes of the body.
        """
        view = memoryview(chunk)
        size = self.info.part_size
        while view.nbytes:
            taken = min(size - self._fill, view.nbytes)
            self._part[self._fill : self._fill + taken] = view[:taken]
            self._fill += taken
            view = view[taken:]
            if self._fill == size:
                full, self._part, self._fill = self._part, bytearray(size), 0
                await self._send(full)

    async def _send(self, data: bytearray) -> None:
        number = len(self.parts) + 1
        if number > MAX_PART_NUMBER:
            raise StorageError(f"tus upload {self.info.id} needs more than {MAX_PART_NUMBER} parts", key=self.info.key)
        if self.info.mode == "multipart":
            upload = _multipart(self.info, self.parts)
            tag = await upload_part(self.storage, upload, number, data)
        else:
            tag = self.store.staged_name(self.info.id, "parts", f"{number:05d}")
            self._created.append(tag)
            await write(self.storage, tag, data, overwrite=False)
        self.parts.append((number, tag))

    async def stage_tail(self) -> str | None:
        """Store the bytes past the last full part as the tail object.

        Returns:
            Its key, or ``None`` when there are none.
        """
        if not self._fill:
            return None
        name = self.store.staged_name(self.info.id, "tail", f"{len(self.parts) * self.info.part_size + self._fill:020d}")
        self._created.append(name)
        await write(self.storage, name, bytes(self._part[: self._fill]), overwrite=False)
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
                await upload_part(self.storage, upload, len(self.parts) + 1, bytes(self._part[: self._fill]))
            return await self.storage.complete_multipart_upload(upload)  # type: ignore[attr-defined,no-any-return]
        return await write(self.storage, info.key, self._concatenated(), content_type=info.content_type)

    async def _concatenated(self) -> AsyncIterator[bytes]:
        for _, name in self.parts:
            async for chunk in self.storage.get(name):
                yield chunk
        if self._fill:
            yield bytes(self._part[: self._fill])

    def created(self) -> list[str]:
        """Return the staged objects this PATCH wrote (removed if it is not recorded)."""
        return list(self._created)


async def upload_part(storage: Storage, upload: MultipartUpload, number: int, data: bytes | bytearray) -> str:
    """Send one part through the storage's multipart API.

    Args:
        storage: A storage with multipart uploads.
        upload: The upload.
        number: The part number.
        data: The part's bytes.

    Returns:
        The part's tag.
    """
    if not isinstance(storage, SupportsMultipartUpload):
        raise StorageError(f"{type(storage).__name__} has no multipart uploads", key=upload.key)
    return await storage.upload_part(upload, number, data)  # type: ignore[arg-type]
