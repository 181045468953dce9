"""``S3Storage``: the Storage API over Amazon S3 and S3-compatible services, provided by the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar_storages.backends.s3.config import S3Config
from litestar_storages.backends.s3.context import S3Context
from litestar_storages.backends.s3.driver import S3Driver
from litestar_storages.engine import DriverStorage

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
