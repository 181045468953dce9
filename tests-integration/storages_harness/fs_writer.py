"""A process that overwrites one key with FileSystemStorage until it is killed.

Run as ``python fs_writer.py ROOT KEY FIRST_GENERATION``. Each version's content is
derived from its generation number (see :func:`version`), so a reader can tell a
complete version from a torn one. Prints ``ready`` once the storage is open.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

SIZE = 3 * 1024 * 1024 + 17
CHUNK = 64 * 1024


def version(generation: int, size: int = SIZE) -> bytes:
    """The complete content of ``generation``: a header naming it, then its pattern."""
    header = f"generation={generation:08d};".encode()
    block = bytes((i * 31 + generation) % 256 for i in range(4096))
    body = (block * (size // len(block) + 1))[: size - len(header)]
    return header + body


def generation_of(content: bytes) -> int:
    """Read the generation a content claims to be (from its header)."""
    return int(content[len("generation=") : len("generation=") + 8])


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), CHUNK):
        yield data[offset : offset + CHUNK]
        # A slow producer keeps each write open long enough for most kills to land in it.
        await asyncio.sleep(0.002)


async def _write_forever(root: Path, key: str, generation: int) -> None:
    from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage

    storage = FileSystemStorage(FileSystemConfig(path=root))
    print("ready", flush=True)
    while True:
        await storage.put(key, _chunks(version(generation)), metadata={"generation": str(generation)})
        generation += 1


if __name__ == "__main__":
    asyncio.run(_write_forever(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
