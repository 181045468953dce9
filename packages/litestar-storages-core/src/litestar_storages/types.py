"""Value types shared by every backend: stored-file metadata, progress, multipart state, upload forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeAlias, Union

__all__ = (
    "MultipartUpload",
    "ProgressCallback",
    "ProgressInfo",
    "StoredFile",
    "TransferOperation",
    "UploadForm",
    "UploadResult",
)

TransferOperation: TypeAlias = Literal["upload", "download"]
"""Direction of a transfer reported to a progress callback."""


@dataclass(frozen=True)
class StoredFile:
    """Metadata about one stored object.

    Attributes:
        key: The object's key, relative to the storage (any configured prefix removed).
        size: Size in bytes.
        content_type: MIME type, or ``None`` when the backend cannot report it cheaply
            (S3 listings, for example).
        etag: An opaque version tag; equal for unchanged content, different after a change.
        last_modified: When the object was last written (timezone-aware, UTC).
        metadata: Custom metadata stored with the object.
    """

    key: str
    size: int
    content_type: str | None = None
    etag: str | None = None
    last_modified: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgressInfo:
    """A progress report for one transfer.

    Attributes:
        bytes_transferred: Bytes sent or received so far.
        total_bytes: Total size when known in advance, else ``None``.
        operation: ``"upload"`` or ``"download"``.
        key: The key being transferred.
    """

    bytes_transferred: int
    total_bytes: int | None
    operation: TransferOperation
    key: str

    @property
    def percentage(self) -> float | None:
        """Completion in percent (0-100), or ``None`` when the total is unknown."""
        if self.total_bytes is None:
            return None
        if self.total_bytes == 0:
            return 100.0
        return min(100.0, self.bytes_transferred * 100.0 / self.total_bytes)


ProgressCallback: TypeAlias = Callable[[ProgressInfo], Union[Awaitable[None], None]]
"""A sync or async callable that receives :class:`ProgressInfo` reports."""


@dataclass
class MultipartUpload:
    """State of a manual multipart upload started with ``start_multipart_upload``.

    Attributes:
        upload_id: The backend's identifier for the upload session.
        key: The key the object will have once completed.
        part_size: Nominal size of each part in bytes (the last may be smaller).
        content_type: MIME type the completed object will have.
        metadata: Custom metadata the completed object will have.
        parts: ``(part_number, etag)`` pairs of the parts uploaded so far.
    """

    upload_id: str
    key: str
    part_size: int = 8 * 1024 * 1024
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    parts: list[tuple[int, str]] = field(default_factory=list)

    def add_part(self, part_number: int, etag: str) -> None:
        """Record an uploaded part, replacing an earlier upload of the same number.

        Args:
            part_number: The part's 1-based position.
            etag: The tag the backend returned for the part.
        """
        self.parts = [part for part in self.parts if part[0] != part_number]
        self.parts.append((part_number, etag))
        self.parts.sort()

    @property
    def total_parts(self) -> int:
        """Number of parts uploaded so far."""
        return len(self.parts)


@dataclass(frozen=True)
class UploadResult:
    """The outcome of uploading one part of a multipart upload.

    Attributes:
        part_number: The part's 1-based position.
        etag: The tag the backend returned; pass it back through the
            :class:`MultipartUpload` when completing.
        size: Bytes in the part.
    """

    part_number: int
    etag: str
    size: int


@dataclass(frozen=True)
class UploadForm:
    """What a browser needs to upload one file straight to a bucket with an HTML form.

    Returned by the ``upload_form`` method of the backends that sign POST policies (S3,
    GCS). Send a ``multipart/form-data`` POST to :attr:`url` with every entry of
    :attr:`fields` as a form field, then the file as the last field, named ``file``. The
    service checks the signed policy (the key, the size range and, when given, the
    content type and metadata), so the browser posting the form needs no trust.

    Attributes:
        url: Where to POST the form.
        fields: Form fields to send as they are, before the file.
        expires_at: When the policy stops being accepted (UTC).
    """

    url: str
    fields: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None
