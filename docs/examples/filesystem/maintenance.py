"""Removing leftovers of killed writers and abandoned multipart uploads."""

import asyncio
from datetime import timedelta

from litestar_storages import FileSystemStorage


async def clean_once(storage: FileSystemStorage) -> None:
    # Safe while the storage is in use: live writes hold a lock on their temporary file.
    report = await storage.remove_stale_files(older_than=timedelta(hours=24))
    print(f"removed {report.temporary_files} temporary files, {report.multipart_uploads} uploads")


async def clean_every_hour(storage: FileSystemStorage) -> None:
    while True:
        await clean_once(storage)
        await asyncio.sleep(3600)
