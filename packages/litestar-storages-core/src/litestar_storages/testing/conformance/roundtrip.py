"""Round trips of every size and every kind of input data."""

from __future__ import annotations

import io
import os
import tempfile
from typing import Any

import pytest

from litestar_storages.exceptions import (
    InvalidDataError,
)
from litestar_storages.protocol import Storage
from litestar_storages.testing.conformance.data import (
    ODD_KEYS,
    ConformanceBase,
    _AsyncReader,
    _chunks,
    _pattern,
)


class RoundTripTests(ConformanceBase):
    """Round trips of every size and every kind of input data."""

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
                # A plain blocking file on purpose: put() must move its reads off the loop.
                with open(path, "rb") as file:  # noqa: ASYNC230
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
