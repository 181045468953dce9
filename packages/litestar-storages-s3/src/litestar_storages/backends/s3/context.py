"""``S3Context``: the client and the state every S3 request shares, in one object.

The driver and the helper modules (upload lifecycle, part copies) take an
:class:`S3Context`, never the storage, and none of them imports ``storage.py`` or
``driver.py``: the dependencies run one way, from ``S3Storage`` to the driver to the
helpers to this module. The context holds the configuration and the bucket as plain
attributes, and owns the lazily opened client and the cleanups of failed uploads.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

from litestar_storages.backends.s3.client import open_client, prepare_client
from litestar_storages.backends.s3.errors import errors
from litestar_storages.backends.s3.cleanups import Cleanups

if TYPE_CHECKING:
    from aiobotocore.session import AioSession
    from types_aiobotocore_s3 import S3Client

    from litestar_storages.backends.s3.config import S3Config

__all__ = ("S3Context",)


class S3Context:
    """The client, bucket and cleanups shared by one storage's operations.

    Attributes:
        config: The storage's configuration.
        bucket: ``config.bucket``.
        cleanups: Where aborts of failed or cancelled uploads run.
    """

    __slots__ = (
        "_client",
        "_lock",
        "_owns_client",
        "_session",
        "_stack",
        "bucket",
        "cleanups",
        "config",
    )

    def __init__(self, config: S3Config, *, client: S3Client | None = None, session: AioSession | None = None) -> None:
        """Hold ``config``; no connection is made until :meth:`client` is first awaited.

        Args:
            config: Bucket, credentials and transfer settings.
            client: A ready client to use (never closed here); one is opened from
                ``config`` on first use when omitted.
            session: The aiobotocore session to open the client from.
        """
        self.config = config
        self.bucket = config.bucket
        self.cleanups = Cleanups()
        if client is not None:
            prepare_client(client)
        self._client: S3Client | None = client
        self._owns_client = client is None
        self._session = session
        self._stack: AsyncExitStack | None = None
        self._lock = asyncio.Lock()

    async def client(self) -> S3Client:
        """Return the client, opening it on first use (once, however many tasks ask at once).

        Returns:
            The aiobotocore S3 client.
        """
        client = self._client
        if client is not None:
            return client
        async with self._lock:
            if self._client is None:
                stack = AsyncExitStack()
                client = await open_client(self.config, stack, self._session)
                prepare_client(client)
                self._client = client
                self._stack = stack
            return self._client

    async def close(self) -> None:
        """Wait briefly for running cleanups, then close the client if it was opened here.

        A later :meth:`client` opens a new one; a client passed in is left open.
        """
        await self.cleanups.join()
        if not self._owns_client:
            return
        stack, self._stack = self._stack, None
        self._client = None
        if stack is not None:
            with errors.guard():
                await stack.aclose()

    def __repr__(self) -> str:
        return f"S3Context(bucket={self.bucket!r})"
