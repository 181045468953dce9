"""``TusUploads``: the tus operations over one storage, independent of routing.

The routes (:mod:`~litestar_storages.contrib.tus.routes`) parse requests and call
these methods; everything an upload is lives in the storage (see
:mod:`~litestar_storages.contrib.tus.state`), so two ``TusUploads`` over the same
storage, in one process or in two, serve the same uploads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from litestar_storages.calls import write
from litestar_storages.capabilities import SupportsMultipartUpload
from litestar_storages.contrib.tus.assembly import PatchWriter, choose_mode, choose_part_size
from litestar_storages.contrib.tus.config import TusConfig, TusUpload
from litestar_storages.contrib.tus.protocol import CHECKSUM_ALGORITHMS, TusError
from litestar_storages.contrib.tus.state import LockLost, StateStore, UploadInfo, UploadState, advanced
from litestar_storages.exceptions import StorageError, StorageValidationError
from litestar_storages.keys import validate_key
from litestar_storages.media_types import is_media_type
from litestar_storages.protocol import Storage
from litestar_storages.types import MultipartUpload

__all__ = ("ClientGone", "PatchRequest", "TusUploads")

logger = logging.getLogger("litestar_storages.contrib")


class ClientGone(Exception):  # a condition, not a failure of ours
    """The client closed the connection before the body ended."""


@dataclass(frozen=True)
class PatchRequest:
    """The checked headers and the body of a request carrying upload bytes.

    Attributes:
        offset: ``Upload-Offset`` (``0`` for creation-with-upload).
        length: ``Upload-Length`` sent with it (deferred length), or ``None``.
        content_length: The body's declared size, or ``None`` (chunked).
        checksum: ``(algorithm, digest)`` of ``Upload-Checksum``, or ``None``.
        body: The body's chunks; raises :class:`ClientGone` on disconnect.
        max_size: The upload limit, or ``None``.
    """

    offset: int
    length: int | None
    content_length: int | None
    checksum: tuple[str, bytes] | None
    body: AsyncIterator[bytes]
    max_size: int | None


class TusUploads:
    """The tus uploads of one storage under one configuration."""

    __slots__ = ("clock", "config", "mode", "storage", "store")

    def __init__(self, storage: Storage, config: TusConfig, *, clock: Callable[[], float] = time.time) -> None:
        """Serve uploads into ``storage``.

        Args:
            storage: The storage receiving the uploads.
            config: The tus configuration.
            clock: Source of the current time (Unix seconds), for expiry.
        """
        self.storage = storage
        self.config = config
        self.store = StateStore(storage, config.state_prefix)
        self.mode = choose_mode(storage, config.assembly)
        self.clock = clock

    # -- reading ------------------------------------------------------------------------

    async def find(self, upload_id: str) -> tuple[UploadInfo, UploadState]:
        """Return a live upload's info and state.

        Raises:
            TusError: 404 for an unknown id, 410 for an expired upload.
        """
        if not _is_id(upload_id):
            raise TusError(404, "No such upload")
        info = await self.store.info(upload_id)
        if info is None:
            raise TusError(404, "No such upload")
        if info.expires <= self.clock():
            raise TusError(410, "The upload expired")
        return info, await self.store.state(info)

    # -- creation -----------------------------------------------------------------------

    async def create(
        self, *, length: int | None, metadata: dict[str, str], max_size: int | None, partial: bool = False
    ) -> UploadInfo:
        """Create an upload (its multipart upload too), recording it in the storage.

        Args:
            length: ``Upload-Length``, or ``None`` for a deferred length.
            metadata: The parsed ``Upload-Metadata``.
            max_size: The upload limit, or ``None``.
            partial: A partial upload of the concatenation extension: its bytes become
                an object in the state folder, for a final upload to gather.

        Returns:
            The upload's info.

        Raises:
            TusError: 413 if ``length`` exceeds ``max_size``; 400 if the key policy
                gives a key that is not valid.
        """
        if length is not None and max_size is not None and length > max_size:
            raise TusError(413, f"Upload-Length exceeds the limit of {max_size} bytes")
        upload_id = uuid.uuid4().hex
        key = self.store.folder(upload_id) + "partial" if partial else self._key(upload_id, metadata, length)
        content_type = None if partial else self._content_type(metadata)
        part_size = choose_part_size(self.storage, self.config.part_size, length)
        multipart_id: str | None = None
        if self.mode == "multipart" and length != 0:
            assert isinstance(self.storage, SupportsMultipartUpload)  # noqa: S101 # choose_mode checked it
            started = await self.storage.start_multipart_upload(key, content_type=content_type, part_size=part_size)
            multipart_id = started.upload_id
        now = self.clock()
        info = UploadInfo(
            id=upload_id,
            key=key,
            created=now,
            expires=now + self.config.expires_in.total_seconds(),
            metadata=dict(metadata),
            part_size=part_size,
            mode=self.mode,
            multipart_id=multipart_id,
            content_type=content_type,
            length=length,
            concat="partial" if partial else None,
        )
        await self.store.create(info)
        if length == 0:
            # Nothing will ever be sent: the (empty) final object exists from now on.
            await write(self.storage, key, b"", content_type=content_type)
            await self.store.record(info, advanced(UploadState(length=0), done=True))
        return info

    def _key(self, upload_id: str, metadata: Mapping[str, str], length: int | None) -> str:
        key = self.config.key(TusUpload(upload_id, dict(metadata), length))
        try:
            validate_key(key)
        except StorageValidationError:
            raise TusError(400, "The upload's name gives no valid key") from None
        if key == self.store.prefix or key.startswith(self.store.prefix + "/"):
            raise TusError(400, "The upload's key is in the tus state folder")
        return key

    async def concatenate(
        self, partial_ids: Sequence[str], *, header: str, metadata: dict[str, str], max_size: int | None
    ) -> UploadInfo:
        """Create a final upload of the concatenation extension from finished partial uploads.

        The final object is written at once, streamed from the partial uploads' objects
        in order (the bytes travel through this process once more, a few chunks at a time).

        Args:
            partial_ids: The partial uploads' ids, in order.
            header: The ``Upload-Concat`` value, echoed by ``HEAD``.
            metadata: The parsed ``Upload-Metadata``.
            max_size: The upload limit, or ``None``.

        Returns:
            The final upload's info (already done).

        Raises:
            TusError: 400 if an id is not a finished partial upload of this storage, 410
                if one expired, 413 if the total exceeds ``max_size``.
        """
        partials: list[UploadInfo] = []
        for partial_id in partial_ids:
            info, state = await self.find(partial_id)
            if info.concat != "partial" or not state.done or state.length is None:
                raise TusError(400, "Upload-Concat names an upload that is not a finished partial upload")
            partials.append(replace(info, length=state.length))
        length = sum(info.length or 0 for info in partials)
        if max_size is not None and length > max_size:
            raise TusError(413, f"The concatenated upload exceeds the limit of {max_size} bytes")
        upload_id = uuid.uuid4().hex
        key = self._key(upload_id, metadata, length)
        content_type = self._content_type(metadata)
        now = self.clock()
        info = UploadInfo(
            id=upload_id,
            key=key,
            created=now,
            expires=now + self.config.expires_in.total_seconds(),
            metadata=dict(metadata),
            part_size=choose_part_size(self.storage, self.config.part_size, length),
            mode=self.mode,
            multipart_id=None,
            content_type=content_type,
            length=length,
            concat=header,
        )
        await self.store.create(info)
        await write(self.storage, key, self._gathered(partials), content_type=content_type)
        await self.store.record(info, advanced(UploadState(length=length), offset=length, done=True))
        return info

    async def _gathered(self, partials: Sequence[UploadInfo]) -> AsyncIterator[bytes]:
        for info in partials:
            async for chunk in self.storage.get(info.key):
                yield chunk

    def _content_type(self, metadata: Mapping[str, str]) -> str | None:
        if self.config.content_type:
            return self.config.content_type
        claimed = metadata.get("filetype") or metadata.get("contentType") or ""
        if self.config.trust_client_content_type and is_media_type(claimed) and claimed != "application/octet-stream":
            return claimed
        return None

    # -- PATCH --------------------------------------------------------------------------

    async def append(self, info: UploadInfo, state: UploadState, request: PatchRequest) -> UploadState:
        """Receive the bytes of one PATCH (or of a creation-with-upload).

        Args:
            info: The upload.
            state: Its current state.
            request: The checked request.

        Returns:
            The new state (the same when nothing was received).

        Raises:
            TusError: 409 on a wrong offset or a concurrent PATCH; 400 on a conflicting
                ``Upload-Length``; 413 past the length or the limit; 460 on a checksum
                mismatch (nothing is kept then).
        """
        if info.concat is not None and info.concat != "partial":
            raise TusError(403, "A final upload of a concatenation takes no PATCH")
        if state.done or request.offset != state.offset:
            raise TusError(409, "Upload-Offset does not match the upload's offset", headers=_offset(state))
        length = self._length(state, request)
        if length is not None and request.content_length is not None and state.offset + request.content_length > length:
            raise TusError(413, "The body goes past Upload-Length")
        limit = request.max_size
        if limit is not None and request.content_length is not None and state.offset + request.content_length > limit:
            raise TusError(413, f"The upload exceeds the limit of {limit} bytes")
        timeout = self.config.lock_timeout.total_seconds()
        lock = await self.store.lock(info, state, timeout)
        if lock is None:
            raise TusError(409, "Another request is writing this upload", headers=_offset(state))
        writer = PatchWriter(self.store, info, state, before_part=lock.check)
        recorded = False
        try:
            # The state read before the lock may have been extended by a PATCH that
            # released the lock since: writing parts from it would replace that PATCH's.
            if (await self.store.state(info)).seq != state.seq:
                raise TusError(409, "Upload-Offset does not match the upload's offset")
            await writer.start()
            received = await self._receive(writer, state, request, length=length, renew=lock.renew, timeout=timeout)
            if received == 0 and length == state.length:
                return state
            offset = state.offset + received
            if length is not None and offset == length:
                await writer.finish()
                new = advanced(state, offset=offset, length=length, parts=(), tail=None, done=True)
            else:
                tail = await writer.stage_tail()
                new = advanced(state, offset=offset, length=length, parts=tuple(writer.parts), tail=tail)
            await lock.check()  # a PATCH that stalled past the timeout records nothing
            if not await self.store.record(info, new):
                raise TusError(409, "Another request wrote this upload first")
            recorded = True
        except LockLost:
            raise TusError(409, "Another request took over this upload") from None
        finally:
            if not recorded:
                await self._quietly(self.store.delete(writer.created()))
            await self._quietly(lock.release())
        stale = [name for _, name in state.parts if info.mode == "staged" and new.done]
        if state.tail is not None:
            stale.append(state.tail)
        if new.done:
            stale.extend(writer.created())
        await self._quietly(self.store.delete(stale))
        return new

    def _length(self, state: UploadState, request: PatchRequest) -> int | None:
        if request.length is None:
            return state.length
        if state.length is not None and request.length != state.length:
            raise TusError(400, "Upload-Length cannot change")
        if request.length < state.offset:
            raise TusError(400, "Upload-Length is smaller than the offset")
        if request.max_size is not None and request.length > request.max_size:
            raise TusError(413, f"Upload-Length exceeds the limit of {request.max_size} bytes")
        return request.length

    async def _receive(
        self,
        writer: PatchWriter,
        state: UploadState,
        request: PatchRequest,
        *,
        length: int | None,
        renew: Callable[[float], Any],
        timeout: float,
    ) -> int:
        hasher = CHECKSUM_ALGORITHMS[request.checksum[0]]() if request.checksum else None
        bounds = [bound for bound in (length, request.max_size) if bound is not None]
        ceiling = min(bounds) if bounds else None
        received = 0
        try:
            async for chunk in request.body:
                received += len(chunk)
                if ceiling is not None and state.offset + received > ceiling:
                    raise TusError(413, "The body goes past Upload-Length or the upload limit")
                if hasher is not None:
                    hasher.update(chunk)
                await writer.feed(chunk)
                await renew(timeout)
        except ClientGone:
            if hasher is not None:
                # A checksum cannot be verified on part of a body: keep nothing.
                raise TusError(460, "The body ended early; its checksum cannot match") from None
            return received
        if hasher is not None and request.checksum is not None and hasher.digest() != request.checksum[1]:
            raise TusError(460, "Checksum Mismatch")
        return received

    @staticmethod
    async def _quietly(operation: Any) -> None:
        # Leftovers of a failed or finished request: cleanup_expired removes them later.
        with contextlib.suppress(StorageError):
            await operation

    # -- termination and expiry -----------------------------------------------------------

    async def terminate(self, upload_id: str) -> None:
        """Abort an upload and remove its state (the final object, if done, stays).

        Raises:
            TusError: 404 for an unknown id.
        """
        if not _is_id(upload_id):
            raise TusError(404, "No such upload")
        info = await self.store.info(upload_id)
        if info is None:
            raise TusError(404, "No such upload")
        await self._discard(info)

    async def _discard(self, info: UploadInfo) -> None:
        state = await self.store.state(info)
        if info.multipart_id is not None and not state.done and isinstance(self.storage, SupportsMultipartUpload):
            await self._quietly(self.storage.abort_multipart_upload(MultipartUpload(info.multipart_id, info.key)))
        # info.json last: until it goes, cleanup_expired can still find the upload.
        info_name = self.store.folder(info.id) + "info.json"
        await self.store.remove(info.id, keep=(info_name,))
        await self.store.delete([info_name])

    async def cleanup_expired(self) -> int:
        """Remove every expired upload: its multipart upload aborted, staged objects and state deleted.

        Finished uploads are removed too once expired (their final objects stay).
        Objects of an upload whose ``info.json`` is gone (a termination interrupted)
        are removed once older than ``expires_in``.

        Returns:
            How many uploads were removed.
        """
        removed = 0
        now = self.clock()
        for upload_id in await self.store.upload_ids():
            info = await self.store.info(upload_id) if _is_id(upload_id) else None
            if info is None:
                if await self._orphaned(upload_id, now):
                    await self.store.remove(upload_id)
                    removed += 1
                continue
            if info.expires <= now:
                await self._discard(info)
                removed += 1
        return removed

    @asynccontextmanager
    async def cleanup_lifespan(self, app: object = None) -> AsyncIterator[None]:
        """Run :meth:`cleanup_expired` at startup and every ``cleanup_interval`` while the app runs.

        The plugin adds it to the application's lifespan when ``cleanup_interval`` is
        set. A failing cleanup is logged and tried again at the next interval.

        Args:
            app: The application (unused; Litestar passes it).

        Yields:
            While the application runs.
        """
        interval = (self.config.cleanup_interval or timedelta(hours=1)).total_seconds()

        async def loop() -> None:
            while True:
                try:
                    removed = await self.cleanup_expired()
                    if removed:
                        logger.info("tus: removed %d expired uploads", removed)
                except Exception:
                    logger.exception("tus: removing expired uploads failed")
                await asyncio.sleep(interval)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _orphaned(self, upload_id: str, now: float) -> bool:
        limit = now - self.config.expires_in.total_seconds()
        async for stored in self.storage.list(self.store.folder(upload_id)):
            modified = stored.last_modified
            if modified is None or modified.timestamp() > limit:
                return False
        return True


def _offset(state: UploadState) -> dict[str, str]:
    return {"Upload-Offset": str(state.offset)}


def _is_id(value: str) -> bool:
    return len(value) == 32 and all(character in "0123456789abcdef" for character in value)
