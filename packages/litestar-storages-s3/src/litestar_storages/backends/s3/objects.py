"""Single-object plumbing: HeadObject, the StoredFile it describes, and a write's attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.client import call
from litestar_storages.backends.s3.metadata import decode_metadata, encode_metadata
from litestar_storages.content import resolve_content_type, validate_metadata
from litestar_storages.types import StoredFile

if TYPE_CHECKING:
    from litestar_storages.backends.s3.context import S3Context

__all__ = ("head_object", "object_attributes", "stored_file")


def object_attributes(
    key: str, content_type: str | None, metadata: Mapping[str, str] | None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Validate a write's content type and metadata.

    Args:
        key: The object's key (to guess the content type from).
        content_type: MIME type; guessed from the key when omitted.
        metadata: Custom metadata.

    Returns:
        The content type, the validated metadata, and the request arguments carrying them.
    """
    resolved_type = resolve_content_type(key, content_type)
    checked = validate_metadata(metadata, key=key)
    attributes: dict[str, Any] = {"ContentType": resolved_type}
    if checked:
        attributes["Metadata"] = encode_metadata(checked)
    return resolved_type, checked, attributes


async def head_object(context: S3Context, key: str) -> dict[str, Any]:
    """Fetch an object's HeadObject answer.

    Args:
        context: The storage's context.
        key: The object's key.

    Returns:
        The answer's fields.

    Raises:
        StorageFileNotFoundError: If the key does not exist.
    """
    client = await context.client()
    bucket, name = context.bucket, context.name(key)
    response = await call(lambda: client.head_object(Bucket=bucket, Key=name), key=key, retry=context.retry)
    return dict(response)


def stored_file(key: str, head: Mapping[str, Any]) -> StoredFile:
    """Describe an object from its HeadObject answer.

    Args:
        key: The key to report (without the storage's prefix).
        head: The HeadObject answer.

    Returns:
        Size, content type, ETag, last modified time and decoded custom metadata.
    """
    return StoredFile(
        key=key,
        size=int(head.get("ContentLength", 0)),
        content_type=head.get("ContentType"),
        etag=head.get("ETag"),
        last_modified=head.get("LastModified"),
        metadata=decode_metadata(head.get("Metadata")),
    )
