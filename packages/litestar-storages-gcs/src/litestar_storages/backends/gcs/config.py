"""``GCSConfig``: everything a ``GCSStorage`` needs to know."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Union

from litestar_storages.config_checks import (
    check_bucket,
    check_expiry,
    check_file,
    check_int,
    check_prefix,
    check_seconds,
    check_type,
)
from litestar_storages.keys import normalize_prefix
from litestar_storages.public_urls import check_base_url
from litestar_storages.retry import RetryConfig, request_retry

__all__ = ("CHUNK_GRANULARITY", "GCSConfig")

CHUNK_GRANULARITY = 256 * 1024
"""Resumable upload chunks (all but the last) must be multiples of this many bytes."""


@dataclass(frozen=True)
class GCSConfig:
    """Configuration of a Google Cloud Storage bucket.

    Credentials: a service-account key file (``service_file``, or the
    ``GOOGLE_APPLICATION_CREDENTIALS`` variable), else Application Default Credentials
    (``gcloud auth application-default login``, or the metadata server on Google
    Cloud). ``api_root`` (or the ``STORAGE_EMULATOR_HOST`` variable, read by
    gcloud-aio-storage) points at an emulator and turns authentication off.
    """

    bucket: str = ""
    """Name of the bucket (required)."""

    project: str | None = None
    """Google Cloud project ID, for tools that create or list buckets (object operations do not need it)."""

    service_file: Union[str, os.PathLike[str], None] = None
    """Path of a service-account (or other credentials) JSON file. ``None`` uses
    ``GOOGLE_APPLICATION_CREDENTIALS``, then Application Default Credentials. A
    service-account key also signs URLs locally, with no request."""

    prefix: str = ""
    """Folder inside the bucket that holds every key of this storage (``"uploads"`` and
    ``"uploads/"`` mean the same); keys are returned without it."""

    presigned_expiry: timedelta = timedelta(hours=1)
    """Validity of signed URLs and POST policies when ``expires_in`` is not given (at most 7 days)."""

    api_root: str | None = None
    """Base URL of a GCS emulator such as fake-gcs-server (``"http://127.0.0.1:4443"``).
    Requests then carry no credentials and signed URLs point at it. ``None`` means
    Google Cloud Storage (or ``STORAGE_EMULATOR_HOST`` when set)."""

    chunk_size: int = 8 * 1024 * 1024
    """Size of each resumable-upload request (a multiple of 256 KiB): longer payloads go
    through a resumable session, holding about one chunk in memory; others in one request."""

    public_base_url: str | None = None
    """Base URL serving the bucket publicly (a CDN or ``https://storage.googleapis.com/BUCKET``):
    ``url()`` then returns ``{public_base_url}/{prefix}{key}`` for downloads, unsigned."""

    retry: RetryConfig = field(default_factory=request_retry)
    """How transient failures (connection errors, 429 and 5xx answers) are retried."""

    timeout: float = 60.0
    """Seconds to wait for a connection or for the next bytes of an answer (a moving transfer is never cut)."""

    list_page_size: int = 1000
    """Objects requested per listing page (1 to 1000)."""

    service_account_email: str | None = None
    """Account whose key signs URLs through IAM ``signBlob`` when the credentials hold no
    key (Application Default Credentials); by default the one the credentials name."""

    def __post_init__(self) -> None:
        check_bucket(self.bucket, setting="GCSConfig.bucket")
        check_prefix(self.prefix, setting="GCSConfig.prefix")
        check_file(self.service_file, setting="GCSConfig.service_file")
        check_expiry(self.presigned_expiry, setting="GCSConfig.presigned_expiry")
        for name in ("api_root", "public_base_url"):
            check_base_url(getattr(self, name), setting=f"GCSConfig.{name}")
        check_int(self.chunk_size, setting="GCSConfig.chunk_size", low=CHUNK_GRANULARITY, multiple_of=CHUNK_GRANULARITY)
        check_type(self.retry, RetryConfig, setting="GCSConfig.retry")
        check_seconds(self.timeout, setting="GCSConfig.timeout")
        check_int(self.list_page_size, setting="GCSConfig.list_page_size", low=1, high=1000)

    @property
    def normalized_prefix(self) -> str:
        """The prefix in ``"folder/"`` form (or ``""``)."""
        return normalize_prefix(self.prefix)
