"""V4 signed URLs and POST policies (``GOOG4-RSA-SHA256``), signed locally or by IAM.

A signed URL is a canonical request hashed into a "string to sign" and signed with a
service account's RSA key: locally when the credentials hold the key (a service-account
JSON file), else by the IAM Credentials ``signBlob`` API (Application Default
Credentials on Google Cloud). gcloud-aio-storage's ``Blob.get_signed_url`` cannot be
used: it fixes the host at import time (``STORAGE_EMULATOR_HOST``), so its URLs cannot
point at an emulator chosen at run time, and it has no POST policies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from litestar_storages.exceptions import ConfigurationError
from litestar_storages.types import UploadForm

if TYPE_CHECKING:
    from litestar_storages.backends.gcs.transport import Transport

__all__ = (
    "ALGORITHM",
    "GOOGLE_STORAGE_HOST",
    "MAX_OBJECT_SIZE",
    "IAMSigner",
    "KeySigner",
    "Signer",
    "canonical_request",
    "make_signer",
    "sign_post_policy",
    "sign_url",
    "string_to_sign",
)

ALGORITHM = "GOOG4-RSA-SHA256"
"""The V4 signing algorithm for service-account (RSA) keys."""

MAX_OBJECT_SIZE = 5 * 1024**4
"""GCS's largest object, 5 TiB."""

GOOGLE_STORAGE_HOST = "https://storage.googleapis.com"
"""Where signed URLs point outside an emulator."""


class Signer(Protocol):
    """Something that signs bytes with a service account's key (RSA, SHA-256, PKCS#1 v1.5)."""

    @property
    def email(self) -> str:
        """The service account's email, which names the key in the credential scope."""
        ...

    async def sign(self, payload: bytes) -> bytes:
        """Return the RSA-SHA256 signature of ``payload``."""
        ...


class KeySigner:
    """Signs locally with the private key of a service-account JSON file."""

    __slots__ = ("_key", "email")

    def __init__(self, email: str, private_key_pem: str) -> None:
        """Load the key.

        Args:
            email: The service account's ``client_email``.
            private_key_pem: Its ``private_key`` (PEM, unencrypted RSA).

        Raises:
            ConfigurationError: If the key cannot be loaded or is not RSA.
        """
        try:
            key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
        except (ValueError, TypeError) as error:
            raise ConfigurationError(
                "The service account's private_key is not a valid unencrypted PEM key", field="service_file"
            ) from error
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ConfigurationError("The service account's private_key is not an RSA key", field="service_file")
        self._key = key
        self.email = email

    async def sign(self, payload: bytes) -> bytes:
        """Sign ``payload`` with the key.

        Args:
            payload: The bytes to sign.

        Returns:
            The signature.
        """
        return self._key.sign(payload, padding.PKCS1v15(), hashes.SHA256())


class IAMSigner:
    """Signs through the IAM Credentials ``signBlob`` API (no private key needed locally).

    The caller's identity needs ``iam.serviceAccounts.signBlob`` on the service account
    (role "Service Account Token Creator").
    """

    __slots__ = ("_iam", "email")

    def __init__(self, iam_client: Any, email: str) -> None:
        """Wrap a ``gcloud.aio.auth.IamClient``.

        Args:
            iam_client: The IAM client (it carries the credentials and session).
            email: The service account whose key signs.
        """
        self._iam = iam_client
        self.email = email

    async def sign(self, payload: bytes) -> bytes:
        """Have IAM sign ``payload``.

        Args:
            payload: The bytes to sign.

        Returns:
            The signature.
        """
        answer = await self._iam.sign_blob(payload, service_account_email=self.email)
        return base64.b64decode(answer["signedBlob"])


