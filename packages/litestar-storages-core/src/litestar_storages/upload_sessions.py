"""The in-process state of a driver's multipart uploads, by upload id.

A service whose parts need client-side state between requests (a GCS resumable session:
its URL, the bytes not sent yet, the running hash; an in-memory store's parts) keeps
each upload's state here. An id this process did not start, or that was completed or
aborted, is a :class:`~litestar_storages.driver_errors.DriverError`: never a new object.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from litestar_storages.driver_errors import DriverError

__all__ = ("UploadSessions",)

T = TypeVar("T")


class UploadSessions(Generic[T]):
    """The uploads in progress in this process, each with its state."""

    __slots__ = ("_sessions",)

    def __init__(self) -> None:
        """Start with none."""
        self._sessions: dict[str, T] = {}

    def add(self, upload_id: str, session: T) -> str:
        """Keep the state of a new upload.

        Args:
            upload_id: The upload's id.
            session: Its state.

        Returns:
            ``upload_id``.
        """
        self._sessions[upload_id] = session
        return upload_id

    def get(self, upload_id: str) -> T:
        """Return the state of an upload in progress.

        Args:
            upload_id: The upload's id.

        Returns:
            Its state.

        Raises:
            DriverError: If no upload of that id is in progress in this process.
        """
        session = self._sessions.get(upload_id)
        if session is None:
            raise DriverError("no multipart upload in progress here by that id (completed, aborted or elsewhere)")
        return session

    def pop(self, upload_id: str) -> T | None:
        """Forget an upload (completed or aborted); forgetting it twice is harmless.

        Args:
            upload_id: The upload's id.

        Returns:
            Its state, or ``None`` if it was not in progress.
        """
        return self._sessions.pop(upload_id, None)
