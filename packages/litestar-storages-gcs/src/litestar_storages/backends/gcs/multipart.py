"""The parts of manual multipart uploads, on GCS resumable sessions.

A resumable session takes bytes in order, in multiples of 256 KiB until the last
request. Parts are therefore sent as they arrive, in part-number order; the bytes of a
part past its last 256 KiB boundary (less than 256 KiB) wait for the next part or for
completion. Memory stays at one part, never the whole object. The upload id is the
session URL; the engine checks the arguments, retries and keeps the parts' tags.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar_storages.backends.gcs.config import CHUNK_GRANULARITY
from litestar_storages.backends.gcs.errors import GCSDriverError, PartOrderError
from litestar_storages.backends.gcs.resumable import ResumableUpload
from litestar_storages.backends.gcs.transport import Transport

__all__ = ("PendingUploads",)


@dataclass
class _Pending:
    session: ResumableUpload
    tags: dict[int, str] = field(default_factory=dict)
    tail: bytes = b""


class PendingUploads:
    """The multipart uploads a storage has in progress, by upload id (the session URL)."""

    __slots__ = ("_uploads",)

    def __init__(self) -> None:
        """Start with none."""
        self._uploads: dict[str, _Pending] = {}

    async def begin(
        self, transport: Transport, bucket: str, name: str, *, content_type: str, metadata: Mapping[str, str]
    ) -> str:
        """Open a resumable session for the object ``name`` and return its upload id."""
        session = await ResumableUpload.start(transport, bucket, name, content_type=content_type, metadata=metadata)
        self._uploads[session.session_uri] = _Pending(session)
        return session.session_uri

    def _get(self, upload_id: str) -> _Pending:
        pending = self._uploads.get(upload_id)
        if pending is None:
            raise GCSDriverError("no multipart upload in progress here by that id (completed, aborted or elsewhere)")
        return pending

    async def put(self, upload_id: str, number: int, data: bytes | bytearray | memoryview) -> str:
        """Send part ``number`` (parts come in order: 1, 2, 3...) and return its tag (MD5, hex).

        A part that failed changes nothing: it may be sent again.

        Raises:
            PartOrderError: If the part is not the next one.
        """
        pending = self._get(upload_id)
        expected = len(pending.tags) + 1
        if number != expected:
            raise PartOrderError(f"resumable uploads take parts in order: expected part {expected}, got {number}")
        buffer = pending.tail + bytes(data)
        aligned = len(buffer) - len(buffer) % CHUNK_GRANULARITY
        if aligned:
            await pending.session.send(memoryview(buffer)[:aligned], final=False)
        pending.tail = buffer[aligned:]
        pending.tags[number] = tag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        return tag

    async def commit(self, upload_id: str, parts: Sequence[tuple[int, str]]) -> dict[str, Any]:
        """Send the remaining bytes and return the completed object's resource.

        Raises:
            GCSDriverError: If ``parts`` (those the caller lists) differ from the parts sent.
        """
        pending = self._get(upload_id)
        if sorted(parts) != sorted(pending.tags.items()):
            raise GCSDriverError(
                f"the parts listed differ from the parts uploaded ({len(parts)} listed, {len(pending.tags)} uploaded)"
            )
        resource = await pending.session.send(pending.tail, final=True)
        del self._uploads[upload_id]
        return resource or {}  # send(final=True) returns the resource or raises

    async def abort(self, upload_id: str) -> None:
        """Cancel the upload; GCS discards what was sent. Aborting twice is harmless."""
        pending = self._uploads.pop(upload_id, None)
        if pending is not None:
            await pending.session.cancel()
