"""Empty ``folder/`` blobs (Azure Storage Explorer and the portal make them) are folders, never files."""

from __future__ import annotations

from azure.storage.blob.aio import ContainerClient

from litestar_storages.backends.azure import AzureStorage
from litestar_storages.types import StoredFolder


async def test_folder_markers_are_not_listed_as_files(storage: AzureStorage, container: ContainerClient) -> None:
    await container.upload_blob("docs/", b"")
    await container.upload_blob("docs/sub/", b"")
    await storage.put("docs/a.txt", b"a")
    await storage.put("top.txt", b"t")
    assert [stored.key async for stored in storage.list()] == ["docs/a.txt", "top.txt"]
    assert [stored.key async for stored in storage.list(limit=1)] == ["docs/a.txt"]
    root = [entry async for entry in storage.list_dir()]
    assert [entry.key for entry in root] == ["docs/", "top.txt"]
    assert isinstance(root[0], StoredFolder)
    assert [entry.key async for entry in storage.list_dir("docs")] == ["docs/a.txt", "docs/sub/"]
