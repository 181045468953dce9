"""Signed download/upload URLs and browser upload forms, and the signer behind them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, cast
from urllib.parse import quote

from litestar_storages.backends.gcs.config import GCSConfig
from litestar_storages.backends.gcs.errors import GCS_ERRORS
from litestar_storages.backends.gcs.signing import IAMSigner, KeySigner, Signer, sign_post_policy, sign_url
from litestar_storages.backends.gcs.transport import Transport
from litestar_storages.content import validate_content_type, validate_metadata
from litestar_storages.disposition import content_disposition
from litestar_storages.exceptions import ConfigurationError, StorageValidationError
from litestar_storages.protocol import HttpMethod
from litestar_storages.types import UploadForm
from litestar_storages.url_arguments import check_url_arguments, validate_expiry

__all__ = ("make_signer", "object_url", "upload_form")

_GOOGLE_STORAGE_HOST = "https://storage.googleapis.com"


async def object_url(
    connect: Callable[[], Transport],
    config: GCSConfig,
    get_signer: Callable[[], Awaitable[Signer]],
    *,
    key: str,
    name: str,
    expires_in: timedelta | None,
    method: HttpMethod,
    filename: str | None,
    content_type: str | None,
) -> str:
    """Return a V4 signed URL for ``name`` (or a plain one with ``public_base_url``).

    Args:
        connect: Returns the storage's transport, opening it on first use.
        config: The storage's configuration (bucket, expiry, public URL).
        get_signer: Returns the storage's signer, building it on first use.
        key: The caller's key (for errors and the content type).
        name: The object's full name in the bucket.
        expires_in: Validity; ``config.presigned_expiry`` when omitted.
        method: ``"GET"`` to download, ``"PUT"`` to upload.
        filename: For GET: the name a browser saves the download as.
        content_type: For PUT: the Content-Type the uploader must send (signed).

    Returns:
        The URL.

    Raises:
        StorageValidationError: If ``expires_in`` is out of range or ``method`` unknown.
    """
    check_url_arguments(key, expires_in=expires_in, method=method, filename=filename, content_type=content_type)
    if method == "GET" and config.public_base_url and filename is None:
        return f"{config.public_base_url.rstrip('/')}/{quote(name, safe='/~')}"
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    if method == "GET" and filename is not None:
        query["response-content-disposition"] = content_disposition(filename, attachment=True)
    if method == "PUT" and content_type is not None:
        headers["content-type"] = content_type
    signer = await get_signer()
    with GCS_ERRORS.guard(key):
        return await sign_url(
            signer,
            method=method,
            base_url=_signing_base(connect()),
            bucket=config.bucket,
            name=name,
            expires_in=_expiry(config, expires_in, key),
            query=query,
            headers=headers,
        )


async def upload_form(
    connect: Callable[[], Transport],
    config: GCSConfig,
    get_signer: Callable[[], Awaitable[Signer]],
    *,
    key: str,
    name: str,
    max_size: int,
    min_size: int,
    content_type: str | None,
    metadata: Mapping[str, str] | None,
    expires_in: timedelta | None,
) -> UploadForm:
    """Return a signed browser upload form (V4 POST policy) for ``name``.

    Args:
        connect: Returns the storage's transport, opening it on first use.
        config: The storage's configuration (bucket, expiry).
        get_signer: Returns the storage's signer, building it on first use.
        key: The caller's key (for errors and the content type).
        name: The object's full name in the bucket.
        max_size: Largest accepted file, in bytes.
        min_size: Smallest accepted file, in bytes.
        content_type: The Content-Type the upload must declare (a form field).
        metadata: Custom metadata the object will have (signed form fields).
        expires_in: Validity of the form; ``config.presigned_expiry`` when omitted.

    Returns:
        The URL to POST to, the fields to send before the ``file`` field, and the
        form's expiry time.

    Raises:
        StorageValidationError: If ``max_size`` or ``expires_in`` is out of range.
    """
    for label, size in (("min_size", min_size), ("max_size", max_size)):
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise StorageValidationError(f"{label} must be an int >= 0, got {size!r}", key=key)
    if min_size > max_size:
        raise StorageValidationError(f"min_size ({min_size}) exceeds max_size ({max_size})", key=key)
    checked_metadata = validate_metadata(metadata, key=key)
    checked_type = validate_content_type(content_type, key=key)
    signer = await get_signer()
    with GCS_ERRORS.guard(key):
        return await sign_post_policy(
            signer,
            base_url=_signing_base(connect()),
            bucket=config.bucket,
            name=name,
            expires_in=_expiry(config, expires_in, key),
            max_size=max_size,
            min_size=min_size,
            content_type=checked_type,
            metadata=checked_metadata,
        )


def make_signer(transport: Transport, config: GCSConfig) -> Signer:
    """Build the signer the credentials allow: a local key, else IAM ``signBlob``.

    Args:
        transport: The storage's client (its token holds the credentials).
        config: The storage's configuration (``service_account_email``).

    Returns:
        The signer.

    Raises:
        ConfigurationError: If no credentials can sign.
    """
    token = transport.client.token
    service_data: dict[str, Any] = getattr(token, "service_data", None) or {}
    email = service_data.get("client_email")
    private_key = service_data.get("private_key")
    if isinstance(email, str) and isinstance(private_key, str):
        return KeySigner(email, private_key)
    if transport.emulated:
        raise ConfigurationError(
            "GCSStorage cannot sign URLs: the credentials hold no service-account key. Set "
            "GCSConfig.service_file to a service-account key (any key works with an emulator) "
            "or GCSConfig.public_base_url for plain (unsigned) GET URLs; upload URLs always need a key",
            field="service_file",
        )
    return _iam_signer(transport, config, token)


def _iam_signer(transport: Transport, config: GCSConfig, token: Any) -> Signer:
    from gcloud.aio.auth import IamClient  # noqa: PLC0415 - only needed without a key

    try:
        iam = IamClient(token=token, session=cast("Any", transport.session))
    except TypeError as error:
        raise ConfigurationError(
            "GCSStorage cannot sign URLs with these credentials (user credentials cannot call IAM signBlob "
            "through gcloud-aio-auth): use a service-account key (GCSConfig.service_file) or "
            "GCSConfig.public_base_url",
            field="service_file",
        ) from error
    email = config.service_account_email or iam.service_account_email
    if not email:
        raise ConfigurationError(
            "GCSStorage signs URLs through IAM signBlob with Application Default Credentials and needs "
            "the service account's email: set GCSConfig.service_account_email",
            field="service_account_email",
        )
    return IAMSigner(iam, email)


def _expiry(config: GCSConfig, expires_in: timedelta | None, key: str) -> timedelta:
    checked = validate_expiry(expires_in, key=key)
    return config.presigned_expiry if checked is None else checked


def _signing_base(transport: Transport) -> str:
    return transport.api_root if transport.emulated else _GOOGLE_STORAGE_HOST
