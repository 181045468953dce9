"""Empty ``folder/`` objects (the Cloud Console's "Create folder" makes them) are folders, never files."""

from __future__ import annotations

import aiohttp
from gcs_helpers import sdk_client

from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.types import StoredFolder


async def test_folder_markers_are_not_listed_as_files(gcs_config: GCSConfig, gcs_storage: GCSStorage) -> None:
    async with aiohttp.ClientSession() as session:
        raw = sdk_client(gcs_config.api_root or "", session)
        for marker in ("docs/", "docs/sub/"):
            await raw.upload(gcs_config.bucket, marker, b"")
    await gcs_storage.put("docs/a.txt", b"a")
    await gcs_storage.put("top.txt", b"t")
    assert [stored.key async for stored in gcs_storage.list()] == ["docs/a.txt", "top.txt"]
    assert [stored.key async for stored in gcs_storage.list(limit=1)] == ["docs/a.txt"]
    root = [entry async for entry in gcs_storage.list_dir()]
    assert [entry.key for entry in root] == ["docs/", "top.txt"]
    assert isinstance(root[0], StoredFolder)
    assert [entry.key async for entry in gcs_storage.list_dir("docs")] == ["docs/a.txt", "docs/sub/"]
