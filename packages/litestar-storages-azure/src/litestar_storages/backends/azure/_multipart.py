"""The manual multipart API on Azure: each part is one staged block of the final blob.

Azure has no upload session: parts are blocks staged under the final name, and
nothing is visible until the block list is committed.

Private: ``AzureStorage`` inherits these methods, and the API reference documents
them there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from azure.storage.blob import ContentSettings
from litestar_storages.backends.azure.blocks import (
    block_body,
    block_id,
    check_part_size,
    new_upload_id,
    require_parts,
)
from litestar_storages.backends.azure.errors import BACKEND, blocks_discarded
from litestar_storages.backends.azure.metadata import encode_metadata
from litestar_storages.backends.azure.upload import UploadTarget, commit_blocks, upload_blob
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.exceptions import ConcurrentWriteError, StorageError
from litestar_storages.keys import validate_key
from litestar_storages.parts import validate_part
from litestar_storages.types import MultipartUpload, ProgressCallback, StoredFile

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobClient
    from litestar_storages.backends.azure.config import AzureConfig
    from litestar_storages.retry import RetryConfig
    from litestar_storages.streams import PutData

T = TypeVar("T")


class MultipartMixin:
    """``AzureStorage``'s multipart methods (mixed in; not meant to be used alone)."""

    __slots__ = ()

    if TYPE_CHECKING:
        # Provided by AzureStorage.
        config: AzureConfig
        _aborted: set[str]
        _retry: RetryConfig

        def _blob(self, key: str) -> BlobClient: ...

        async def _call(self, key: str | None, operation: Callable[[], Awaitable[T]]) -> T: ...

        def _upload_target(self) -> UploadTarget: ...

        async def info(self, key: str) -> StoredFile: ...

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin an upload in parts; each part becomes one staged block.

        No request is made: Azure has no upload session, the parts are blocks staged
        under the final name and nothing is visible until :meth:`complete_multipart_upload`.

        Args:
            key: The key the object will have.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Nominal size of each part (at most 4000 MiB).

        Returns:
            The upload's state.
        """
        validate_key(key)
        check_part_size(part_size, key)
        return MultipartUpload(
            upload_id=new_upload_id(),
            key=key,
            part_size=part_size,
            content_type=resolve_content_type(key, content_type),
            metadata=validate_metadata(metadata, key=key),
        )

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Stage one part as a block and record it in ``upload.parts``.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
            part_number: The part's 1-based position (1 to 10,000).
            data: The part's bytes.

        Returns:
            The block id, recorded as the part's tag.

        Raises:
            StorageError: If the upload was aborted.
        """
        self._check_active(upload)
        validate_part(upload, part_number, data)
        identifier = block_id(upload.upload_id, part_number)
        blob = self._blob(upload.key)
        # Sent in slices straight from the caller's buffer: no copy of the part is made.
        length = memoryview(data).nbytes
        await self._call(upload.key, lambda: blob.stage_block(identifier, block_body(data), length=length))
        upload.add_part(part_number, identifier)
        return identifier

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Commit the staged parts, in part-number order, as the object.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored object.

        Raises:
            ConcurrentWriteError: If another write of the key (a ``put``, another
                upload's completion) discarded the staged parts: Azure keeps one set of
                uncommitted blocks per blob and each commit drops the ones it does not use.
            StorageError: If the upload was aborted or has no parts.
        """
        self._check_active(upload)
        ids = require_parts(upload.parts, upload.key)
        blob = self._blob(upload.key)
        settings = ContentSettings(content_type=upload.content_type)
        encoded = encode_metadata(upload.metadata)
        try:
            await commit_blocks(blob, upload.key, ids, settings, encoded, overwrite=True, retry=self._retry)
        except StorageError as error:
            if blocks_discarded(error):
                raise ConcurrentWriteError(
                    f"{BACKEND}: the parts of upload {upload.upload_id!r} were discarded by another write of "
                    f"{upload.key!r} before completion; nothing was written: upload the parts again",
                    key=upload.key,
                ) from error
            raise
        return await self.info(upload.key)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Abandon an upload: its staged blocks are never committed.

        Azure has no request to discard uncommitted blocks; it garbage-collects them
        after a week (or when another upload of the key commits).

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
        """
        self._aborted.add(upload.upload_id)
        upload.parts.clear()

    def _check_active(self, upload: MultipartUpload) -> None:
        if upload.upload_id in self._aborted:
            raise StorageError(f"Multipart upload {upload.upload_id!r} of {upload.key!r} was aborted", key=upload.key)

    async def put_large(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int | None = None,
        progress_callback: ProgressCallback | None = None,
    ) -> StoredFile:
        """Upload a large object as staged blocks of ``part_size`` bytes.

        Args:
            key: The object's key.
            data: Anything :meth:`put` accepts.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Block size; ``AzureConfig.block_size`` when omitted.
            progress_callback: Sync or async callback receiving upload progress.

        Returns:
            Metadata of the stored object.
        """
        size = check_part_size(self.config.block_size if part_size is None else part_size, key)
        return await upload_blob(
            self._upload_target(),
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            overwrite=True,
            progress=progress_callback,
            block_size=size,
        )
