"""An application for the `litestar storages` commands (LITESTAR_APP=cli_app:app)."""

from __future__ import annotations

from litestar import Litestar

from litestar_storages import FileSystemConfig, FileSystemStorage
from litestar_storages.contrib import StoragePlugin

app = Litestar(
    route_handlers=[],
    plugins=[
        StoragePlugin(
            FileSystemStorage(FileSystemConfig(path="uploads")),  # the default storage
            backups=FileSystemStorage(FileSystemConfig(path="backups")),  # "backups:KEY"
        )
    ],
)
