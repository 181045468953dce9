"""Local filesystem backend: ``FileSystemStorage`` and ``FileSystemConfig``.

Also importable as ``from litestar_storages import FileSystemStorage, FileSystemConfig``.
The signing functions serve any web framework: :func:`verify_signature` (or
:meth:`FileSystemStorage.verify_signed_url`) checks a URL made by ``url()``.
"""

from litestar_storages.backends.filesystem.config import FileSystemConfig
from litestar_storages.backends.filesystem.errors import ExpiredSignatureError, InvalidSignatureError
from litestar_storages.backends.filesystem.maintenance import CleanupReport
from litestar_storages.backends.filesystem.signing import (
    SignedAccess,
    quote_key,
    sign_url,
    signature_query,
    verify_signature,
)
from litestar_storages.backends.filesystem.storage import FileSystemStorage
from litestar_storages.backends.filesystem.version import __version__

__all__ = (
    "CleanupReport",
    "ExpiredSignatureError",
    "FileSystemConfig",
    "FileSystemStorage",
    "InvalidSignatureError",
    "SignedAccess",
    "__version__",
    "quote_key",
    "sign_url",
    "signature_query",
    "verify_signature",
)
