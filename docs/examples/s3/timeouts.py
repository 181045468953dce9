"""Timeouts: S3Config bounds every wait for the service; a deadline for a whole call is yours.

A service that stalls (no connection, no answer, no more of an upload taken) fails the
attempt after connect_timeout or read_timeout; the retry policy tries again, then
StorageConnectionError surfaces. A transfer that keeps moving is never cut off, however
long it takes: to bound a whole call, wrap it in asyncio.wait_for (a cancelled put
stores nothing and leaves no multipart upload open).
"""

import asyncio

from litestar_storages import RetryConfig, S3Config, S3Storage, StorageConnectionError


def impatient(bucket: str = "thumbnails") -> S3Config:
    # At most 3 attempts of at most 5 s of silence each, then StorageConnectionError.
    return S3Config(
        bucket=bucket,
        region="eu-west-1",
        connect_timeout=2.0,
        read_timeout=5.0,
        retry=RetryConfig(max_attempts=3, base_delay=0.2),
    )


async def save_within(storage: S3Storage, key: str, data: bytes, seconds: float) -> bool:
    """Store ``data``, giving up after ``seconds`` in all (the wait for a pooled connection included)."""
    try:
        await asyncio.wait_for(storage.put(key, data), seconds)
    except (asyncio.TimeoutError, StorageConnectionError):
        return False
    return True
