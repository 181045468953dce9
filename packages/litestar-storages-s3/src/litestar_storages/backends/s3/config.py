"""``S3Config``: where the bucket is, how to authenticate and how to transfer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, get_args

from litestar_storages import config_checks as checks
from litestar_storages.exceptions import ConfigurationError
from litestar_storages.keys import normalize_prefix
from litestar_storages.public_urls import check_base_url
from litestar_storages.retry import RetryConfig, request_retry

__all__ = (
    "MAX_PARTS",
    "MAX_PART_SIZE",
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


AddressingStyle = Literal["auto", "path", "virtual"]
"""How the bucket appears in request URLs: ``virtual`` (``bucket.host/key``), ``path``
(``host/bucket/key``) or ``auto`` (botocore chooses, virtual where the name allows)."""

ChecksumPolicy = Literal["when_required", "when_supported"]
"""botocore's setting for request checksums and response checksum validation."""


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
        # In a fixed order: it decides which error a config with several mistakes reports.
        checks.check_bucket(self.bucket, setting="S3Config.bucket")
        for name in ("region", "access_key_id", "secret_access_key", "session_token", "profile_name"):
            checks.check_text(getattr(self, name), setting=f"S3Config.{name}")
        check_base_url(self.endpoint_url, setting="S3Config.endpoint_url")
        if (self.access_key_id is None) != (self.secret_access_key is None):
            missing = "secret_access_key" if self.secret_access_key is None else "access_key_id"
            problem = "is missing: access_key_id and secret_access_key go together (or neither: AWS chain)"
            raise ConfigurationError(f"S3Config.{missing} {problem}", field=missing)
        if self.session_token is not None and self.access_key_id is None:
            problem = "S3Config.session_token needs access_key_id and secret_access_key"
            raise ConfigurationError(problem, field="session_token")
        self._check_options()

    def _check_options(self) -> None:
        checks.check_prefix(self.prefix, setting="S3Config.prefix")
        checks.check_expiry(self.presigned_expiry, setting="S3Config.presigned_expiry")
        for name in ("use_ssl", "verify_ssl", "conditional_writes"):
            checks.check_flag(getattr(self, name), setting=f"S3Config.{name}")
        for name in ("max_pool_connections", "max_concurrency"):
            checks.check_int(getattr(self, name), setting=f"S3Config.{name}", low=1)
        checks.check_choice(self.addressing_style, get_args(AddressingStyle), setting="S3Config.addressing_style")
        for name in ("part_size", "multipart_threshold", "multipart_copy_threshold"):
            checks.check_int(getattr(self, name), setting=f"S3Config.{name}", low=MIN_PART_SIZE, high=MAX_PART_SIZE)
        check_base_url(self.public_base_url, setting="S3Config.public_base_url")
        checks.check_retry(self.retry, setting="S3Config.retry", optional=False)
        for name in ("connect_timeout", "read_timeout"):
            checks.check_seconds(getattr(self, name), setting=f"S3Config.{name}")
        for name in ("request_checksum_calculation", "response_checksum_validation"):
            checks.check_choice(getattr(self, name), get_args(ChecksumPolicy), setting=f"S3Config.{name}")
        checks.check_type(self.client_options, Mapping, setting="S3Config.client_options")

    @property
    def key_prefix(self) -> str:
        """The normalized :attr:`prefix` (``"tenant-1/"`` or ``""``) put before every key."""
        return normalize_prefix(self.prefix)
