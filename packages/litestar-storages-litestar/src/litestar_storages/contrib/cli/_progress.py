"""The progress bar on stderr: one bar for the whole transfer and one per file in flight."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterable, AsyncIterator
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn

__all__ = ("TransferProgress",)


class TransferProgress:
    """Counts the bytes of every transfer; shows them unless quiet.

    Use as a context manager around the transfers.
    """

    __slots__ = ("_overall", "_progress")

    def __init__(self, *, quiet: bool, total_bytes: int, files: int) -> None:
        """Prepare the bars.

        Args:
            quiet: Show nothing.
            total_bytes: Bytes all transfers will move.
            files: How many files will be transferred (an overall bar from two on).
        """
        self._progress: Progress | None = None
        self._overall: TaskID | None = None
        if quiet:
            return
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=Console(stderr=True),
            transient=True,
            # Lines the command prints go above the bars on a terminal, as they are elsewhere.
            redirect_stdout=sys.stdout.isatty(),
            redirect_stderr=False,
        )
        if files > 1:
            self._overall = self._progress.add_task(f"{files} files", total=total_bytes)

    def __enter__(self) -> TransferProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _advance(self, task: TaskID | None, count: int) -> None:
        if self._progress is None:
            return
        if task is not None:
            self._progress.advance(task, count)
        if self._overall is not None:
            self._progress.advance(self._overall, count)

    def advance(self, count: int) -> None:
        """Count bytes moved without passing through here (a server-side copy).

        Args:
            count: Bytes.
        """
        self._advance(None, count)

    async def track(self, label: str, size: int, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        """Pass chunks through, counting them on a bar of their own.

        Args:
            label: The file's name on the bar.
            size: Its expected size.
            chunks: Its content.

        Yields:
            The chunks, unchanged.
        """
        task = None if self._progress is None else self._progress.add_task(label, total=size)
        try:
            async for chunk in chunks:
                self._advance(task, len(chunk))
                yield chunk
        finally:
            if self._progress is not None and task is not None:
                self._progress.remove_task(task)
