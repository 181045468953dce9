"""``S3Config``: where the bucket is, how to authenticate and how to transfer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from litestar_storages.exceptions import ConfigurationError, InvalidKeyError
from litestar_storages.keys import normalize_prefix
from litestar_storages.public_urls import check_base_url
from litestar_storages.retry import RetryConfig, request_retry
from litestar_storages.url_arguments import MAX_URL_EXPIRY, expiry_problem

__all__ = (
    "MAX_OBJECT_SIZE",
    "MAX_PARTS",
    "MAX_PART_SIZE",
    "MAX_PRESIGNED_EXPIRY",
    "MIN_PART_SIZE",
    "AddressingStyle",
    "ChecksumPolicy",
    "S3Config",
)

MIB = 1024 * 1024
GIB = 1024 * MIB

MIN_PART_SIZE = 5 * MIB
"""S3's smallest part of a multipart upload (all but the last part)."""

MAX_PART_SIZE = 5 * GIB
"""S3's largest part, and its largest single PutObject or CopyObject."""

MAX_PARTS = 10_000
"""S3's largest number of parts in one multipart upload."""

MAX_OBJECT_SIZE = 5 * 1024 * GIB
"""S3's largest object (5 TiB)."""

MAX_PRESIGNED_EXPIRY = MAX_URL_EXPIRY
"""S3's longest validity of a SigV4 presigned URL or POST policy (the core's rule for every backend)."""

AddressingStyle = Literal["auto", "path", "virtual"]
"""How the bucket appears in request URLs: ``virtual`` (``bucket.host/key``), ``path``
(``host/bucket/key``) or ``auto`` (botocore chooses, virtual where the name allows)."""

ChecksumPolicy = Literal["when_required", "when_supported"]
"""botocore's setting for request checksums and response checksum validation."""