def make_signer(transport: Transport, service_account_email: str | None) -> Signer:
    """Build the signer the credentials allow: a local key, else IAM ``signBlob``.

    Args:
        transport: The storage's client (its token holds the credentials).
        service_account_email: The account IAM signs as, when the credentials name none.

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
    email = service_account_email or iam.service_account_email
    if not email:
        raise ConfigurationError(
            "GCSStorage signs URLs through IAM signBlob with Application Default Credentials and needs "
            "the service account's email: set GCSConfig.service_account_email",
            field="service_account_email",
        )
    return IAMSigner(iam, email)


def _timestamps(now: datetime | None) -> tuple[datetime, str, str]:
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment, moment.strftime("%Y%m%dT%H%M%SZ"), moment.strftime("%Y%m%d")


def _resource_path(bucket: str, name: str) -> str:
    return f"/{bucket}/{quote(name, safe='/~')}"


def _encode(value: str) -> str:
    return quote(value, safe="~")


def canonical_request(
    method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], payload: str = "UNSIGNED-PAYLOAD"
) -> tuple[str, str, str]:
    """Build the V4 canonical request.

    Args:
        method: The HTTP method.
        path: The percent-encoded resource path (``/bucket/object``).
        query: Query parameters (not yet encoded), without ``X-Goog-Signature``.
        headers: Headers to sign, with ``host``.
        payload: The payload hash, ``UNSIGNED-PAYLOAD`` for URLs.

    Returns:
        ``(canonical request, canonical query string, signed headers)``.
    """
    query_string = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
    lowered = sorted((name.lower(), " ".join(value.split())) for name, value in headers.items())
    canonical_headers = "".join(f"{name}:{value}\n" for name, value in lowered)
    signed_headers = ";".join(name for name, _ in lowered)
    request = "\n".join([method, path, query_string, canonical_headers, signed_headers, payload])
    return request, query_string, signed_headers


def string_to_sign(timestamp: str, scope: str, request: str) -> str:
    """Build the V4 string to sign from a canonical request.

    Args:
        timestamp: ``YYYYMMDDTHHMMSSZ``.
        scope: ``DATE/auto/storage/goog4_request``.
        request: The canonical request.

    Returns:
        The string to sign.
    """
    digest = hashlib.sha256(request.encode()).hexdigest()
    return "\n".join([ALGORITHM, timestamp, scope, digest])


async def sign_url(
    signer: Signer,
    *,
    method: str,
    base_url: str,
    bucket: str,
    name: str,
    expires_in: timedelta,
    query: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> str:
    """Make a V4 signed URL for one object (path style: ``{base_url}/{bucket}/{name}``).

    Args:
        signer: Signs the string to sign.
        method: The HTTP method the URL allows.
        base_url: ``https://storage.googleapis.com``, or an emulator's root.
        bucket: The bucket.
        name: The object's full name.
        expires_in: Validity (1 second to 7 days).
        query: Extra signed query parameters (``response-content-disposition``...).
        headers: Extra signed headers the client must send (``content-type``...).
        now: The signing time (default: now).

    Returns:
        The URL.
    """
    _, timestamp, date = _timestamps(now)
    parts = urlsplit(base_url)
    scope = f"{date}/auto/storage/goog4_request"
    path = _resource_path(bucket, name)
    signed_query = {
        **(query or {}),
        "X-Goog-Algorithm": ALGORITHM,
        "X-Goog-Credential": f"{signer.email}/{scope}",
        "X-Goog-Date": timestamp,
        "X-Goog-Expires": str(int(expires_in.total_seconds())),
    }
    signed = {**(headers or {}), "host": parts.netloc}
    signed_query["X-Goog-SignedHeaders"] = ";".join(sorted(header.lower() for header in signed))
    request, query_string, _ = canonical_request(method, path, signed_query, signed)
    signature = await signer.sign(string_to_sign(timestamp, scope, request).encode())
    return (
        f"{parts.scheme}://{parts.netloc}{path}?{query_string}&X-Goog-Signature={binascii.hexlify(signature).decode()}"
    )


async def sign_post_policy(
    signer: Signer,
    *,
    base_url: str,
    bucket: str,
    name: str,
    expires_in: timedelta,
    max_size: int | None,
    min_size: int = 0,
    content_type: str | None = None,
    metadata: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> UploadForm:
    """Make a V4 POST policy: a form that uploads one object, within limits GCS enforces.

    Args:
        signer: Signs the policy.
        base_url: ``https://storage.googleapis.com``, or an emulator's root.
        bucket: The bucket.
        name: The object's full name.
        expires_in: Validity of the form (1 second to 7 days).
        max_size: Largest accepted file, in bytes (``content-length-range``); ``None``:
            GCS's own limit (5 TiB).
        min_size: Smallest accepted file, in bytes.
        content_type: The exact Content-Type the upload must declare, if any.
        metadata: Custom metadata the object gets (``x-goog-meta-*`` fields, signed).
        now: The signing time (default: now).

    Returns:
        The form's URL and fields.
    """
    moment, timestamp, date = _timestamps(now)
    parts = urlsplit(base_url)
    credential = f"{signer.email}/{date}/auto/storage/goog4_request"
    fields = {"key": name, "x-goog-algorithm": ALGORITHM, "x-goog-credential": credential, "x-goog-date": timestamp}
    conditions: list[Any] = [
        {"bucket": bucket},
        {"key": name},
        {"x-goog-date": timestamp},
        {"x-goog-credential": credential},
        {"x-goog-algorithm": ALGORITHM},
        ["content-length-range", min_size, MAX_OBJECT_SIZE if max_size is None else max_size],
    ]
    if content_type is not None:
        fields["Content-Type"] = content_type
        conditions.append({"Content-Type": content_type})
    for meta_name, meta_value in (metadata or {}).items():
        fields[f"x-goog-meta-{meta_name}"] = meta_value
        conditions.append({f"x-goog-meta-{meta_name}": meta_value})
    expires_at = (moment + expires_in).replace(microsecond=0)
    expiration = expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    document = json.dumps({"conditions": conditions, "expiration": expiration}, separators=(",", ":"))
    policy = base64.b64encode(document.encode()).decode()
    signature = await signer.sign(policy.encode())
    fields["policy"] = policy
    fields["x-goog-signature"] = binascii.hexlify(signature).decode()
    return UploadForm(url=f"{parts.scheme}://{parts.netloc}/{bucket}", fields=fields, expires_at=expires_at)
