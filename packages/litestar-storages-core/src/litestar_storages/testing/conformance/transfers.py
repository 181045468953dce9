"""Progress callbacks, URLs and the multipart API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from litestar_storages.base import BaseStorage
from litestar_storages.exceptions import (
    StorageError,
    UnsupportedOperationError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    MIB,
    ConformanceBase,
    _chunks,
    _pattern,
)
from litestar_storages.types import MultipartUpload, ProgressInfo


class TransferTests(ConformanceBase):
    """Progress callbacks, URLs and the multipart API."""

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
        url: str | None = None
        refusal: UnsupportedOperationError | None = None
        try:
            url = await storage.url("upload/target.bin", method="PUT")
        except UnsupportedOperationError as error:
            refusal = error
        if refusal is not None:
            assert refusal.key == "upload/target.bin"
            assert type(storage).__name__ in str(refusal) or getattr(storage, "backend_name", "?") in str(refusal)
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
        assert upload.completed_parts == 3
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
    async def test_a_part_never_uploaded_is_refused(self, storage: Storage) -> None:
        # A saved upload edited by hand (or a forged one) names a part the service never
        # got: a StorageError, never a raw KeyError (a 500 through the plugin) or an object.
        assert isinstance(storage, BaseStorage)
        part_size = 5 * MIB
        upload = await storage.start_multipart_upload("multi/forged.bin", part_size=part_size)
        tag = await storage.upload_part(upload, 1, _pattern(part_size))
        forged = MultipartUpload(upload_id=upload.upload_id, key=upload.key, parts=[(1, tag), (2, tag)])
        with pytest.raises(StorageError):
            await storage.complete_multipart_upload(forged)
        assert not await storage.exists("multi/forged.bin")
        await storage.abort_multipart_upload(upload)

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
