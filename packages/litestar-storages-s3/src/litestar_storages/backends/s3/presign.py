"""Presigned URLs and POST policies: letting a browser download or upload directly.

Signing is local (SigV4 over the client's credentials): no request reaches S3 and the
key's existence is not checked. A presigned URL or POST policy is valid for at most 7
days; with temporary credentials it also stops working when they expire.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from litestar_storages.backends.s3.metadata import encode_metadata
from litestar_storages.exceptions import StorageValidationError
from litestar_storages.types import UploadForm
from litestar_storages.url_arguments import validate_expiry

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

__all__ = ("check_expiry", "presigned_post", "public_url")


def check_expiry(expires_in: timedelta | None, default: timedelta, *, key: str) -> int:
    """Return the validity in whole seconds, checked against S3's 7-day limit.

    Args:
        expires_in: The caller's validity, or ``None`` for ``default``.
        default: The configured validity.
        key: The key being signed, for error messages.

    Returns:
        Seconds, from 1 to 604800.

    Raises:
        StorageValidationError: If the validity is not a timedelta from 1 second to 7 days.
    """
    checked = validate_expiry(expires_in, key=key)
    return int((default if checked is None else checked).total_seconds())


def public_url(base: str, name: str) -> str:
    """Return the unsigned URL of an object under a public base URL (CDN, public bucket).

    Args:
        base: The configured ``public_base_url``.
        name: The object's full name (storage prefix included).

    Returns:
        ``base/name`` with the name percent-encoded.
    """
    return f"{base.rstrip('/')}/{quote(name, safe='/')}"


async def presigned_post(
    client: S3Client,
    *,
    bucket: str,
    name: str,
    key: str,
    max_size: int,
    min_size: int,
    content_type: str | None,
    metadata: dict[str, str],
    expires_in: int,
) -> UploadForm:
    """Sign a POST policy for one key.

    Args:
        client: The S3 client (its credentials sign the policy).
        bucket: The bucket.
        name: The object's full name.
        key: The storage key, for errors.
        max_size: Largest accepted file, in bytes.
        min_size: Smallest accepted file, in bytes.
        content_type: The exact Content-Type the upload must declare, if any.
        metadata: Validated custom metadata the object will get.
        expires_in: Validity in seconds.

    Returns:
        The form.

    Raises:
        StorageValidationError: If the size range is invalid.
    """
    if not isinstance(max_size, int) or isinstance(max_size, bool) or max_size < 0:
        raise StorageValidationError(f"max_size must be an int >= 0, got {max_size!r}", key=key)
    if not isinstance(min_size, int) or isinstance(min_size, bool) or not 0 <= min_size <= max_size:
        raise StorageValidationError(f"min_size must be an int from 0 to max_size, got {min_size!r}", key=key)
    fields: dict[str, Any] = {}
    conditions: list[Any] = [["content-length-range", min_size, max_size]]
    if content_type is not None:
        fields["Content-Type"] = content_type
        conditions.append({"Content-Type": content_type})
    for meta_name, value in encode_metadata(metadata).items():
        fields[f"x-amz-meta-{meta_name}"] = value
        conditions.append({f"x-amz-meta-{meta_name}": value})
    signed_at = datetime.now(timezone.utc)
    post = await client.generate_presigned_post(
        Bucket=bucket, Key=name, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
    )
    return UploadForm(
        url=post["url"],
        fields={str(name): str(value) for name, value in post["fields"].items()},
        expires_at=signed_at + timedelta(seconds=expires_in),
    )
