"""MemoryStorage behaviour beyond the conformance kit: the seed's size limit, URLs, and how puts are stored."""

import hashlib
import os
import tracemalloc
from collections.abc import AsyncIterator

import pytest

from litestar_storages import MemoryConfig, MemoryStorage, MultipartUpload
from litestar_storages.exceptions import StorageError, StorageValidationError, UnsupportedOperationError


async def test_max_size_rejects_and_stores_nothing() -> None:
    storage = MemoryStorage(config=MemoryConfig(max_size=10))
    await storage.put("a.bin", b"12345")
    with pytest.raises(StorageError, match="max_size"):
        await storage.put("b.bin", b"123456")
    assert not await storage.exists("b.bin")
    with pytest.raises(StorageError):
        await storage.put("c.bin", iter([b"1" * 4, b"1" * 20]))
    assert not await storage.exists("c.bin")


async def test_max_size_counts_replacement_and_deletion() -> None:
    storage = MemoryStorage(MemoryConfig(max_size=10))
    await storage.put("a.bin", b"1234567890")
    await storage.put("a.bin", b"0987654321")
    await storage.delete("a.bin")
    await storage.put("b.bin", b"1234567890")
    await storage.move("b.bin", "c.bin")
    await storage.copy("c.bin", "c.bin")
    with pytest.raises(StorageError):
        await storage.copy("c.bin", "d.bin")


async def test_memory_urls() -> None:
    storage = MemoryStorage()
    assert await storage.url("test.txt") == "memory://test.txt"
    assert await storage.url("a b/c.txt") == "memory://a%20b/c.txt"
    with pytest.raises(UnsupportedOperationError, match="MemoryStorage"):
        await storage.url("test.txt", method="PUT")


async def test_get_yields_single_chunk() -> None:
    storage = MemoryStorage()
    await storage.put("x.bin", b"x" * 100_000)
    chunks = [chunk async for chunk in storage.get("x.bin")]
    assert len(chunks) == 1


MiB = 1024 * 1024


