"""``GCSStorage``: the Storage API over :class:`~.driver.GCSDriver`, provided by the engine."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from gcloud.aio.storage import Storage as SDKStorage

from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.driver import GCSDriver
from litestar_storages.engine import DriverStorage
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.types import UploadForm

__all__ = ("GCSStorage",)


class GCSStorage(DriverStorage):
    """Google Cloud Storage backend on gcloud-aio-storage.

    One aiohttp session (with one connection pool) serves every request; it opens on
    first use and :meth:`close` (or leaving ``async with``) closes it. A closed storage
    reopens on its next request.

    Example:
        >>> storage = GCSStorage(GCSConfig(bucket="uploads", service_file="key.json"))
        >>> async with storage:  # doctest: +SKIP
        ...     await storage.put("photos/cat.jpg", data)
        ...     url = await storage.url("photos/cat.jpg")
    """

    __slots__ = ("config",)

    def __init__(self, config: GCSConfig, *, client: SDKStorage | None = None) -> None:
        """Create the storage; no request is made and no session opened yet.

        Args:
            config: The bucket and credentials.
            client: A ready gcloud-aio-storage ``Storage`` to use (and share) instead of
                one built from ``config``; it is not closed by :meth:`close`.
                ``config.service_file`` and ``config.api_root`` are then ignored.

        Raises:
            ConfigurationError: If ``config`` is not a :class:`GCSConfig`.
        """
        if not isinstance(config, GCSConfig):
            raise ConfigurationError(f"GCSStorage takes a GCSConfig, got {type(config).__name__}", field="config")
        self.config = config
        super().__init__(GCSDriver(config, client=client), prefix=config.prefix)

    async def upload_form(  # type: ignore[override] # max_size is required here, as in 0.2.x
        self,
        key: str,
        *,
        max_size: int,
        min_size: int = 0,
        content_type: str | None = None,
        metadata: Mapping[str, str] | None = None,
        expires_in: timedelta | None = None,
    ) -> UploadForm:
        """Return a signed browser upload form (V4 POST policy) for one key; as the S3 backend's.

        GCS enforces the policy itself: the size limits, the key and, when given, the
        content type and metadata, so a browser uploads straight to the bucket without
        the app trusting it.

        Args:
            key: The key the upload will have.
            max_size: Largest accepted file, in bytes.
            min_size: Smallest accepted file, in bytes.
            content_type: The Content-Type the upload must declare (a form field).
            metadata: Custom metadata the object will have (signed form fields).
            expires_in: Validity of the form; ``config.presigned_expiry`` when omitted.

        Returns:
            The URL to POST to, the fields to send before the ``file`` field, and the expiry.

        Raises:
            StorageValidationError: If a size or ``expires_in`` is out of range.
            ConfigurationError: If no credentials can sign.
        """
        return await super().upload_form(
            key,
            expires_in=expires_in,
            content_type=content_type,
            metadata=metadata,
            max_size=max_size,
            min_size=min_size,
        )
