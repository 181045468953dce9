"""updated_copy: the hash of the bytes, computed off the loop, the original left as it was."""

from __future__ import annotations

import gc
import hashlib
import weakref

from litestar_storages.hashing import updated_copy


class Chunk(bytearray):
    """A buffer that can be watched with a weak reference."""


async def test_returns_an_updated_copy_and_keeps_the_original() -> None:
    running = hashlib.md5(b"ab", usedforsecurity=False)
    successor = await updated_copy(running, memoryview(b"cd"))
    assert successor.hexdigest() == hashlib.md5(b"abcd", usedforsecurity=False).hexdigest()
    assert running.hexdigest() == hashlib.md5(b"ab", usedforsecurity=False).hexdigest()


async def test_the_buffer_is_not_held_after_hashing() -> None:
    chunk = Chunk(b"x" * 1024)
    watch = weakref.ref(chunk)
    hashing = updated_copy(hashlib.sha256(), chunk)
    del chunk
    result = await hashing
    gc.collect()
    assert watch() is None
    assert result.hexdigest() == hashlib.sha256(b"x" * 1024).hexdigest()
