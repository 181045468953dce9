"""The conformance suite: every behaviour of the ``Storage`` protocol, written once.

Each backend's tests subclass :class:`StorageConformance` and override the ``storage``
fixture; nothing else changes per backend. The fixture must yield an *empty* storage
(a fresh folder, bucket or prefix per test).
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest

from litestar_storages.base import BaseStorage
from litestar_storages.exceptions import (
    InvalidDataError,
    InvalidKeyError,
    InvalidMetadataError,
    InvalidRangeError,
    StorageError,
    StorageFileExistsError,
    StorageFileNotFoundError,
    StorageValidationError,
    UnsupportedOperationError,
)
from litestar_storages.protocol import Storage
from litestar_storages.types import ProgressInfo, StoredFile

__all__ = ("BAD_KEYS", "StorageConformance")

MIB = 1024 * 1024

BAD_KEYS: tuple[str, ...] = (
    "",
    "/absolute.txt",
    "../escape.txt",
    "a/../../escape.txt",
    "a/./b.txt",
    "trailing/",
    "double//slash.txt",
    "back\\slash.txt",
    "nul\x00byte.txt",
    "new\nline.txt",
    "tab\there.txt",
    "x" * 1025,
    "é" * 513,
)
"""Keys every backend must reject with :class:`InvalidKeyError`."""

ODD_KEYS: tuple[str, ...] = (
    "with space.txt",
    "ünïcödé/文件.bin",
    "percent%20encoded.txt",
    "query?and#hash.txt",
    "plus+sign&amp=.txt",
    "dots...in..names.txt",
    ".hidden",
    "a/b/c/d/e/f/deep.txt",
    "emoji-😀.txt",
)
"""Legal but awkward keys every backend must store and list back unchanged."""


class _Boom(Exception):
    """Raised by the failing input streams of the kit."""


async def _chunks(data: bytes, sizes: tuple[int, ...] = (1, 7, 4093, 65537, 1000003)) -> AsyncIterator[bytes]:
    position, index = 0, 0
    while position < len(data):
        size = sizes[index % len(sizes)]
        yield data[position : position + size]
        position += size
        index += 1
        await asyncio.sleep(0)


async def _failing(prefix: bytes) -> AsyncIterator[bytes]:
    yield prefix
    raise _Boom("input stream failed")


class _AsyncReader:
    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


def _pattern(size: int) -> bytes:
    block = bytes(range(256)) * 4096
    repeats, rest = divmod(size, len(block))
    return block * repeats + block[:rest]


class StorageConformance:
    """Every behaviour of the ``Storage`` protocol, as pytest tests.

    Override the ``storage`` fixture; optionally set :attr:`large_size` to the size
    above which your backend switches to multipart uploads so that path is covered.
    """

    large_size: ClassVar[int] = 5 * MIB + 12345
    """Size of the "large" streamed round trip and of the failing large upload."""

    @pytest.fixture
    def storage(self) -> Storage:
        """Yield an empty storage; every backend's test class overrides this."""
        raise NotImplementedError("Override the `storage` fixture in your StorageConformance subclass")

    # -- round trips ------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("size", [0, 1, 256, 4096 + 3])
    async def test_round_trip_sizes(self, storage: Storage, size: int) -> None:
        data = _pattern(size)
        stored = await storage.put(f"sized/{size}.bin", data)
        assert stored.key == f"sized/{size}.bin"
        assert stored.size == size
        assert await storage.get_bytes(f"sized/{size}.bin") == data
        assert b"".join([c async for c in storage.get(f"sized/{size}.bin")]) == data

    @pytest.mark.asyncio
    async def test_round_trip_all_byte_values(self, storage: Storage) -> None:
        data = bytes(range(256)) * 3
        await storage.put("binary.bin", data)
        assert await storage.get_bytes("binary.bin") == data

    @pytest.mark.asyncio
    async def test_large_stream_in_odd_chunks(self, storage: Storage) -> None:
        data = _pattern(self.large_size)
        stored = await storage.put("large/stream.bin", _chunks(data))
        assert stored.size == len(data)
        received = bytearray()
        chunk_count = 0
        async for chunk in storage.get("large/stream.bin"):
            assert isinstance(chunk, bytes)
            received += chunk
            chunk_count += 1
        assert bytes(received) == data
        info = await storage.info("large/stream.bin")
        assert info.size == len(data)

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "kind", ["bytes", "bytearray", "memoryview", "async-iter", "sync-iter", "bytesio", "file", "async-read"]
    )
    async def test_put_accepts_every_data_kind(self, storage: Storage, kind: str) -> None:
        data = _pattern(70000)
        source: Any
        if kind == "bytes":
            source = data
        elif kind == "bytearray":
            source = bytearray(data)
        elif kind == "memoryview":
            source = memoryview(data)
        elif kind == "async-iter":
            source = _chunks(data)
        elif kind == "sync-iter":
            source = iter([data[:10], data[10:50000], data[50000:]])
        elif kind == "bytesio":
            source = io.BytesIO(data)
        elif kind == "async-read":
            source = _AsyncReader(data)
        else:
            handle, path = tempfile.mkstemp()
            os.write(handle, data)
            os.close(handle)
            try:
                with open(path, "rb") as file:
                    stored = await storage.put(f"kinds/{kind}", file)
            finally:
                os.unlink(path)
            assert stored.size == len(data)
            assert await storage.get_bytes(f"kinds/{kind}") == data
            return
        stored = await storage.put(f"kinds/{kind}", source)
        assert stored.size == len(data)
        assert await storage.get_bytes(f"kinds/{kind}") == data

    @pytest.mark.asyncio
    @pytest.mark.parametrize("bad", ["text", 42, None, object()])
    async def test_put_rejects_other_data(self, storage: Storage, bad: object) -> None:
        with pytest.raises(InvalidDataError):
            await storage.put("bad-data.bin", bad)  # type: ignore[arg-type]
        assert not await storage.exists("bad-data.bin")

    @pytest.mark.asyncio
    @pytest.mark.parametrize("key", ODD_KEYS)
    async def test_odd_keys_round_trip_and_list(self, storage: Storage, key: str) -> None:
        await storage.put(key, key.encode())
        assert await storage.exists(key)
        assert await storage.get_bytes(key) == key.encode()
        assert [item.key async for item in storage.list()] == [key]
        assert (await storage.info(key)).key == key
        await storage.delete(key)
        assert not await storage.exists(key)

    # -- metadata and content type -----------------------------------------------------

    @pytest.mark.asyncio
    async def test_put_returns_metadata(self, storage: Storage) -> None:
        stored = await storage.put("meta/doc.txt", b"hello", content_type="text/plain")
        assert isinstance(stored, StoredFile)
        assert stored.key == "meta/doc.txt"
        assert stored.size == 5
        assert stored.content_type == "text/plain"
        assert stored.etag
        info = await storage.info("meta/doc.txt")
        assert info.key == "meta/doc.txt"
        assert info.size == 5
        assert info.content_type == "text/plain"
        assert info.etag == stored.etag
        assert isinstance(info.last_modified, datetime)
        assert info.last_modified.tzinfo is not None

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("key", "expected"),
        [("photo.jpg", "image/jpeg"), ("page.html", "text/html"), ("data.json", "application/json"),
         ("blob.unknownext", "application/octet-stream"), ("noextension", "application/octet-stream")],
    )
    async def test_content_type_inferred(self, storage: Storage, key: str, expected: str) -> None:
        stored = await storage.put(key, b"x")
        assert stored.content_type == expected
        assert (await storage.info(key)).content_type == expected

    @pytest.mark.asyncio
    async def test_custom_metadata_round_trip(self, storage: Storage) -> None:
        metadata = {"author": "Ada", "x-trace-id": "abc-123", "note": "ünïcödé, spaces and = signs"}
        await storage.put("meta/custom.bin", b"data", metadata=metadata)
        info = await storage.info("meta/custom.bin")
        assert info.metadata == metadata

    @pytest.mark.asyncio
    async def test_metadata_names_are_lowercased(self, storage: Storage) -> None:
        await storage.put("meta/case.bin", b"data", metadata={"Author": "Ada"})
        assert (await storage.info("meta/case.bin")).metadata == {"author": "Ada"}

    @pytest.mark.asyncio
    async def test_metadata_is_copied(self, storage: Storage) -> None:
        metadata = {"version": "1"}
        await storage.put("meta/copied.bin", b"data", metadata=metadata)
        metadata["version"] = "2"
        info = await storage.info("meta/copied.bin")
        assert info.metadata == {"version": "1"}
        info.metadata["version"] = "3"
        assert (await storage.info("meta/copied.bin")).metadata == {"version": "1"}

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        "metadata",
        [{"bad": "line\nbreak"}, {"bad": "carriage\rreturn"}, {"na\nme": "x"}, {"nämé": "x"}, {"": "x"},
         {"has space": "x"}, {"key": 1}],
    )
    async def test_bad_metadata_rejected(self, storage: Storage, metadata: dict[str, Any]) -> None:
        with pytest.raises(InvalidMetadataError):
            await storage.put("meta/bad.bin", b"data", metadata=metadata)
        assert not await storage.exists("meta/bad.bin")

    @pytest.mark.asyncio
    async def test_bad_content_type_rejected(self, storage: Storage) -> None:
        with pytest.raises(InvalidMetadataError):
            await storage.put("meta/bad-type.bin", b"data", content_type="text/plain\r\nX-Injected: 1")
        assert not await storage.exists("meta/bad-type.bin")

    @pytest.mark.asyncio
    async def test_etag_changes_with_content(self, storage: Storage) -> None:
        first = await storage.put("etag.txt", b"one")
        assert (await storage.info("etag.txt")).etag == first.etag
        second = await storage.put("etag.txt", b"two")
        assert second.etag != first.etag
        assert (await storage.info("etag.txt")).etag == second.etag

    # -- overwrite ------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_overwrite_replaces_by_default(self, storage: Storage) -> None:
        await storage.put("over.txt", b"old", metadata={"v": "1"})
        await storage.put("over.txt", b"new content")
        assert await storage.get_bytes("over.txt") == b"new content"
        info = await storage.info("over.txt")
        assert info.size == 11
        assert info.metadata == {}

    @pytest.mark.asyncio
    async def test_overwrite_false_refuses_existing(self, storage: Storage) -> None:
        await storage.put("keep.txt", b"original")
        with pytest.raises(StorageFileExistsError) as caught:
            await storage.put("keep.txt", b"replacement", overwrite=False)
        assert caught.value.key == "keep.txt"
        assert await storage.get_bytes("keep.txt") == b"original"
        with pytest.raises(StorageFileExistsError):
            await storage.put("keep.txt", _chunks(b"streamed replacement"), overwrite=False)
        assert await storage.get_bytes("keep.txt") == b"original"

    @pytest.mark.asyncio
    async def test_overwrite_false_creates_new(self, storage: Storage) -> None:
        await storage.put("fresh.txt", b"first", overwrite=False)
        assert await storage.get_bytes("fresh.txt") == b"first"

    @pytest.mark.asyncio
    async def test_overwrite_false_concurrent_single_winner(self, storage: Storage) -> None:
        async def attempt(index: int) -> int | None:
            try:
                await storage.put("race.txt", f"writer-{index}".encode(), overwrite=False)
            except StorageFileExistsError:
                return None
            return index

        results = await asyncio.gather(*(attempt(i) for i in range(8)))
        winners = [r for r in results if r is not None]
        assert len(winners) == 1
        assert await storage.get_bytes("race.txt") == f"writer-{winners[0]}".encode()

    # -- failing input ---------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("size", ["small", "large"])
    async def test_failing_stream_stores_nothing(self, storage: Storage, size: str) -> None:
        prefix = b"partial" if size == "small" else _pattern(self.large_size + MIB)
        with pytest.raises(_Boom):
            await storage.put("failed/new.bin", _failing(prefix))
        assert not await storage.exists("failed/new.bin")
        assert [item.key async for item in storage.list("failed/")] == []

    @pytest.mark.asyncio
    async def test_failing_stream_keeps_previous_version(self, storage: Storage) -> None:
        await storage.put("failed/existing.bin", b"previous", metadata={"v": "1"})
        with pytest.raises(_Boom):
            await storage.put("failed/existing.bin", _failing(b"half of the new"))
        assert await storage.get_bytes("failed/existing.bin") == b"previous"
        assert (await storage.info("failed/existing.bin")).metadata == {"v": "1"}

    # -- ranges ----------------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("start", "end"),
        [(None, None), (0, 10), (10, None), (None, 10), (100, 200), (250, 1000), (256, 300), (5000, None),
         (7, 7), (0, 0)],
    )
    async def test_ranges(self, storage: Storage, start: int | None, end: int | None) -> None:
        data = bytes(range(256))
        await storage.put("range.bin", data)
        expected = data[(start or 0) : end]
        assert await storage.get_bytes("range.bin", start=start, end=end) == expected
        assert b"".join([c async for c in storage.get("range.bin", start=start, end=end)]) == expected

    @pytest.mark.asyncio
    async def test_range_of_large_object(self, storage: Storage) -> None:
        data = _pattern(3 * MIB + 17)
        await storage.put("range-large.bin", data)
        assert await storage.get_bytes("range-large.bin", start=MIB + 5, end=2 * MIB + 9) == data[MIB + 5 : 2 * MIB + 9]

    @pytest.mark.asyncio
    @pytest.mark.parametrize(("start", "end"), [(-1, None), (None, -5), (10, 5), (3, 2)])
    async def test_invalid_ranges_rejected(self, storage: Storage, start: int | None, end: int | None) -> None:
        await storage.put("range-bad.bin", b"0123456789abcdef")
        with pytest.raises(InvalidRangeError):
            await storage.get_bytes("range-bad.bin", start=start, end=end)

    # -- listing -------------------------------------------------------------------------

    async def _populate(self, storage: Storage) -> list[str]:
        keys = ["a.txt", "b/1.txt", "b/2.txt", "b/sub/3.txt", "ba.txt", "c/4.txt", "photos/cat.jpg", "photos/car.png"]
        for key in reversed(keys):
            await storage.put(key, key.encode())
        return sorted(keys)

    @pytest.mark.asyncio
    async def test_list_everything_sorted(self, storage: Storage) -> None:
        keys = await self._populate(storage)
        listed = [item async for item in storage.list()]
        assert [item.key for item in listed] == keys
        for item in listed:
            assert item.size == len(item.key.encode())

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [("b/", ["b/1.txt", "b/2.txt", "b/sub/3.txt"]), ("b", ["b/1.txt", "b/2.txt", "b/sub/3.txt", "ba.txt"]),
         ("photos/ca", ["photos/car.png", "photos/cat.jpg"]), ("b/sub/", ["b/sub/3.txt"]), ("zzz", []),
         ("a.txt", ["a.txt"])],
    )
    async def test_list_prefix(self, storage: Storage, prefix: str, expected: list[str]) -> None:
        await self._populate(storage)
        assert [item.key async for item in storage.list(prefix)] == expected

    @pytest.mark.asyncio
    async def test_list_limit(self, storage: Storage) -> None:
        keys = await self._populate(storage)
        assert [item.key async for item in storage.list(limit=3)] == keys[:3]
        assert [item.key async for item in storage.list("b/", limit=2)] == ["b/1.txt", "b/2.txt"]
        assert [item.key async for item in storage.list(limit=0)] == []
        assert [item.key async for item in storage.list(limit=100)] == keys

    @pytest.mark.asyncio
    async def test_list_empty(self, storage: Storage) -> None:
        assert [item async for item in storage.list()] == []

    @pytest.mark.asyncio
    async def test_list_rejects_bad_arguments(self, storage: Storage) -> None:
        with pytest.raises(StorageValidationError):
            [item async for item in storage.list(limit=-1)]
        for prefix in ("/abs", "../up", "a/../b", "nul\x00"):
            with pytest.raises(InvalidKeyError):
                [item async for item in storage.list(prefix)]

    # -- copy and move ---------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_copy_keeps_content_and_metadata(self, storage: Storage) -> None:
        await storage.put("src/file.dat", b"payload", content_type="text/csv", metadata={"owner": "ada"})
        copied = await storage.copy("src/file.dat", "dst/file.dat")
        assert copied.key == "dst/file.dat"
        assert copied.size == 7
        assert await storage.get_bytes("dst/file.dat") == b"payload"
        assert await storage.get_bytes("src/file.dat") == b"payload"
        info = await storage.info("dst/file.dat")
        assert info.content_type == "text/csv"
        assert info.metadata == {"owner": "ada"}

    @pytest.mark.asyncio
    async def test_copy_replaces_destination(self, storage: Storage) -> None:
        await storage.put("src.txt", b"new")
        await storage.put("dst.txt", b"old content", metadata={"old": "1"})
        await storage.copy("src.txt", "dst.txt")
        assert await storage.get_bytes("dst.txt") == b"new"
        assert (await storage.info("dst.txt")).metadata == {}

    @pytest.mark.asyncio
    async def test_move_keeps_content_and_metadata(self, storage: Storage) -> None:
        await storage.put("old/name.bin", b"moving", content_type="image/png", metadata={"k": "v"})
        moved = await storage.move("old/name.bin", "new/name.bin")
        assert moved.key == "new/name.bin"
        assert not await storage.exists("old/name.bin")
        assert await storage.get_bytes("new/name.bin") == b"moving"
        info = await storage.info("new/name.bin")
        assert info.content_type == "image/png"
        assert info.metadata == {"k": "v"}
        assert [item.key async for item in storage.list()] == ["new/name.bin"]

    @pytest.mark.asyncio
    async def test_move_onto_itself_keeps_file(self, storage: Storage) -> None:
        await storage.put("same.txt", b"stay")
        await storage.move("same.txt", "same.txt")
        assert await storage.get_bytes("same.txt") == b"stay"

    # -- missing keys ------------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("operation", ["get", "get_bytes", "info", "delete", "copy", "move"])
    async def test_missing_key_raises_not_found(self, storage: Storage, operation: str) -> None:
        with pytest.raises(StorageFileNotFoundError) as caught:
            if operation == "get":
                [chunk async for chunk in storage.get("missing.txt")]
            elif operation in {"copy", "move"}:
                await getattr(storage, operation)("missing.txt", "elsewhere.txt")
            else:
                await getattr(storage, operation)("missing.txt")
        assert caught.value.key == "missing.txt"
        assert isinstance(caught.value, FileNotFoundError)
        assert not await storage.exists("elsewhere.txt")

    @pytest.mark.asyncio
    async def test_exists_and_delete(self, storage: Storage) -> None:
        assert not await storage.exists("gone.txt")
        await storage.put("gone.txt", b"x")
        assert await storage.exists("gone.txt")
        await storage.delete("gone.txt")
        assert not await storage.exists("gone.txt")
        await storage.delete("gone.txt", missing_ok=True)
        with pytest.raises(StorageFileNotFoundError):
            await storage.delete("gone.txt")

    @pytest.mark.asyncio
    async def test_folder_is_not_a_key(self, storage: Storage) -> None:
        await storage.put("folder/inner.txt", b"x")
        assert not await storage.exists("folder")
        with pytest.raises(StorageFileNotFoundError):
            await storage.info("folder")
        with pytest.raises(StorageFileNotFoundError):
            await storage.delete("folder")
        assert await storage.exists("folder/inner.txt")

    @pytest.mark.asyncio
    async def test_delete_many(self, storage: Storage) -> None:
        for key in ("m/1", "m/2", "m/3", "keep"):
            await storage.put(key, b"x")
        await storage.delete_many(["m/1", "m/2", "m/3", "m/not-there"])
        assert [item.key async for item in storage.list()] == ["keep"]
        with pytest.raises(InvalidKeyError):
            await storage.delete_many(["keep", "../bad"])
        assert await storage.exists("keep")

    # -- invalid keys ----------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("key", BAD_KEYS, ids=lambda key: repr(key[:20]))
    async def test_invalid_keys_rejected_everywhere(self, storage: Storage, key: str) -> None:
        await storage.put("valid.txt", b"x")
        operations = {
            "put": lambda: storage.put(key, b"x"),
            "get_bytes": lambda: storage.get_bytes(key),
            "info": lambda: storage.info(key),
            "exists": lambda: storage.exists(key),
            "delete": lambda: storage.delete(key),
            "url": lambda: storage.url(key),
            "copy-from": lambda: storage.copy(key, "valid-copy.txt"),
            "copy-to": lambda: storage.copy("valid.txt", key),
            "move-from": lambda: storage.move(key, "valid-moved.txt"),
            "move-to": lambda: storage.move("valid.txt", key),
        }
        for name, operation in operations.items():
            with pytest.raises(InvalidKeyError):
                await operation()
                pytest.fail(f"{name} accepted {key!r}")
        with pytest.raises(InvalidKeyError):
            [chunk async for chunk in storage.get(key)]
        assert [item.key async for item in storage.list()] == ["valid.txt"]

    # -- progress --------------------------------------------------------------------------

    @pytest.mark.asyncio
    @pytest.mark.parametrize("style", ["sync", "async"])
    async def test_progress_callbacks(self, storage: Storage, style: str) -> None:
        data = _pattern(300_000)
        reports: list[ProgressInfo] = []

        if style == "sync":
            def callback(info: ProgressInfo) -> None:
                reports.append(info)
        else:
            async def callback(info: ProgressInfo) -> None:  # type: ignore[misc]
                await asyncio.sleep(0)
                reports.append(info)

        await storage.put("progress.bin", _chunks(data), progress=callback)
        uploads = [r for r in reports if r.operation == "upload"]
        assert uploads, "no upload progress reported"
        assert all(r.key == "progress.bin" for r in uploads)
        assert [r.bytes_transferred for r in uploads] == sorted(r.bytes_transferred for r in uploads)
        assert uploads[-1].bytes_transferred == len(data)

        reports.clear()
        received = b"".join([c async for c in storage.get("progress.bin", progress=callback)])
        assert received == data
        downloads = [r for r in reports if r.operation == "download"]
        assert downloads, "no download progress reported"
        assert downloads[-1].bytes_transferred == len(data)
        assert downloads[-1].total_bytes == len(data)
        assert downloads[-1].percentage == 100.0

    @pytest.mark.asyncio
    async def test_upload_progress_knows_total_for_bytes(self, storage: Storage) -> None:
        reports: list[ProgressInfo] = []
        await storage.put("progress-total.bin", b"x" * 1000, progress=reports.append)
        assert reports[-1].total_bytes == 1000
        assert reports[-1].percentage == 100.0

    # -- URLs ------------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_url(self, storage: Storage) -> None:
        await storage.put("linked/file name.txt", b"x")
        url = await storage.url("linked/file name.txt")
        assert isinstance(url, str)
        assert url
        assert " " not in url
        expiring = await storage.url("linked/file name.txt", expires_in=timedelta(minutes=5))
        assert isinstance(expiring, str)

    @pytest.mark.asyncio
    async def test_upload_url_or_clear_refusal(self, storage: Storage) -> None:
        try:
            url = await storage.url("upload/target.bin", method="PUT")
        except UnsupportedOperationError as error:
            assert error.key == "upload/target.bin"
        else:
            assert isinstance(url, str)
            assert url

    # -- multipart -------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_manual_multipart_upload(self, storage: Storage) -> None:
        assert isinstance(storage, BaseStorage)
        part_size = 5 * MIB
        data = _pattern(2 * part_size + 1234)
        upload = await storage.start_multipart_upload(
            "multi/file.bin", content_type="application/x-test", metadata={"parts": "3"}, part_size=part_size
        )
        for number, start in enumerate(range(0, len(data), part_size), start=1):
            etag = await storage.upload_part(upload, number, data[start : start + part_size])
            assert etag
        assert upload.total_parts == 3
        stored = await storage.complete_multipart_upload(upload)
        assert stored.size == len(data)
        assert await storage.get_bytes("multi/file.bin") == data
        info = await storage.info("multi/file.bin")
        assert info.content_type == "application/x-test"
        assert info.metadata == {"parts": "3"}

    @pytest.mark.asyncio
    async def test_aborted_multipart_leaves_nothing(self, storage: Storage) -> None:
        assert isinstance(storage, BaseStorage)
        upload = await storage.start_multipart_upload("multi/aborted.bin")
        await storage.upload_part(upload, 1, _pattern(5 * MIB))
        await storage.abort_multipart_upload(upload)
        assert not await storage.exists("multi/aborted.bin")
        with pytest.raises(StorageError):
            await storage.complete_multipart_upload(upload)
        assert not await storage.exists("multi/aborted.bin")

    @pytest.mark.asyncio
    async def test_put_large(self, storage: Storage) -> None:
        assert isinstance(storage, BaseStorage)
        data = _pattern(self.large_size)
        reports: list[ProgressInfo] = []
        stored = await storage.put_large(
            "multi/large.bin", _chunks(data), content_type="video/mp4", progress_callback=reports.append
        )
        assert stored.size == len(data)
        assert await storage.get_bytes("multi/large.bin") == data
        assert (await storage.info("multi/large.bin")).content_type == "video/mp4"
        assert reports[-1].bytes_transferred == len(data)

    # -- concurrency and lifecycle -----------------------------------------------------------

    @pytest.mark.asyncio
    async def test_concurrent_operations_do_not_cross(self, storage: Storage) -> None:
        async def worker(index: int) -> None:
            key = f"concurrent/{index:03d}.bin"
            payload = f"payload-{index}-".encode() * (index + 1)
            await storage.put(key, payload, metadata={"index": str(index)})
            assert await storage.get_bytes(key) == payload
            assert (await storage.info(key)).metadata == {"index": str(index)}

        await asyncio.gather(*(worker(i) for i in range(32)))
        listed = [item.key async for item in storage.list("concurrent/")]
        assert listed == [f"concurrent/{i:03d}.bin" for i in range(32)]

    @pytest.mark.asyncio
    async def test_satisfies_protocol(self, storage: Storage) -> None:
        assert isinstance(storage, Storage)

    @pytest.mark.asyncio
    async def test_close_is_idempotent(self, storage: Storage) -> None:
        await storage.put("before-close.txt", b"x")
        await storage.close()
        await storage.close()

    @pytest.mark.asyncio
    async def test_usable_after_close(self, storage: Storage) -> None:
        await storage.put("reopen.txt", b"before")
        await storage.close()
        await storage.put("reopen.txt", b"after")
        assert await storage.get_bytes("reopen.txt") == b"after"

    @pytest.mark.asyncio
    async def test_async_context_manager(self, storage: Storage) -> None:
        async with storage as entered:
            assert entered is storage
            await entered.put("ctx.txt", b"x")
            assert await entered.exists("ctx.txt")