async def _stream(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


async def test_put_bytes_is_stored_without_copy() -> None:
    storage = MemoryStorage()
    data = os.urandom(2 * MiB)
    stored = await storage.put("x.bin", data)
    chunks = [chunk async for chunk in storage.get("x.bin")]
    assert len(chunks) == 1
    assert chunks[0] is data
    assert stored.etag == _md5(data)


async def test_put_mutable_input_is_copied() -> None:
    storage = MemoryStorage()
    data = bytearray(b"before")
    await storage.put("x.bin", data)
    data[:] = b"after!"
    assert await storage.get_bytes("x.bin") == b"before"


async def test_streamed_put_keeps_its_chunks_and_hashes_them_all() -> None:
    storage = MemoryStorage()
    chunks = [os.urandom(MiB) for _ in range(5)] + [os.urandom(1000)]
    stored = await storage.put("x.bin", _stream(chunks))
    received = [chunk async for chunk in storage.get("x.bin")]
    # The big chunks are handed back as the very objects received: never copied.
    assert all(got is sent for got, sent in zip(received[:5], chunks[:5], strict=True))
    assert b"".join(received) == b"".join(chunks)
    assert stored.etag == _md5(b"".join(chunks))
    assert (await storage.info("x.bin")).etag == stored.etag


async def test_streamed_put_memory_peak_is_one_copy() -> None:
    storage = MemoryStorage()
    size = 32 * MiB
    block = os.urandom(MiB)

    async def fresh_chunks() -> AsyncIterator[bytes]:
        for _ in range(size // MiB):
            yield bytes(bytearray(block))  # a new object each, like a network body

    tracemalloc.start()
    try:
        await storage.put("big.bin", fresh_chunks())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Gathering into a bytearray and then bytes() peaked at twice the object's size.
    assert peak < size * 1.1, f"peak {peak / MiB:.1f} MiB for a {size // MiB} MiB object"


async def test_tiny_chunks_are_gathered_into_pieces() -> None:
    storage = MemoryStorage()
    chunks = [bytes([i % 251]) * 10 for i in range(20_000)]
    stored = await storage.put("tiny.bin", iter(chunks))
    received = [chunk async for chunk in storage.get("tiny.bin")]
    assert len(received) <= 4
    assert b"".join(received) == b"".join(chunks)
    assert stored.size == 200_000
    assert stored.etag == _md5(b"".join(chunks))


async def test_ranges_across_piece_boundaries() -> None:
    storage = MemoryStorage()
    sizes = (64 * 1024, 300 * 1024, 65 * 1024 + 7)
    chunks = [os.urandom(n) for n in sizes]
    data = b"".join(chunks)
    await storage.put("r.bin", _stream(chunks))
    edges = [0, 1, sizes[0] - 1, sizes[0], sizes[0] + 1, sizes[0] + sizes[1], len(data) - 1, len(data), len(data) + 5]
    for start in edges:
        for end in edges:
            if end < start:
                continue
            got = [chunk async for chunk in storage.get("r.bin", start=start, end=end)]
            assert all(got), "no empty chunks"
            assert b"".join(got) == data[start:end], (start, end)


async def test_failing_stream_with_hash_in_flight_keeps_previous() -> None:
    storage = MemoryStorage()
    await storage.put("f.bin", b"previous")

    class Broken(Exception):
        pass

    async def failing() -> AsyncIterator[bytes]:
        yield os.urandom(MiB)
        yield os.urandom(MiB)
        raise Broken

    with pytest.raises(Broken):
        await storage.put("f.bin", failing())
    assert await storage.get_bytes("f.bin") == b"previous"
    assert (await storage.info("f.bin")).etag == _md5(b"previous")


async def test_multipart_etag_is_md5_of_the_whole() -> None:
    storage = MemoryStorage()
    parts = [os.urandom(MiB), os.urandom(1000)]
    upload = await storage.start_multipart_upload("m.bin")
    for number, part in enumerate(parts, 1):
        await storage.upload_part(upload, number, part)
    stored = await storage.complete_multipart_upload(upload)
    assert stored.size == MiB + 1000
    assert stored.etag == _md5(b"".join(parts))
    assert await storage.get_bytes("m.bin") == b"".join(parts)


async def test_move_renames_keeping_the_object() -> None:
    storage = MemoryStorage()
    stored = await storage.put("a.bin", b"content", metadata={"owner": "me"})
    moved = await storage.move("a.bin", "b.bin")
    assert (moved.key, moved.etag, moved.last_modified, moved.metadata) == (
        "b.bin",
        stored.etag,
        stored.last_modified,
        {"owner": "me"},
    )
    assert [file.key async for file in storage.list()] == ["b.bin"]


async def test_resumed_upload_keeps_the_type_and_metadata_it_started_with() -> None:
    storage = MemoryStorage()
    started = await storage.start_multipart_upload("r.data", content_type="text/csv", metadata={"rows": "2"})
    await storage.upload_part(started, 1, b"a,b\n")
    # Rebuilt from saved state, without content type or metadata: as on S3, the object
    # gets what the upload started with.
    resumed = MultipartUpload(upload_id=started.upload_id, key=started.key, parts=started.parts)
    await storage.upload_part(resumed, 2, b"c,d\n")
    stored = await storage.complete_multipart_upload(resumed)
    assert (stored.content_type, stored.metadata, stored.size) == ("text/csv", {"rows": "2"}, 8)
    with pytest.raises(StorageError, match="in progress"):
        await storage.complete_multipart_upload(resumed)


async def test_a_part_not_uploaded_is_refused_and_the_upload_kept() -> None:
    storage = MemoryStorage()
    upload = await storage.start_multipart_upload("p.bin")
    await storage.upload_part(upload, 1, b"one")
    upload.add_part(2, "never-sent")
    with pytest.raises(StorageError, match="Part 2"):
        await storage.complete_multipart_upload(upload)
    assert not await storage.exists("p.bin")
    upload.parts.pop()
    assert (await storage.complete_multipart_upload(upload)).size == 3


async def test_listing_follows_writes_and_deletes_across_pages() -> None:
    storage = MemoryStorage()
    keys = [f"k/{n:05}" for n in range(2500)]  # three pages of the engine's listing
    for key in keys:
        await storage.put(key, b"")
    seen: list[str] = []
    async for file in storage.list("k/"):
        if not seen:
            await storage.delete(keys[-1])  # on the last page, not listed yet
        seen.append(file.key)
    assert seen == keys[:-1]
    await storage.put("k/00000a", b"")
    await storage.move("k/00001", "j/1")
    listed = [file.key async for file in storage.list("k/", limit=3)]
    assert listed == ["k/00000", "k/00000a", "k/00002"]


async def test_put_large_part_size_checked_as_on_every_backend() -> None:
    storage = MemoryStorage()
    with pytest.raises(StorageValidationError, match="part_size"):
        await storage.put_large("x.bin", b"x", part_size=0)
    stored = await storage.put_large("x.bin", b"x" * 10, part_size=5 * 1024 * 1024)
    assert stored.size == 10