def _check_size(name: str, value: object, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigurationError(
            f"S3Config.{name} must be an int from {low} to {high} bytes, got {value!r}", field=name
        )


def _check_expiry(name: str, value: object) -> None:
    problem = expiry_problem(value)
    if problem is not None:
        raise ConfigurationError(f"S3Config.{name} {problem} ({value!r})", field=name)


@dataclass(frozen=True)
class S3Config:
    """Configuration of an :class:`~litestar_storages.backends.s3.S3Storage`.

    Every value is checked when the config is created; a bad one raises
    :class:`~litestar_storages.exceptions.ConfigurationError` naming the field.
    Credentials, region and profile left as ``None`` come from the standard AWS chain
    (environment variables, shared config and credentials files, SSO, container and
    instance roles), resolved by botocore on the first request.
    """

    bucket: str = ""
    """Name of the bucket (required)."""

    region: str | None = None
    """AWS region, e.g. ``"eu-west-1"``; ``"auto"`` for Cloudflare R2. Falls back to
    ``AWS_REGION``/``AWS_DEFAULT_REGION`` and the profile's region."""

    endpoint_url: str | None = None
    """Endpoint of an S3-compatible service (MinIO, R2, B2, Spaces, moto); ``None`` for AWS."""

    access_key_id: str | None = None
    """Access key ID; falls back to ``AWS_ACCESS_KEY_ID`` and the rest of the AWS chain."""

    secret_access_key: str | None = None
    """Secret access key; given together with :attr:`access_key_id`."""

    session_token: str | None = None
    """Session token of temporary credentials (STS); needs the two keys above."""

    prefix: str = ""
    """Folder inside the bucket that holds every key of this storage (``"tenant-1/"``);
    keys returned by the storage never include it."""

    presigned_expiry: timedelta = timedelta(hours=1)
    """Validity of presigned URLs and POST forms when the call gives none (at most 7 days)."""

    use_ssl: bool = True
    """Use HTTPS for the default endpoints (an explicit ``endpoint_url`` carries its own scheme)."""

    verify_ssl: bool = True
    """Verify the service's TLS certificate."""

    max_pool_connections: int = 10
    """Most HTTP connections kept open to the service; bounds concurrent requests."""

    addressing_style: AddressingStyle = "auto"
    """``"path"`` for MinIO and most self-hosted services, ``"virtual"`` where path-style is
    refused, ``"auto"`` to let botocore choose."""

    multipart_threshold: int = 8 * MIB
    """Uploads larger than this use a multipart upload; smaller ones one PutObject."""

    part_size: int = 8 * MIB
    """Size of each part of a multipart upload (5 MiB to 5 GiB). For data of known size the
    storage raises it as needed to stay within 10,000 parts."""

    max_concurrency: int = 4
    """Parts of one upload (or copy) in flight at once. A streamed upload holds at most
    ``part_size * (max_concurrency + 1)`` bytes in memory."""

    multipart_copy_threshold: int = MAX_PART_SIZE
    """Copies of objects larger than this use UploadPartCopy in ``part_size`` parts
    (S3's CopyObject stops at 5 GiB, the default)."""

    public_base_url: str | None = None
    """Base URL of a CDN or public bucket (``"https://cdn.example.com"``): ``url()`` then
    returns plain, unsigned GET URLs under it."""

    retry: RetryConfig = field(default_factory=request_retry)
    """How connection errors, 5xx answers and throttling (SlowDown) are retried. botocore's
    own retries are turned off so that the two never multiply."""

    connect_timeout: float = 10.0
    """Seconds to wait for a connection."""

    read_timeout: float = 60.0
    """Seconds to wait for each read of a response."""

    profile_name: str | None = None
    """Named profile of the shared AWS config files to take credentials and region from."""

    conditional_writes: bool = True
    """Send ``If-None-Match: *`` for ``put(..., overwrite=False)``. Set ``False`` for a service
    that rejects the header: the storage then checks for the key first, which is not atomic."""

    request_checksum_calculation: ChecksumPolicy = "when_required"
    """When botocore adds a CRC checksum to uploads. ``"when_required"`` (the default here) sends
    none where S3 does not demand it: cheaper, and accepted by every S3-compatible service."""

    response_checksum_validation: ChecksumPolicy = "when_required"
    """When botocore validates a download's checksum (``"when_supported"`` checks whole-object
    downloads of objects stored with one)."""

    client_options: Mapping[str, Any] = field(default_factory=dict)
    """Further ``botocore.config.Config`` arguments (``proxies``, ``user_agent_extra``, ...);
    the fields above win where both set the same option."""

    def __post_init__(self) -> None:
        # Checked in groups, in a fixed order: it decides which error a config with
        # several mistakes reports.
        self._check_location()
        self._check_credentials()
        self._check_options()
        self._check_client()

    def _check_location(self) -> None:
        if not isinstance(self.bucket, str) or not self.bucket.strip():
            raise ConfigurationError("S3Config.bucket is required: the name of the bucket", field="bucket")
        if self.bucket != self.bucket.strip() or "/" in self.bucket:
            raise ConfigurationError(f"S3Config.bucket {self.bucket!r} is not a bucket name", field="bucket")
        for name in ("region", "endpoint_url", "access_key_id", "secret_access_key", "session_token", "profile_name"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ConfigurationError(f"S3Config.{name} must be None or a non-empty str, got {value!r}", field=name)
        if self.endpoint_url is not None and not self.endpoint_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"S3Config.endpoint_url must start with http:// or https://, got {self.endpoint_url!r}",
                field="endpoint_url",
            )

    def _check_credentials(self) -> None:
        if (self.access_key_id is None) != (self.secret_access_key is None):
            missing = "secret_access_key" if self.secret_access_key is None else "access_key_id"
            raise ConfigurationError(
                "S3Config.access_key_id and secret_access_key must be given together (or neither, "
                "to use the AWS credential chain)",
                field=missing,
            )
        if self.session_token is not None and self.access_key_id is None:
            raise ConfigurationError(
                "S3Config.session_token needs access_key_id and secret_access_key", field="session_token"
            )

    def _check_options(self) -> None:
        if not isinstance(self.prefix, str):
            raise ConfigurationError(f"S3Config.prefix must be a str, got {self.prefix!r}", field="prefix")
        try:
            normalize_prefix(self.prefix)
        except InvalidKeyError as error:
            raise ConfigurationError(f"S3Config.prefix is invalid: {error}", field="prefix") from None
        _check_expiry("presigned_expiry", self.presigned_expiry)
        for name in ("use_ssl", "verify_ssl", "conditional_writes"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigurationError(f"S3Config.{name} must be a bool", field=name)
        for name in ("max_pool_connections", "max_concurrency"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigurationError(f"S3Config.{name} must be an int >= 1, got {value!r}", field=name)
        if self.addressing_style not in ("auto", "path", "virtual"):
            raise ConfigurationError(
                f"S3Config.addressing_style must be 'auto', 'path' or 'virtual', got {self.addressing_style!r}",
                field="addressing_style",
            )
        _check_size("part_size", self.part_size, MIN_PART_SIZE, MAX_PART_SIZE)
        _check_size("multipart_threshold", self.multipart_threshold, MIN_PART_SIZE, MAX_PART_SIZE)
        _check_size("multipart_copy_threshold", self.multipart_copy_threshold, MIN_PART_SIZE, MAX_PART_SIZE)

    def _check_client(self) -> None:
        check_base_url(self.public_base_url, setting="S3Config.public_base_url")
        if not isinstance(self.retry, RetryConfig):
            raise ConfigurationError("S3Config.retry must be a RetryConfig", field="retry")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ConfigurationError(f"S3Config.{name} must be a number of seconds > 0, got {value!r}", field=name)
        for name in ("request_checksum_calculation", "response_checksum_validation"):
            if getattr(self, name) not in ("when_required", "when_supported"):
                raise ConfigurationError(f"S3Config.{name} must be 'when_required' or 'when_supported'", field=name)
        if not isinstance(self.client_options, Mapping):
            raise ConfigurationError("S3Config.client_options must be a mapping", field="client_options")

    @property
    def key_prefix(self) -> str:
        """The normalized :attr:`prefix` (``"tenant-1/"`` or ``""``) put before every key."""
        return normalize_prefix(self.prefix)
