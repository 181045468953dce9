"""FileSystemConfig for common setups."""

import os
from datetime import timedelta
from pathlib import Path

from litestar_storages import FileSystemConfig


def local_development() -> FileSystemConfig:
    """Files under ./uploads; url() returns file:// URIs."""
    return FileSystemConfig(path="uploads")


def served_by_a_web_server() -> FileSystemConfig:
    """nginx (or a CDN in front of it) serves /srv/media at https://cdn.example.com/media."""
    return FileSystemConfig(
        path=Path("/srv/media"),
        base_url="https://cdn.example.com/media",
        permissions=0o640,  # readable by the web server's group, not by everyone
        create_dirs=False,  # the folder is provisioned (and mounted) by the deployment
    )


def private_files_with_signed_urls() -> FileSystemConfig:
    """Your application serves the files at /files after checking a signature."""
    return FileSystemConfig(
        path=Path("/var/lib/myapp/private"),
        base_url="/files",
        signing_secret=os.environ["FILES_SIGNING_SECRET"],  # e.g. secrets.token_urlsafe(32)
        signed_url_expiry=timedelta(minutes=15),
        chunk_size=256 * 1024,
    )


def durable_writes() -> FileSystemConfig:
    """Each put is flushed to disk before it returns (survives a power cut, costs a flush)."""
    return FileSystemConfig(path="/var/lib/myapp/ledger", fsync=True)
