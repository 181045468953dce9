"""The storage's URLs: plain public URLs, presigned GET/PUT URLs and POST policy forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from litestar_storages.backends.s3.errors import errors
from litestar_storages.backends.s3.presign import check_expiry, presigned_post, public_url
from litestar_storages.content import validate_content_type, validate_metadata
from litestar_storages.disposition import content_disposition
from litestar_storages.keys import validate_key
from litestar_storages.url_arguments import check_url_arguments

if TYPE_CHECKING:
    from datetime import timedelta

    from litestar_storages.backends.s3.context import S3Context
    from litestar_storages.protocol import HttpMethod
    from litestar_storages.types import UploadForm

__all__ = ("object_url", "upload_form")


async def object_url(
    context: S3Context,
    key: str,
    *,
    expires_in: timedelta | None,
    method: HttpMethod,
    filename: str | None,
    content_type: str | None,
) -> str:
    """Return a URL for an object: the body of ``S3Storage.url``, which documents the arguments."""
    check_url_arguments(key, expires_in=expires_in, method=method, filename=filename, content_type=content_type)
    name = context.name(key)
    config = context.config
    if method == "GET" and config.public_base_url and filename is None:
        return public_url(config.public_base_url, name)
    seconds = check_expiry(expires_in, config.presigned_expiry, key=key)
    params: dict[str, Any] = {"Bucket": context.bucket, "Key": name}
    if method == "GET" and filename:
        params["ResponseContentDisposition"] = content_disposition(filename, attachment=True)
    if method == "PUT" and content_type is not None:
        params["ContentType"] = content_type
    client = await context.client()
    with errors.guard(key):
        return await client.generate_presigned_url(
            "get_object" if method == "GET" else "put_object", Params=params, ExpiresIn=seconds
        )


async def upload_form(
    context: S3Context,
    key: str,
    *,
    max_size: int,
    min_size: int,
    content_type: str | None,
    metadata: Mapping[str, str] | None,
    expires_in: timedelta | None,
) -> UploadForm:
    """Sign an S3 POST policy form: the body of ``S3Storage.upload_form``, which documents the arguments."""
    validate_key(key)
    checked = validate_metadata(metadata, key=key)
    resolved_type = validate_content_type(content_type, key=key)
    seconds = check_expiry(expires_in, context.config.presigned_expiry, key=key)
    client = await context.client()
    with errors.guard(key):
        return await presigned_post(
            client,
            bucket=context.bucket,
            name=context.name(key),
            key=key,
            max_size=max_size,
            min_size=min_size,
            content_type=resolved_type,
            metadata=checked,
            expires_in=seconds,
        )
