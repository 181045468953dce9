"""``FileSystemConfig``: where files live and how they are written and linked."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Union

from litestar_storages.exceptions import ConfigurationError
from litestar_storages.url_arguments import expiry_problem

__all__ = ("MIN_SECRET_BYTES", "FileSystemConfig")

MIN_SECRET_BYTES = 32
"""Shortest ``signing_secret`` accepted, in bytes (a 256-bit HMAC key)."""


@dataclass(frozen=True)
class FileSystemConfig:
    """Configuration of :class:`~litestar_storages.backends.filesystem.FileSystemStorage`.

    Example:
        >>> FileSystemConfig(path="./uploads", base_url="https://cdn.example.com/media")  # doctest: +SKIP
    """

    path: Union[str, Path]
    """Root folder of the storage. Every key lives below it; nothing outside it is ever
    read, written, listed or deleted. A ``str`` is converted to a ``Path``."""

    base_url: str | None = None
    """Public URL the root folder is served at (``https://cdn.example.com/media`` or an
    absolute path such as ``/media``). ``url()`` then returns ``base_url + "/" + quoted
    key``. Required with ``signing_secret``: signed URLs point below it."""

    create_dirs: bool = True
    """Create the root folder (and its parents) when it does not exist. When ``False``
    a missing root is a :class:`~litestar_storages.exceptions.ConfigurationError`. Key
    folders below the root are always created as needed."""

    permissions: int = 0o644
    """Mode of stored files, applied exactly (independent of the process umask)."""

    chunk_size: int = 1024 * 1024
    """Size of the chunks ``get()`` yields and of the reads from file-like ``put`` data."""

    signing_secret: Union[str, bytes, None] = field(default=None, repr=False)
    """Secret key of HMAC-signed, expiring URLs (at least 32 bytes; keep it out of
    source control). When set, ``url()`` returns signed URLs below ``base_url`` that your
    web application checks with ``FileSystemStorage.verify_signed_url`` before serving
    (the Litestar plugin does this for you). Hidden from ``repr()``."""

    signed_url_expiry: timedelta = timedelta(hours=1)
    """Validity of signed URLs when ``url()`` gets no ``expires_in`` (1 second to 7 days)."""

    fsync: bool = False
    """Flush each file (and its folder entry) to disk before ``put`` returns. Off by
    default: writes are atomic either way; this adds durability across power loss at the
    cost of one disk flush per write."""

    def __post_init__(self) -> None:
        if isinstance(self.path, str):
            if not self.path:
                raise ConfigurationError("FileSystemConfig.path must not be empty", field="path")
            object.__setattr__(self, "path", Path(self.path))
        elif not isinstance(self.path, Path):
            raise ConfigurationError(
                f"FileSystemConfig.path must be a str or Path, got {type(self.path).__name__}", field="path"
            )
        if self.base_url is not None:
            if not isinstance(self.base_url, str) or not self.base_url.strip():
                raise ConfigurationError("FileSystemConfig.base_url must be a non-empty str or None", field="base_url")
            if "?" in self.base_url or "#" in self.base_url:
                raise ConfigurationError(
                    f"FileSystemConfig.base_url must not hold a query or fragment, got {self.base_url!r}",
                    field="base_url",
                )
        if not isinstance(self.create_dirs, bool):
            raise ConfigurationError("FileSystemConfig.create_dirs must be a bool", field="create_dirs")
        if (
            isinstance(self.permissions, bool)
            or not isinstance(self.permissions, int)
            or not 0 <= self.permissions <= 0o7777
        ):
            raise ConfigurationError(
                f"FileSystemConfig.permissions must be a file mode int such as 0o644, got {self.permissions!r}",
                field="permissions",
            )
        if isinstance(self.chunk_size, bool) or not isinstance(self.chunk_size, int) or self.chunk_size < 1:
            raise ConfigurationError(
                f"FileSystemConfig.chunk_size must be an int >= 1, got {self.chunk_size!r}", field="chunk_size"
            )
        expiry_rule = expiry_problem(self.signed_url_expiry)
        if expiry_rule is not None:
            raise ConfigurationError(f"FileSystemConfig.signed_url_expiry {expiry_rule}", field="signed_url_expiry")
        if not isinstance(self.fsync, bool):
            raise ConfigurationError("FileSystemConfig.fsync must be a bool", field="fsync")
        if self.signing_secret is not None:
            self._check_secret()

    def _check_secret(self) -> None:
        secret = self.signing_secret
        if not isinstance(secret, (str, bytes)):
            raise ConfigurationError(
                "FileSystemConfig.signing_secret must be str, bytes or None", field="signing_secret"
            )
        length = len(secret.encode() if isinstance(secret, str) else secret)
        if length < MIN_SECRET_BYTES:
            # The message gives the length, never the secret.
            raise ConfigurationError(
                f"FileSystemConfig.signing_secret is {length} bytes; use at least {MIN_SECRET_BYTES} random bytes "
                "(for example secrets.token_urlsafe(32))",
                field="signing_secret",
            )
        if self.base_url is None:
            raise ConfigurationError(
                "FileSystemConfig.base_url is required with signing_secret: signed URLs point below it",
                field="base_url",
            )

    @property
    def root(self) -> Path:
        """The root folder as an absolute ``Path`` (symbolic links not resolved)."""
        return Path(os.path.abspath(self.path))
