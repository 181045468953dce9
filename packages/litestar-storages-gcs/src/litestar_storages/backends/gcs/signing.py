"""V4 signed URLs and POST policies (``GOOG4-RSA-SHA256``), signed with the credentials' key or by IAM ``signBlob``.

Not the SDK's ``Blob.get_signed_url``: it fixes its host at import time, so it cannot
point at an emulator chosen at run time, and it has no POST policies.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Union, cast
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from litestar_storages.backends.gcs._sdk import Transport
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.post_policies import object_fields, policy_conditions
from litestar_storages.types import UploadForm

__all__ = (
    "ALGORITHM",
    "GOOGLE_STORAGE_HOST",
    "IAMSigner",
    "KeySigner",
    "Signer",
    "make_signer",
    "sign_post_policy",
    "sign_url",
)

ALGORITHM = "GOOG4-RSA-SHA256"
"""The V4 signing algorithm for service-account (RSA) keys."""

GOOGLE_STORAGE_HOST = "https://storage.googleapis.com"
"""Where signed URLs point outside an emulator."""

_MAX_OBJECT_SIZE = 5 * 1024**4  # GCS's largest object: the upper bound of a form without max_size


class KeySigner:
    """Signs locally with the private key (unencrypted RSA PEM) of a service-account JSON file."""

    __slots__ = ("_key", "email")

    def __init__(self, email: str, private_key_pem: str) -> None:
        """Load the key of the account ``email``; :class:`ConfigurationError` unless an unencrypted RSA PEM key."""
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
        """Return the signature of ``payload`` by the key."""
        return self._key.sign(payload, padding.PKCS1v15(), hashes.SHA256())


class IAMSigner:
    """Signs through IAM Credentials ``signBlob``, one request per signature.

    The caller's identity needs ``iam.serviceAccounts.signBlob`` on the account (role
    "Service Account Token Creator").
    """

    __slots__ = ("_iam", "email")

    def __init__(self, iam_client: Any, email: str) -> None:
        """Sign as ``email`` through gcloud-aio-auth's ``IamClient``."""
        self._iam = iam_client
        self.email = email

    async def sign(self, payload: bytes) -> bytes:
        """Return the signature of ``payload`` by the account's key."""
        answer = await self._iam.sign_blob(payload, service_account_email=self.email)
        return base64.b64decode(answer["signedBlob"])


Signer = Union[KeySigner, IAMSigner]
"""Signs bytes with a service account's key (RSA, SHA-256, PKCS#1 v1.5); ``email`` names the account."""


def make_signer(transport: Transport, service_account_email: str | None) -> Signer:
    """Build the signer the credentials allow: their own key, else IAM ``signBlob`` as ``service_account_email``.

    Raises:
        ConfigurationError: If no credentials can sign.
    """
    token = transport.client.token
    service_data: dict[str, Any] = getattr(token, "service_data", None) or {}
    email, private_key = service_data.get("client_email"), service_data.get("private_key")
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


def _scope(signer: Signer, now: datetime | None) -> tuple[datetime, str, str]:
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment, moment.strftime("%Y%m%dT%H%M%SZ"), f"{signer.email}/{moment:%Y%m%d}/auto/storage/goog4_request"


async def sign_url(
    signer: Signer,
    *,
    method: str,
    base_url: str,
    bucket: str,
    name: str,
    expires_in: timedelta,
    content_disposition: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
) -> str:
    """Make a V4 signed URL ``{base_url}/{bucket}/{name}`` (``base_url``: Google's or an emulator's root).

    ``content_disposition`` is signed as the download's ``response-content-disposition``;
    ``content_type`` as a header the client must send. ``now`` defaults to now.
    """
    _, timestamp, credential = _scope(signer, now)
    host = urlsplit(base_url)
    path = f"/{bucket}/{quote(name, safe='/~')}"
    query = {} if content_disposition is None else {"response-content-disposition": content_disposition}
    signing_headers = {"host": host.netloc, **({} if content_type is None else {"content-type": content_type})}
    signed = sorted((key.lower(), " ".join(value.split())) for key, value in signing_headers.items())
    signed_names = ";".join(key for key, _ in signed)
    parameters = {
        **query,
        "X-Goog-Algorithm": ALGORITHM,
        "X-Goog-Credential": credential,
        "X-Goog-Date": timestamp,
        "X-Goog-Expires": str(int(expires_in.total_seconds())),
        "X-Goog-SignedHeaders": signed_names,
    }
    query_string = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(parameters.items()))
    canonical_headers = "".join(f"{key}:{value}\n" for key, value in signed)
    canonical = "\n".join([method, path, query_string, canonical_headers, signed_names, "UNSIGNED-PAYLOAD"])
    scope = credential.split("/", 1)[1]
    to_sign = "\n".join([ALGORITHM, timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signature = await signer.sign(to_sign.encode())
    return f"{host.scheme}://{host.netloc}{path}?{query_string}&X-Goog-Signature={signature.hex()}"


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
    """Make a V4 POST policy: a form that uploads object ``name``, within limits GCS enforces.

    The size range is a ``content-length-range`` (``max_size=None``: 5 TiB); ``content_type``
    and ``metadata`` (``x-goog-meta-*``) are signed fields. ``now`` defaults to now.
    """
    moment, timestamp, credential = _scope(signer, now)
    fields = {"key": name, "x-goog-algorithm": ALGORITHM, "x-goog-credential": credential, "x-goog-date": timestamp}
    fields.update(object_fields(content_type, metadata or {}, meta_prefix="x-goog-meta-"))
    limit = _MAX_OBJECT_SIZE if max_size is None else max_size
    conditions = [{"bucket": bucket}, *policy_conditions(fields, min_size=min_size, max_size=limit)]
    expires_at = (moment + expires_in).replace(microsecond=0)
    document = {"conditions": conditions, "expiration": f"{expires_at:%Y-%m-%dT%H:%M:%SZ}"}
    policy = base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode()
    fields["policy"] = policy
    fields["x-goog-signature"] = (await signer.sign(policy.encode())).hex()
    host = urlsplit(base_url)
    return UploadForm(url=f"{host.scheme}://{host.netloc}/{bucket}", fields=fields, expires_at=expires_at)
