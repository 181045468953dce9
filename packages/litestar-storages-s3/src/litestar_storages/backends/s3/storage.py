"""``S3Storage``: the Storage API over Amazon S3 and S3-compatible services, provided by the engine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from litestar_storages.backends.s3.config import MIN_PART_SIZE, S3Config
from litestar_storages.backends.s3.context import S3Context
from litestar_storages.backends.s3.driver import S3Driver
from litestar_storages.engine import DriverStorage
from litestar_storages.exceptions import StorageValidationError
from litestar_storages.streams import PutData
from litestar_storages.types import ObjectAttributes, ProgressCallback, StoredFile

if TYPE_CHECKING:
    from aiobotocore.session import AioSession
    from types_aiobotocore_s3 import S3Client

__all__ = ("S3Storage",)


class S3Storage(DriverStorage):
    """Files in an Amazon S3 bucket, or on any S3-compatible service.

    One aiobotocore client is opened on first use and shared by every task;
    :meth:`close` (or leaving ``async with``) waits a few seconds for aborts of failed
    uploads still running, then closes it (the next operation opens a new one). A client
    passed in is never closed by the storage.

    Example:
        >>> storage = S3Storage(S3Config(bucket="uploads", region="eu-west-1"))
        >>> await storage.put("photos/cat.jpg", image_bytes)  # doctest: +SKIP
        >>> url = await storage.url("photos/cat.jpg")  # doctest: +SKIP
    """

    __slots__ = ("config",)

    def __init__(self, config: S3Config, *, client: S3Client | None = None, session: AioSession | None = None) -> None:
        """Create the storage; no connection is made until the first operation.

        Args:
            config: Bucket, credentials and transfer settings.
            client: A ready aiobotocore S3 client to use (the caller closes it); its own
                endpoint, credentials, timeouts and retries then apply, not ``config``'s.
                The storage adds one event handler to it, which affects only the
                storage's own uploads (see :func:`.context.prepare_client`).
            session: An aiobotocore session to create the client from (to share
                credential caches or event hooks); a new one when omitted.

        Raises:
            TypeError: If ``config`` is not an :class:`S3Config`.
        """
        if not isinstance(config, S3Config):
            raise TypeError(f"S3Storage takes an S3Config, not {type(config).__name__}")
        self.config = config
        super().__init__(S3Driver(S3Context(config, client=client, session=session)), prefix=config.prefix)

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.config.bucket!r}, prefix={self.config.key_prefix!r})"

    async def put_large(
        self,
        key: str,
        data: PutData,
        *,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        part_size: int | None = None,
        progress_callback: ProgressCallback | None = None,
        attributes: ObjectAttributes | None = None,
    ) -> StoredFile:
        """Upload ``data`` as a multipart upload in parts of ``part_size`` bytes (:meth:`put` does above the threshold).

        Args:
            key: The object's key.
            data: Anything :meth:`put` accepts.
            content_type: MIME type; guessed from the key when omitted.
            metadata: Custom metadata.
            part_size: Part size in bytes (5 MiB to 5 GiB); the configured one when omitted.
            progress_callback: Sync or async callback receiving upload progress.
            attributes: Standard attributes of the object.

        Returns:
            Metadata of the stored object.

        Raises:
            StorageValidationError: If ``part_size`` is out of S3's range.
        """
        # S3's lower bound; the engine checks the type and the upper bound.
        if isinstance(part_size, int) and not isinstance(part_size, bool) and part_size < MIN_PART_SIZE:
            raise StorageValidationError(f"part_size must be at least {MIN_PART_SIZE} bytes on S3", key=key)
        return await super().put_large(
            key,
            data,
            content_type=content_type,
            metadata=metadata,
            part_size=part_size,
            progress_callback=progress_callback,
            attributes=attributes,
        )
