"""On disk: FileSystemStorage against a raw ``os`` loop, aiofiles and obstore's LocalStore.

Every contender works in the same temporary folder; the shared fixtures (listing keys,
large and copy objects) are written once by FileSystemStorage as plain files.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Sized
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.harness.contender import Contender, Endpoint, StorageContender
from benchmarks.harness.profile import MiB, Profile
from benchmarks.harness.suite import SuiteSpec, Target
from benchmarks.suites.obstore_peer import ObstoreContender
from litestar_storages.base import BaseStorage

CHUNK = 1 * MiB
"""Read and write size of the raw and aiofiles loops (FileSystemStorage's default chunk)."""


class OursFileSystem(StorageContender):
    """``FileSystemStorage(FileSystemConfig(path=root))`` with its defaults."""

    name = "litestar-storages"

    def make_storage(self) -> BaseStorage:
        from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage

        return FileSystemStorage(FileSystemConfig(path=self.endpoint["root"]))


class _PathContender(Contender):
    def path(self, key: str) -> str:
        return os.path.join(self.endpoint["root"], key)


def _walk_count(folder: str) -> int:
    # Every library's listing reports sizes (and dates), so the raw walk stats each file too.
    count = 0
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.stat(follow_symlinks=False).st_size >= 0:
                    count += 1
    return count


class RawOs(_PathContender):
    """Blocking ``os`` calls on the event loop, 1 MiB chunks: the speed ceiling (it blocks the loop)."""

    name = "raw os"

    async def put_small(self, key: str, data: bytes) -> None:
        path = self.path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    async def get_small(self, key: str) -> Sized:
        fd = os.open(self.path(key), os.O_RDONLY)
        try:
            return os.read(fd, os.fstat(fd).st_size)
        finally:
            os.close(fd)

    async def info(self, key: str) -> int:
        return os.stat(self.path(key)).st_size

    async def delete(self, key: str) -> None:
        os.unlink(self.path(key))

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], size: int) -> None:
        path = self.path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            async for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    async def get_stream(self, key: str) -> int:
        total = 0
        fd = os.open(self.path(key), os.O_RDONLY)
        try:
            while chunk := os.read(fd, CHUNK):
                total += len(chunk)
        finally:
            os.close(fd)
        return total

    async def list_count(self, prefix: str) -> int:
        return _walk_count(self.path(prefix))

    async def copy(self, source: str, destination: str) -> None:
        destination_path = self.path(destination)
        os.makedirs(os.path.dirname(destination_path), exist_ok=True)
        shutil.copyfile(self.path(source), destination_path)


class Aiofiles(_PathContender):
    """aiofiles used directly: every file call is a thread hop; 1 MiB chunks."""

    name = "aiofiles"

    async def put_small(self, key: str, data: bytes) -> None:
        import aiofiles
        import aiofiles.os

        path = self.path(key)
        await aiofiles.os.makedirs(os.path.dirname(path), exist_ok=True)
        async with aiofiles.open(path, "wb") as file:
            await file.write(data)

    async def get_small(self, key: str) -> Sized:
        import aiofiles

        async with aiofiles.open(self.path(key), "rb") as file:
            content: bytes = await file.read()
            return content

    async def info(self, key: str) -> int:
        import aiofiles.os

        return (await aiofiles.os.stat(self.path(key))).st_size

    async def delete(self, key: str) -> None:
        import aiofiles.os

        await aiofiles.os.remove(self.path(key))

    async def put_stream(self, key: str, chunks: AsyncIterator[bytes], size: int) -> None:
        import aiofiles
        import aiofiles.os

        path = self.path(key)
        await aiofiles.os.makedirs(os.path.dirname(path), exist_ok=True)
        async with aiofiles.open(path, "wb") as file:
            async for chunk in chunks:
                await file.write(chunk)

    async def get_stream(self, key: str) -> int:
        import aiofiles

        total = 0
        async with aiofiles.open(self.path(key), "rb") as file:
            while chunk := await file.read(CHUNK):
                total += len(chunk)
        return total

    async def list_count(self, prefix: str) -> int:
        # aiofiles has no recursive listing: what its users write is a walk in a thread.
        return await asyncio.to_thread(_walk_count, self.path(prefix))

    async def copy(self, source: str, destination: str) -> None:
        import aiofiles.os

        destination_path = self.path(destination)
        await aiofiles.os.makedirs(os.path.dirname(destination_path), exist_ok=True)
        await aiofiles.os.wrap(shutil.copyfile)(self.path(source), destination_path)


class ObstoreLocal(ObstoreContender):
    """``obstore.store.LocalStore(prefix=root)``."""

    name = "obstore LocalStore"

    def make_store(self) -> Any:
        from obstore.store import LocalStore

        return LocalStore(prefix=self.endpoint["root"])


CONTENDERS: dict[str, type[Contender]] = {cls.name: cls for cls in (OursFileSystem, RawOs, Aiofiles, ObstoreLocal)}


def start(stack: ExitStack, profile: Profile) -> Endpoint:
    """Make the shared temporary root folder (removed at the end)."""
    root = stack.enter_context(tempfile.TemporaryDirectory(prefix="lss-bench-fs-"))
    return {"root": str(Path(root).resolve())}


SUITE = SuiteSpec(
    name="filesystem",
    title="Filesystem",
    service="a temporary folder on the local disk (same folder for every contender)",
    ours=OursFileSystem.name,
    peers=(RawOs.name, Aiofiles.name, ObstoreLocal.name),
    size_class="local",
    start=start,
    scenarios=("small", "mid_put", "mid_get", "large_put", "large_get", "copy", "list"),
    targets=(
        Target("large.*.mb_s", ">= 0.8x raw os", peer=RawOs.name, min_ratio=0.8),
        Target("mid.*.mb_s", ">= 0.8x raw os", peer=RawOs.name, min_ratio=0.8),
        Target("large.*.rss_mib", "< 64 MiB", max_value=64.0),
        Target("mid.*.rss_mib", "< 64 MiB", max_value=64.0),
        Target("large.*.lag_max_ms", "< 20 ms", max_value=20.0),
        Target("mid.*.lag_max_ms", "< 20 ms", max_value=20.0),
        Target("small.*.ops_s", ">= 1.0x obstore", peer=ObstoreLocal.name, min_ratio=1.0),
    ),
    notes=(
        "raw os calls run on the event loop and block it for each call (for the whole download: it never"
        " awaits): it is the ceiling for throughput, not a way to serve requests.",
        "aiofiles has no recursive listing: its row runs the raw walk (scandir, a stat per file for the size"
        " every listing reports) in one thread hop, as its users would.",
        "FileSystemStorage writes to a temporary file and renames it into place (atomic); raw os and aiofiles"
        " write in place; obstore LocalStore also renames.",
    ),
)
