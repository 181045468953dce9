"""Signed, expiring URLs served by your own route, with any web framework.

The Litestar plugin mounts this route for you (``StoragePlugin`` with a storage that
has a ``signing_secret``). Elsewhere, verify the signature yourself before serving.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from litestar_storages import FileSystemConfig, FileSystemStorage
from litestar_storages.backends.filesystem import InvalidSignatureError, SignedAccess


def make_storage(root: Path, secret: str) -> FileSystemStorage:
    return FileSystemStorage(
        FileSystemConfig(path=root, base_url="https://app.example.com/files", signing_secret=secret)
    )


async def share_link(storage: FileSystemStorage) -> str:
    await storage.put("invoices/2026-11.pdf", b"%PDF-1.7 ...")
    # A download link valid for 10 minutes, that makes browsers save it as "Invoice.pdf".
    return await storage.url("invoices/2026-11.pdf", expires_in=timedelta(minutes=10), filename="Invoice.pdf")


async def upload_link(storage: FileSystemStorage) -> str:
    # A link a browser can PUT one PNG to, for 5 minutes.
    return await storage.url("avatars/42.png", method="PUT", expires_in=timedelta(minutes=5), content_type="image/png")


def authorize(storage: FileSystemStorage, method: str, raw_path: str, query_string: str) -> SignedAccess | None:
    """What a route at /files/{key:path} does first: return the grant, or None for a 403."""
    key = unquote(raw_path.removeprefix("/files/"))
    try:
        return storage.verify_signed_url(key, query_string, method=method)
    except InvalidSignatureError:  # forged, tampered with or expired (ExpiredSignatureError)
        return None


async def serve(storage: FileSystemStorage, url: str) -> tuple[int, bytes]:
    """A framework-free handler: 403 unless the link is valid, else the file's bytes."""
    parts = urlsplit(url)
    access = authorize(storage, "GET", parts.path, parts.query)
    if access is None:
        return 403, b""
    return 200, await storage.get_bytes(access.key)
