"""Arguments of a manual multipart upload's ``upload_part``, checked the same way on every backend."""

from __future__ import annotations

from litestar_storages.exceptions import InvalidDataError, StorageValidationError
from litestar_storages.types import MultipartUpload

__all__ = ("MAX_PART_NUMBER", "validate_part")

MAX_PART_NUMBER = 10_000
"""Highest part number: S3's limit, and Azure's limit on uncommitted blocks per blob."""


def validate_part(upload: MultipartUpload, part_number: object, data: object) -> int:
    """Check the part number and data given to ``upload_part``, before any request.

    Args:
        upload: The upload the part belongs to (named in errors).
        part_number: The caller's part number.
        data: The caller's part data.

    Returns:
        The part number.

    Raises:
        StorageValidationError: If ``part_number`` is not an int from 1 to
            :data:`MAX_PART_NUMBER` (``bool`` is refused).
        InvalidDataError: If ``data`` is not ``bytes``, ``bytearray`` or ``memoryview``.
    """
    if not isinstance(part_number, int) or isinstance(part_number, bool) or not 1 <= part_number <= MAX_PART_NUMBER:
        raise StorageValidationError(
            f"part_number must be an int from 1 to {MAX_PART_NUMBER}, got {part_number!r}", key=upload.key
        )
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidDataError(f"Parts must be bytes, got {type(data).__name__}", key=upload.key)
    return part_number
