"""The manual multipart API: uploads the caller drives part by part.

``S3Storage`` inherits these methods from :class:`ManualUploads`, a mixin kept out of
``__all__``: the API reference documents them on ``S3Storage`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from litestar_storages.backends.s3.client import call
from litestar_storages.backends.s3.errors import upload_gone
from litestar_storages.backends.s3.lifecycle import create_upload
from litestar_storages.backends.s3.multipart import completed_parts, put_part
from litestar_storages.backends.s3.objects import object_attributes
from litestar_storages.exceptions import StorageError
from litestar_storages.keys import validate_key
from litestar_storages.parts import validate_part
from litestar_storages.types import MultipartUpload, StoredFile

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

    from litestar_storages.backends.s3.config import S3Config
    from litestar_storages.backends.s3.lifecycle import UploadTarget

# The mixin is an implementation detail of S3Storage, not a public name.
__all__: tuple[str, ...] = ()


class ManualUploads:
    """The manual multipart methods of ``S3Storage``."""

    __slots__ = ()

    # Provided by S3Storage.
    config: S3Config

    if TYPE_CHECKING:

        async def _s3(self) -> S3Client: ...

        def _name(self, key: str) -> str: ...

        async def _target(self, key: str) -> UploadTarget: ...

        async def info(self, key: str) -> StoredFile: ...

    async def start_multipart_upload(
        self,
        key: str,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int = 8 * 1024 * 1024,
    ) -> MultipartUpload:
        """Begin a multipart upload (CreateMultipartUpload).

        Abort it with :meth:`abort_multipart_upload` if it is not completed: S3 keeps
        (and bills) the parts of an open upload until a lifecycle rule removes them.

        Args:
            key: The key the object will have.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Nominal size of each part but the last (5 MiB to 5 GiB).

        Returns:
            The upload's state.
        """
        validate_key(key)
        resolved_type, checked, attributes = object_attributes(key, content_type, metadata)
        upload_id = await create_upload(await self._target(key), attributes)
        return MultipartUpload(
            upload_id=upload_id,
            key=key,
            part_size=part_size,
            content_type=resolved_type,
            metadata=checked,
        )

    async def upload_part(self, upload: MultipartUpload, part_number: int, data: bytes) -> str:
        """Upload one part (UploadPart) and record it in ``upload.parts``.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
            part_number: The part's 1-based position (1 to 10,000).
            data: The part's bytes (at least 5 MiB except for the last part).

        Returns:
            The part's ETag.

        Raises:
            StorageValidationError: If the part number or data is invalid.
        """
        validate_part(upload, part_number, data)
        etag = await put_part(await self._target(upload.key), upload.upload_id, part_number, data)
        upload.add_part(part_number, etag)
        return etag

    async def complete_multipart_upload(self, upload: MultipartUpload) -> StoredFile:
        """Assemble the parts listed in ``upload.parts`` into the object.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageError: If the upload was aborted or completed already, or a part is missing.
        """
        client = await self._s3()
        bucket, name = self.config.bucket, self._name(upload.key)
        await call(
            lambda: client.complete_multipart_upload(
                Bucket=bucket,
                Key=name,
                UploadId=upload.upload_id,
                MultipartUpload={"Parts": completed_parts(upload.parts)},
            ),
            key=upload.key,
            retry=self.config.retry,
        )
        return await self.info(upload.key)

    async def abort_multipart_upload(self, upload: MultipartUpload) -> None:
        """Abandon an upload and discard its parts (AbortMultipartUpload).

        Aborting an upload that no longer exists is not an error.

        Args:
            upload: The state returned by :meth:`start_multipart_upload`.
        """
        client = await self._s3()
        bucket, name = self.config.bucket, self._name(upload.key)
        try:
            await call(
                lambda: client.abort_multipart_upload(Bucket=bucket, Key=name, UploadId=upload.upload_id),
                key=upload.key,
                retry=self.config.retry,
            )
        except StorageError as error:
            # Aborting twice, or after completion, is not an error worth raising.
            if not upload_gone(error):
                raise
