"""Value types shared by every backend: stored-file metadata, progress, multipart state, upload forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from typing import Literal, TypeAlias, Union

from litestar_storages.attributes import NO_ATTRIBUTES, Encryption, ObjectAttributes
from litestar_storages.exceptions import StorageValidationError

__all__ = (
    "NO_ATTRIBUTES",
    "Encryption",
    "MultipartUpload",
    "ObjectAttributes",
    "ProgressCallback",
    "ProgressInfo",
    "StoredFile",
    "StoredFolder",
    "TransferOperation",
    "UploadForm",
    "UploadResult",
    "UploadedPart",
)

TransferOperation: TypeAlias = Literal["upload", "download"]
"""Direction of a transfer reported to a progress callback."""


@dataclass(frozen=True, init=False)
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
        attributes: The object's standard attributes (cache control, storage class,
            tags...) as the service reports them; listings may leave them empty, and
            ``acl`` is never reported.
    """

    key: str
    size: int
    content_type: str | None = None
    etag: str | None = None
    last_modified: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    attributes: ObjectAttributes = NO_ATTRIBUTES

    def __init__(  # noqa: PLR0917 - the dataclass signature users call positionally
        self,
        key: str,
        size: int,
        content_type: str | None = None,
        etag: str | None = None,
        last_modified: datetime | None = None,
        metadata: dict[str, str] | None = None,
        attributes: ObjectAttributes = NO_ATTRIBUTES,
    ) -> None:
        """Describe one object (``metadata=None``: none, a new empty dict)."""
        # One write of the instance dict instead of the seven frozen-field writes the
        # generated __init__ makes: listings build one StoredFile per key (0.45 µs less each).
        _set_attribute(
            self,
            "__dict__",
            {
                "key": key,
                "size": size,
                "content_type": content_type,
                "etag": etag,
                "last_modified": last_modified,
                "metadata": {} if metadata is None else metadata,
                "attributes": attributes,
            },
        )


_set_attribute = object.__setattr__


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


_DEFAULT_PART_SIZE = 8 * 1024 * 1024


@dataclass
class MultipartUpload:
    """State of a manual multipart upload started with ``start_multipart_upload``.

    A plain dataclass: save :attr:`upload_id`, :attr:`key`, :attr:`parts` and
    :attr:`part_size` to resume the upload from another process, rebuilding it with
    ``MultipartUpload(upload_id=..., key=..., parts=..., part_size=...)``; parts loaded
    back from JSON (lists rather than tuples) are accepted. Save :attr:`attributes` with
    :func:`~litestar_storages.attributes.attributes_to_dict` and restore them with
    :func:`~litestar_storages.attributes.attributes_from_dict`: they are applied when the
    upload completes (and checked again then).

    Attributes:
        upload_id: The backend's identifier for the upload session.
        key: The key the object will have once completed.
        parts: ``(part_number, etag)`` pairs of the parts uploaded so far, by number.
        part_size: Nominal size of each part in bytes (the last may be smaller).
        total_parts: How many parts the upload is expected to have, when known; set it
            yourself (backends neither need nor change it).
        content_type: MIME type the completed object will have (keyword only).
        metadata: Custom metadata the completed object will have (keyword only).
        attributes: Attributes the completed object will have (keyword only).
    """

    upload_id: str
    key: str
    parts: list[tuple[int, str]] = field(default_factory=list)
    part_size: int = _DEFAULT_PART_SIZE
    total_parts: int | None = None
    _: KW_ONLY
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    attributes: ObjectAttributes = NO_ATTRIBUTES

    def __post_init__(self) -> None:
        self.parts = _checked_parts(self.parts, self.key)
        if not isinstance(self.part_size, int) or isinstance(self.part_size, bool) or self.part_size < 1:
            raise StorageValidationError(f"part_size must be a positive int, got {self.part_size!r}", key=self.key)
        if self.total_parts is not None and (
            not isinstance(self.total_parts, int) or isinstance(self.total_parts, bool) or self.total_parts < 0
        ):
            raise StorageValidationError(
                f"total_parts must be None or an int >= 0, got {self.total_parts!r}", key=self.key
            )

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
    def completed_parts(self) -> int:
        """Number of parts uploaded so far (``len(parts)``)."""
        return len(self.parts)


def _checked_parts(parts: object, key: str) -> list[tuple[int, str]]:
    # Saved state comes back from JSON or a database: check it here, before a request
    # would send a malformed part list to the service.
    if not isinstance(parts, (list, tuple)):
        raise StorageValidationError(f"parts must be a list of (part_number, etag) pairs, got {parts!r}", key=key)
    checked: dict[int, str] = {}
    for part in parts:
        if not isinstance(part, (list, tuple)) or len(part) != 2:
            raise StorageValidationError(f"each part must be a (part_number, etag) pair, got {part!r}", key=key)
        number, etag = part
        if not isinstance(number, int) or isinstance(number, bool) or number < 1 or not isinstance(etag, str):
            raise StorageValidationError(f"each part must be (int >= 1, str), got {part!r}", key=key)
        if number in checked:
            raise StorageValidationError(f"part {number} is listed twice", key=key)
        checked[number] = etag
    return sorted(checked.items())


@dataclass(frozen=True)
class UploadResult:
    """The result of an upload: the stored file's metadata and, optionally, a URL to it.

    Attributes:
        file: Metadata of the stored object.
        url: A URL to access it, when one was made.
    """

    file: StoredFile
    url: str | None = None


@dataclass(frozen=True)
class UploadedPart:
    """One part of a multipart upload, as uploaded.

    Attributes:
        part_number: The part's 1-based position.
        etag: The tag the backend returned; :class:`MultipartUpload` keeps it in
            :attr:`~MultipartUpload.parts` for completing the upload.
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


@dataclass(frozen=True)
class StoredFolder:
    """A folder met by ``list_dir``: the common prefix of the keys below it.

    Object stores have no folders, only keys with ``/`` in them; a folder is a name
    prefix ending in ``/`` that at least one object's key starts with. It exists while
    such an object exists, and has no metadata of its own.

    Attributes:
        key: The folder's key, relative to the storage, ending with ``/``
            (``"photos/2024/"``); pass it to ``list_dir`` to list what it holds.
    """

    key: str

    @property
    def name(self) -> str:
        """The folder's last segment, without the ``/`` (``"2024"`` for ``"photos/2024/"``)."""
        return self.key[:-1].rpartition("/")[2]
