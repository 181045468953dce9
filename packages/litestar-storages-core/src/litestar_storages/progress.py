"""Progress reporting shared by every backend's transfers."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterable, AsyncIterator

from litestar_storages.types import ProgressCallback, ProgressInfo, TransferOperation

__all__ = ("ProgressReporter", "report_progress")


class ProgressReporter:
    """Counts transferred bytes and reports them to a sync or async callback.

    Backends create one per transfer and call :meth:`advance` as bytes move; a
    ``None`` callback makes every call a cheap no-op.
    """

    __slots__ = ("_callback", "key", "operation", "total_bytes", "transferred")

    def __init__(
        self,
        callback: ProgressCallback | None,
        *,
        operation: TransferOperation,
        key: str,
        total_bytes: int | None = None,
    ) -> None:
        """Create a reporter.

        Args:
            callback: The user's callback, or ``None``.
            operation: ``"upload"`` or ``"download"``.
            key: The key being transferred.
            total_bytes: The transfer's size when known.
        """
        self._callback = callback
        self.operation: TransferOperation = operation
        self.key = key
        self.total_bytes = total_bytes
        self.transferred = 0

    async def advance(self, count: int) -> None:
        """Record ``count`` more bytes and report the new total.

        Args:
            count: Bytes just transferred.
        """
        self.transferred += count
        if self._callback is None:
            return
        result = self._callback(
            ProgressInfo(
                bytes_transferred=self.transferred,
                total_bytes=self.total_bytes,
                operation=self.operation,
                key=self.key,
            )
        )
        if inspect.isawaitable(result):
            await result


async def report_progress(chunks: AsyncIterable[bytes], reporter: ProgressReporter) -> AsyncIterator[bytes]:
    """Pass chunks through, reporting each one's size after it was consumed.

    Args:
        chunks: The byte stream.
        reporter: Where to report.

    Yields:
        The chunks, unchanged.
    """
    async for chunk in chunks:
        yield chunk
        await reporter.advance(len(chunk))
