"""Mechanics of the filesystem backend, counted: ``hatch run bench:mechanics``.

The unit tests assert behaviour (right bytes, flat memory, a free event loop); how the
backend gets there (thread hops per operation, ``mimetypes`` calls, failed syscalls,
page-cache probes) is measured here, where a change shows as a number in a table rather
than as a failing test. Each row has the count measured on this run and the budget the
design aims for; a row over its budget is marked, and ``--strict`` turns that into exit
status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import mimetypes
import os
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage, listing, metadata, reads
from litestar_storages.backends.filesystem import names as names_module
from litestar_storages.backends.filesystem.call_queue import CallQueue

MIB = 1024 * 1024


@dataclass(frozen=True)
class Row:
    """One measured count and the budget it is compared with."""

    what: str
    count: int
    budget: int
    detail: str = ""

    @property
    def within(self) -> bool:
        return self.count <= self.budget


@contextmanager
def count_hops() -> Iterator[list[str]]:
    """Record the name of every function the running loop hands to a worker thread."""
    loop = asyncio.get_running_loop()
    original = loop.run_in_executor
    calls: list[str] = []

    def counting(executor: Executor | None, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        target = getattr(func, "func", func)  # functools.partial, context.run wrappers
        calls.append(getattr(target, "__name__", repr(target)))
        return original(executor, func, *args)

    with mock.patch.object(loop, "run_in_executor", counting):
        yield calls


async def _stream(count: int, size: int, *, pause: float = 0.0) -> AsyncIterator[bytes]:
    for index in range(count):
        if pause:
            await asyncio.sleep(pause)  # a network upload: the disk idles between chunks
        yield bytes([index % 256]) * size


async def _hops(action: Callable[[], Awaitable[object]]) -> list[str]:
    with count_hops() as hops:
        await action()
    return hops


async def small_operations(root: Path) -> list[Row]:
    """Thread hops of one small operation each (budget: one)."""
    storage = FileSystemStorage(FileSystemConfig(path=root / "small"))
    await storage.put("warm.txt", b"x")  # the root is resolved once, on first use
    await storage.put("existing.bin", b"k" * 1024)
    actions: dict[str, Callable[[], Awaitable[object]]] = {
        "put 1 KiB bytes": lambda: storage.put("small.bin", b"k" * 1024),
        "put 1 KiB stream (2 chunks)": lambda: storage.put("small.bin", _stream(2, 512)),
        "put with metadata, overwrite=False": lambda: storage.put(
            "new.bin", b"k", metadata={"a": "b"}, content_type="x/y", overwrite=False
        ),
        "get_bytes 1 KiB": lambda: storage.get_bytes("existing.bin"),
        "info": lambda: storage.info("existing.bin"),
        "exists": lambda: storage.exists("existing.bin"),
        "delete": lambda: storage.delete("existing.bin"),
    }
    return [Row(f"thread hops: {name}", len(await _hops(action)), 1) for name, action in actions.items()]


async def streams(root: Path) -> list[Row]:
    """Thread hops of streamed transfers, with chunks read in threads (no page-cache probe)."""
    rows: list[Row] = []
    storage = FileSystemStorage(FileSystemConfig(path=root / "streams"))
    with mock.patch.object(reads, "_NOWAIT", None), mock.patch.object(reads, "_CACHESTAT", None):
        hops = await _hops(lambda: storage.put("large.bin", _stream(8, MIB)))
        rows.append(Row("thread hops: put 8 MiB in 1 MiB chunks", len(hops), 9, "open + first, one per chunk, commit"))
        hops = await _hops(lambda: storage.get_bytes("large.bin"))
        rows.append(Row("thread hops: get 8 MiB (1 MiB chunks)", len(hops), 8))

        chunky = FileSystemStorage(FileSystemConfig(path=root / "streams", chunk_size=64 * 1024))
        hops = await _hops(lambda: chunky.put("chunky.bin", _stream(256, 64 * 1024)))
        rows.append(Row("thread hops: put 16 MiB in 64 KiB chunks", len(hops), 255, "batched: fewer than chunks"))

        async def read_chunky() -> None:
            async for _ in chunky.get("chunky.bin"):
                pass

        hops = await _hops(read_chunky)
        rows.append(Row("thread hops: get 16 MiB in 64 KiB chunks", len(hops), 63, "read-ahead grows to 1 MiB"))

        hops = await _hops(lambda: storage.put("slow.bin", _stream(6, MIB, pause=0.02)))
        rows.append(Row("thread hops: put 6 MiB, slow producer", len(hops), 7, "one chunk per hop"))

        async def read_slowly() -> None:
            async for _ in storage.get("slow.bin"):
                await asyncio.sleep(0.02)  # a slow client: read-ahead stays at one chunk

        rows.append(Row("thread hops: get 6 MiB, slow consumer", len(await _hops(read_slowly)), 6))
    return rows


async def listings(root: Path) -> list[Row]:
    """Thread hops of listing and batch-deleting 300 files."""
    storage = FileSystemStorage(FileSystemConfig(path=root / "listing"))
    for index in range(300):
        await storage.put(f"many/{index:04d}.txt", b"x")

    async def list_all() -> None:
        assert len([item async for item in storage.list()]) == 300

    rows = [Row("thread hops: list 300 files", len(await _hops(list_all)), 3, "pages of 128")]
    keys = [f"many/{index:04d}.txt" for index in range(300)]
    rows.append(Row("thread hops: delete_many 300 files", len(await _hops(lambda: storage.delete_many(keys))), 1))
    return rows


async def page_cache(root: Path) -> list[Row]:
    """Thread hops of reads served from the page cache on the event loop."""
    storage = FileSystemStorage(FileSystemConfig(path=root / "cache"))
    data = b"c" * (8 * MIB + 1000)
    await storage.put("cached.bin", data)  # just written: in the page cache
    probes = reads._NOWAIT is not None or reads._CACHESTAT is not None
    rows = [
        Row(
            "thread hops: get 8 MiB from the page cache",
            len(await _hops(lambda: storage.get_bytes("cached.bin"))),
            1 if probes else 10,
            "the open only" if probes else "no RWF_NOWAIT here: every chunk in a thread",
        )
    ]
    await storage.put("ranged.bin", data[: 4 * MIB])
    hops = await _hops(lambda: storage.get_bytes("ranged.bin", start=MIB // 2 + 3, end=3 * MIB + 7))
    rows.append(Row("thread hops: ranged get of 2.5 MiB cached", len(hops), 1 if probes else 4))

    answers = iter([True, True, True, False])  # one chunk evicted, then cached again

    def state(fd: int, offset: int, size: int) -> bool | None:
        return next(answers, True)

    await storage.put("evicted.bin", data[: 6 * MIB])
    with mock.patch.object(reads, "page_cache_state", state):
        hops = await _hops(lambda: storage.get_bytes("evicted.bin"))
    rows.append(Row("thread hops: get 6 MiB, one chunk not cached", len(hops), 2, "open + the uncached chunk"))

    probed = 0

    def unsupported(*args: object) -> int:
        nonlocal probed
        probed += 1
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    await storage.put("plain.bin", data[: 4 * MIB])
    with (
        mock.patch.object(reads, "_CACHESTAT", None),
        mock.patch.object(reads, "_NOWAIT", 8),
        mock.patch.object(os, "preadv", unsupported),
    ):
        hops = await _hops(lambda: storage.get_bytes("plain.bin"))
    rows.append(Row("probes: get 4 MiB where RWF_NOWAIT is refused", probed, 1, "asked once per stream"))
    rows.append(Row("thread hops: the same read, in threads", len(hops), 4))

    if reads._CACHESTAT is not None:
        calls = 0
        counter = reads._CACHESTAT

        def counting(fd: int, offset: int, size: int) -> bool | None:
            nonlocal calls
            calls += 1
            return counter(fd, offset, size)

        with mock.patch.object(reads, "_CACHESTAT", counting), mock.patch.object(os, "preadv", unsupported):
            probed = 0
            await storage.get_bytes("plain.bin")
        rows.append(Row("cachestat calls: get 4 MiB cached", calls, 4, "one per chunk, no RWF_NOWAIT probe"))
        rows.append(Row("RWF_NOWAIT probes beside cachestat", probed, 0))

    big = FileSystemStorage(FileSystemConfig(path=root / "cache", chunk_size=8 * MIB))
    await big.put("big.bin", b"b" * (24 * MIB))
    hops = await _hops(lambda: big.get_bytes("big.bin"))
    rows.append(Row("thread hops: get 24 MiB in 8 MiB chunks", len(hops), 3, "chunks over 4 MiB never on the loop"))
    return rows


async def content_types(root: Path) -> list[Row]:
    """``mimetypes.guess_type`` calls for 20 infos and a listing of one unusual extension."""
    storage = FileSystemStorage(FileSystemConfig(path=root / "types"))
    for index in range(20):
        await storage.put(f"docs/{index}.weird-ext", b"x")
    metadata._content_type_of_suffixes.cache_clear()
    calls = 0
    original = mimetypes.guess_type

    def counting(url: str, strict: bool = True) -> Any:
        nonlocal calls
        calls += 1
        return original(url, strict)

    with mock.patch.object(mimetypes, "guess_type", counting):
        for index in range(20):
            await storage.info(f"docs/{index}.weird-ext")
        _ = [item async for item in storage.list("docs/")]
    return [Row("mimetypes.guess_type calls: 20 infos + list of 20", calls, 1, "cached per extension")]


async def sidecars(root: Path) -> list[Row]:
    """Failed syscalls for absent sidecars, and sidecar names computed by listings."""
    storage = FileSystemStorage(FileSystemConfig(path=root / "sidecars"))
    await storage.put("plain/a.txt", b"a")
    await storage.put("plain/b.txt", b"b")
    await storage.put("plain/a.txt", b"replaced")
    failed: list[str] = []

    def wrap(name: str) -> Callable[..., Any]:
        function = getattr(os, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except FileNotFoundError:
                failed.append(name)
                raise

        return call

    with mock.patch.object(os, "open", wrap("open")), mock.patch.object(os, "unlink", wrap("unlink")):
        await storage.info("plain/a.txt")
        await storage.delete("plain/a.txt")
    rows = [Row("failed open/unlink: info + delete without sidecar", len(failed), 0, ", ".join(failed))]

    await storage.put("meta/c.bin", b"c", metadata={"owner": "ann"})
    await storage.put("meta/d.bin", b"d")
    names: list[str] = []
    original = names_module.sidecar_name

    def counting(name: str, size: int, mtime_ns: int) -> str:
        names.append(name)
        return original(name, size, mtime_ns)

    # No file counts as written during the scan, so only real sidecars are looked up.
    with mock.patch.object(listing, "_SCAN_MARGIN_NS", -(10**19)), mock.patch.object(listing, "sidecar_name", counting):
        _ = [item async for item in storage.list("plain/")]
        plain = len(names)
        _ = [item async for item in storage.list("meta/")]
    rows.append(Row("sidecar names computed: list a folder without sidecars", plain, 0))
    rows.append(Row("sidecar names computed: list 2 files beside 1 sidecar", len(names) - plain, 2))
    return rows


@contextmanager
def count_anyio_hops() -> Iterator[list[str]]:
    """Record the functions anyio hands to its worker threads (Litestar's ``File`` reads through anyio)."""
    from anyio._backends._asyncio import AsyncIOBackend

    original = AsyncIOBackend.run_sync_in_worker_thread
    calls: list[str] = []

    async def counting(func: Callable[..., Any], args: tuple[Any, ...], *rest: Any, **kwargs: Any) -> Any:
        target = getattr(func, "func", func)  # functools.partial
        calls.append(getattr(target, "__name__", repr(target)))
        return await original(func, args, *rest, **kwargs)

    with mock.patch.object(AsyncIOBackend, "run_sync_in_worker_thread", counting):
        yield calls


async def downloads(root: Path) -> list[Row]:
    """Thread hops of one HTTP download through ``storage_response`` (and Litestar's ``File``), in process."""
    import httpx
    from litestar import Litestar, get
    from litestar.response import File

    from litestar_storages.contrib import StorageResponse, storage_response

    folder = root / "downloads"
    storage = FileSystemStorage(FileSystemConfig(path=folder))
    await storage.put("small.bin", b"k" * 1024)
    await storage.put("large.bin", b"L" * (8 * MIB))  # just written: in the page cache
    etag = f'"{(await storage.info("small.bin")).etag}"'

    class TwoCalls:
        """The storage without ``open_object``: what every other backend (and 0.x) takes: info, then get."""

        def __getattr__(self, name: str) -> Any:
            if name == "open_object":
                raise AttributeError(name)
            return getattr(storage, name)

    two_calls = TwoCalls()

    @get("/f/{key:path}", sync_to_thread=False)
    async def one(key: str) -> StorageResponse:
        return storage_response(storage, key.lstrip("/"))

    @get("/two/{key:path}", sync_to_thread=False)
    async def two(key: str) -> StorageResponse:
        return storage_response(two_calls, key.lstrip("/"))

    @get("/file/{key:path}", sync_to_thread=False)
    async def file(key: str) -> File:
        return File(path=folder / key.lstrip("/"))

    # The handlers are local (annotations as strings): Litestar resolves them here.
    app = Litestar([one, two, file], signature_namespace={"StorageResponse": StorageResponse, "File": File})
    rows: list[Row] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:  # type: ignore[arg-type]
        await client.get("/f/small.bin")  # warm: the root's descriptor, Litestar's caches

        async def fetch(path: str, headers: dict[str, str] | None = None) -> None:
            response = await client.get(path, headers=headers)
            assert response.status_code in {200, 206, 304}, response.status_code

        cases: list[tuple[str, str, dict[str, str] | None, int, str]] = [
            ("storage_response 1 KiB", "/f/small.bin", None, 1, "open, stat, sidecar and bytes in one call"),
            ("storage_response 1 KiB, If-None-Match (304)", "/f/small.bin", {"if-none-match": etag}, 1, ""),
            ("storage_response 1 KiB, 3 ranges", "/f/small.bin", {"range": "bytes=0-1,5-6,-3"}, 1, ""),
            ("storage_response 8 MiB from the page cache", "/f/large.bin", None, 1, "chunks read on the loop"),
            ("storage_response 8 MiB, 2 ranges", "/f/large.bin", {"range": "bytes=0-9,-10"}, 1, ""),
            ("storage_response 1 KiB, info + get (no open_object)", "/two/small.bin", None, 2, "the path before"),
            ("Litestar File 1 KiB (anyio threads included)", "/file/small.bin", None, 5, "for comparison:"),
        ]
        for what, path, headers, budget, detail in cases:
            with count_hops() as hops, count_anyio_hops() as anyio_hops:
                await fetch(path, headers)
            named = f"{detail} {', '.join(hops + anyio_hops)}" if detail.endswith(":") else detail
            rows.append(Row(f"thread hops: {what}", len(hops) + len(anyio_hops), budget, named))
    await storage.close()
    return rows


async def call_queue() -> list[Row]:
    """Executor submissions for 64 small calls queued on two workers."""
    release = threading.Event()
    threads: set[int] = set()

    def call(n: int) -> int:
        release.wait(5)
        threads.add(threading.get_ident())
        return n

    queue = CallQueue(workers=2)
    with count_hops() as hops:
        calls = asyncio.gather(*(queue.run(call, n) for n in range(64)))
        await asyncio.sleep(0.05)  # every call is queued while the two workers wait
        release.set()
        await calls
    return [
        Row("thread hops: 64 queued calls, 2 workers", len(hops), 2),
        Row("worker threads used", len(threads), 2),
    ]


async def measure() -> list[Row]:
    """Every row, each group in its own temporary folder."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="lss-mechanics-") as folder:
        root = Path(folder)
        for group in (small_operations, streams, listings, page_cache, content_types, sidecars, downloads):
            rows.extend(await group(root))
    rows.extend(await call_queue())
    return rows


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| measurement | count | budget | |", "|---|---:|---:|---|"]
    for row in rows:
        mark = "" if row.within else "**over budget**"
        note = "; ".join(part for part in (mark, row.detail) if part)
        lines.append(f"| {row.what} | {row.count} | {row.budget} | {note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, and with ``--strict`` fail on a row over its budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a row is over its budget")
    arguments = parser.parse_args(argv)
    rows = asyncio.run(measure())
    print("## Filesystem backend: mechanics\n")
    print(table(rows))
    over = [row for row in rows if not row.within]
    print(f"\n{len(rows)} rows, {len(over)} over budget")
    return 1 if over and arguments.strict else 0


if __name__ == "__main__":
    sys.exit(main())
