"""The manual multipart API (``start_multipart_upload``...) on GCS resumable uploads.

A resumable session takes bytes in order, in multiples of 256 KiB until the last
request. Parts are therefore sent as they arrive, in part-number order; the bytes of a
part past its last 256 KiB boundary (less than 256 KiB) wait for the next part or for
completion. Memory stays at one part, never the whole object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from litestar_storages.backends.gcs.config import CHUNK_GRANULARITY, GCSConfig
from litestar_storages.backends.gcs.resumable import ResumableUpload
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import StorageError, StorageValidationError
from litestar_storages.parts import validate_part
from litestar_storages.types import MultipartUpload

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

    async def start(
        self,
        connect: Callable[[], Transport],
        config: GCSConfig,
        *,
        key: str,
        name: str,
        content_type: str | None,
        metadata: Mapping[str, str] | None,
        part_size: int,
    ) -> MultipartUpload:
        """Open a resumable session for ``name`` and track it as a new upload.

        Args:
            connect: Returns the storage's transport, opening it on first use.
            config: The storage's configuration (bucket, retry).
            key: The caller's key (for errors and the content type).
            name: The object's full name in the bucket.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Nominal size of each part.

        Returns:
            The upload's state; its ``upload_id`` is the session URL.
        """
        resolved_type = resolve_content_type(key, content_type)
        checked = validate_metadata(metadata, key=key)
        session = await ResumableUpload.start(
            connect(),
            config.bucket,
            name,
            content_type=resolved_type,
            metadata=checked,
            key=key,
            retry=config.retry,
        )
        self._uploads[session.session_uri] = _Pending(session)
        return MultipartUpload(
            upload_id=session.session_uri,
            key=key,
            part_size=part_size,
            content_type=resolved_type,
            metadata=checked,
        )

    def _get(self, upload: MultipartUpload) -> _Pending:
        pending = self._uploads.get(upload.upload_id)
        if pending is None:
            raise StorageError(
                f"No multipart upload of {upload.key!r} in progress here (completed, aborted or started elsewhere)",
                key=upload.key,
            )
        return pending

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Send one part (parts must come in order: 1, 2, 3...).

        Args:
            upload: The upload's state.
            part_number: The part's 1-based position.
            data: The part's bytes.

        Returns:
            The part's tag (its MD5, hex).

        Raises:
            StorageValidationError: If the part is out of order.
            InvalidDataError: If ``data`` is not bytes.
        """
        pending = self._get(upload)
        validate_part(upload, part_number, data)
        expected = len(pending.tags) + 1
        if part_number != expected:
            raise StorageValidationError(
                f"GCS resumable uploads take parts in order: expected part {expected}, got {part_number!r}",
                key=upload.key,
            )
        buffer = pending.tail + bytes(data)
        aligned = len(buffer) - len(buffer) % CHUNK_GRANULARITY
        if aligned:
            await pending.session.send(buffer[:aligned], final=False)
        pending.tail = buffer[aligned:]
        tag = hashlib.md5(data, usedforsecurity=False).hexdigest()
        pending.tags[part_number] = tag
        upload.add_part(part_number, tag)
        return tag

    async def complete(self, upload: MultipartUpload) -> dict[str, object]:
        """Send the remaining bytes and complete the object.

        Args:
            upload: The upload's state; its ``parts`` must be the parts sent.

        Returns:
            The object's resource.

        Raises:
            StorageError: If the parts listed differ from the parts sent.
        """
        pending = self._get(upload)
        if sorted(upload.parts) != sorted(pending.tags.items()):
            raise StorageError(
                f"The parts listed for {upload.key!r} differ from the parts uploaded "
                f"({len(upload.parts)} listed, {len(pending.tags)} uploaded)",
                key=upload.key,
            )
        resource = await pending.session.send(pending.tail, final=True)
        del self._uploads[upload.upload_id]
        if resource is None:  # pragma: no cover - send(final=True) always returns the resource
            raise StorageError(f"GCS did not complete the upload of {upload.key!r}", key=upload.key)
        return resource

    async def abort(self, upload: MultipartUpload) -> None:
        """Cancel the upload; GCS discards what was sent.

        Args:
            upload: The upload's state.
        """
        pending = self._uploads.pop(upload.upload_id, None)
        if pending is not None:
            await pending.session.cancel()
