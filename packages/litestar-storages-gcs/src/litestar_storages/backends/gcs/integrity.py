"""Checking that the object a resumable upload committed holds exactly the bytes sent.

A resumable upload spans many requests. A retried chunk whose first attempt did reach
the service (only its answer was lost), or a service that commits a partial object
early (fake-gcs-server does on a status query), can leave an object whose bytes differ
from the caller's while every request looked successful. The object resource GCS
returns on completion carries the object's size and MD5 hash; both are compared with
the bytes counted and hashed as GCS confirmed them.

MD5 rather than CRC32C: :mod:`hashlib` computes it at memory speed with no extra
dependency, and GCS returns ``md5Hash`` for every object a resumable upload creates
(only composite objects lack one). Without an ``md5Hash`` the size is still checked.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

__all__ = ("UploadDigest",)


class UploadDigest:
    """Size and MD5 of the bytes a resumable upload has had confirmed, in order.

    Attributes:
        size: Bytes added so far.
        complete: Whether the digest covers the object from its first byte (a session
            attached mid-way cannot check the hash, only the size).
    """

    __slots__ = ("_md5", "complete", "size")

    def __init__(self, *, offset: int = 0) -> None:
        """Start a digest after ``offset`` bytes the session already held."""
        self._md5 = hashlib.md5(usedforsecurity=False)
        self.size = offset
        self.complete = offset == 0

    def update(self, data: bytes | bytearray | memoryview) -> None:
        """Add the next confirmed bytes of the object."""
        self._md5.update(data)
        self.size += len(data)

    def following(self, data: bytes | bytearray | memoryview) -> UploadDigest:
        """Return a new digest with ``data`` added, leaving this one unchanged.

        Safe to run in a worker thread while the chunk is on the wire (hashlib releases
        the GIL on large inputs), so hashing costs no upload time.

        Args:
            data: Bytes following those already added.

        Returns:
            The digest to adopt once GCS has confirmed ``data``.
        """
        successor = UploadDigest.__new__(UploadDigest)
        successor._md5, successor.size, successor.complete = self._md5.copy(), self.size, self.complete
        successor.update(data)
        return successor

    @property
    def md5_base64(self) -> str:
        """The MD5 of the bytes added, base64-encoded as GCS's ``md5Hash``."""
        return base64.b64encode(self._md5.digest()).decode("ascii")

    def mismatch(self, resource: Mapping[str, Any]) -> str | None:
        """Compare a committed object (the resource GCS returned) with the bytes sent.

        Returns:
            What differs, or ``None`` when the object holds the bytes sent.
        """
        stored_size = resource.get("size")
        if not isinstance(stored_size, (str, int)) or not str(stored_size).isdigit():
            return f"GCS reported no size for the object ({stored_size!r}), {self.size} bytes were sent"
        if int(stored_size) != self.size:
            return f"GCS stored {int(stored_size)} bytes, {self.size} were sent"
        stored_md5 = resource.get("md5Hash")
        if self.complete and isinstance(stored_md5, str) and stored_md5 and stored_md5 != self.md5_base64:
            return f"GCS stored MD5 {stored_md5}, the bytes sent have MD5 {self.md5_base64}"
        return None
