"""Confinement under attack: a folder swapped with a link to outside while every operation runs.

The reproduction of issue 16. A thread keeps exchanging ``root/d`` (a real folder) with
``root/swap`` (a symbolic link to a folder outside the root) while put, streamed put,
get_bytes, streamed get, open_object, delete, copy, move, info, exists, list, a multipart upload and
the maintenance walk all act on keys below ``d/``. Every file outside the root holds a
marker; after each round the folder outside the root and the root's parent are compared
with a snapshot (names, contents and modification times). The storage checking a path
and then using it (time of check to time of use) is exactly what this catches.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import functools
import os
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage, openat2
from litestar_storages.exceptions import StorageError

DURATION = 3.0
"""Seconds of attack per run (the rounds then stop; a round takes a few milliseconds)."""
MARKER = b"OUTSIDE-THE-ROOT:7f3a9c"
OUTSIDE_ONLY = "only-outside.txt"
"""A name that exists only in the outside folder: listing or finding it is an escape."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange_function() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    except OSError:
        return None
    function = getattr(libc, "renameat2", None)
    if function is not None:
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        function.restype = ctypes.c_int
    return function


class Swapper(threading.Thread):
    """Swaps a real folder and a link, atomically with ``renameat2(RENAME_EXCHANGE)`` where possible.

    Without ``renameat2`` (not Linux, or a filesystem that cannot exchange) three plain
    renames swap them: slower, and the folder is briefly missing, but it races all the same.
    """

    def __init__(self, folder: Path, link: Path) -> None:
        super().__init__(daemon=True)
        self._folder = os.fsencode(folder)
        self._link = os.fsencode(link)
        self._stopping = threading.Event()
        self._exchange = _exchange_function()
        self.swaps = 0
        self.error: BaseException | None = None

    @property
    def atomic(self) -> bool:
        return self._exchange is not None

    def _swap(self) -> None:
        if self._exchange is not None:
            if self._exchange(_AT_FDCWD, self._folder, _AT_FDCWD, self._link, _RENAME_EXCHANGE) == 0:
                self.swaps += 1
                return
            code = ctypes.get_errno()
            if code not in {22, 38, 95}:  # EINVAL, ENOSYS, EOPNOTSUPP: fall back to plain renames
                raise OSError(code, os.strerror(code))
            self._exchange = None
        parked = self._folder + b".parked"
        os.rename(self._folder, parked)
        os.rename(self._link, self._folder)
        os.rename(parked, self._link)
        self.swaps += 1

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._swap()
                if self.swaps % 64 == 0:
                    time.sleep(0)  # let the storage's threads have the GIL too
        except BaseException as error:  # reported by the test
            self.error = error

    def stop(self) -> None:
        self._stopping.set()
        self.join()
        if os.path.islink(self._folder):
            self._swap()


Snapshot = dict[str, tuple[str, bytes, int]]


def _snapshot(folder: Path, *, skip: frozenset[str] = frozenset()) -> Snapshot:
    """Every entry below ``folder`` (links not followed): kind, content and mtime."""
    found: Snapshot = {}
    for directory, dirnames, filenames in os.walk(folder):
        if directory == str(folder):
            dirnames[:] = [name for name in dirnames if name not in skip]
        for name in dirnames:
            path = os.path.join(directory, name)
            found[path] = ("dir", b"", 0)
        for name in filenames:
            if directory == str(folder) and name in skip:
                continue
            path = os.path.join(directory, name)
            stat = os.lstat(path)
            content = os.readlink(path).encode() if os.path.islink(path) else Path(path).read_bytes()
            found[path] = ("file", content, stat.st_mtime_ns)
    return found


def _restore(folder: Path, baseline: Snapshot, *, skip: frozenset[str] = frozenset()) -> None:
    """Undo whatever an escape changed below ``folder``."""
    current = _snapshot(folder, skip=skip)
    for path in sorted(set(current) - set(baseline), reverse=True):
        if current[path][0] == "dir" and not os.path.islink(path):
            os.rmdir(path)
        else:
            os.unlink(path)
    for path, (kind, content, mtime) in sorted(baseline.items()):
        if current.get(path) != (kind, content, mtime):
            if kind == "dir":
                os.makedirs(path, exist_ok=True)
                continue
            Path(path).write_bytes(content)
            os.utime(path, ns=(mtime, mtime))


class Attack:
    """Counts what every operation tried, and every escape it made."""

    def __init__(self, storage: FileSystemStorage) -> None:
        self.storage = storage
        self.tried: Counter[str] = Counter()
        self.succeeded: Counter[str] = Counter()
        self.outside_reads: Counter[str] = Counter()
        self.unexpected: list[str] = []
        self.listed: Counter[str] = Counter()  # folder listings that found entries (the real folder)

    async def attempt(self, name: str, operation: Callable[[], Awaitable[Any]]) -> Any:
        self.tried[name] += 1
        try:
            result = await operation()
        except StorageError:
            return None  # refused, missing, or a folder swapped away: all fine
        except Exception as error:  # a raw error escaping the storage is a bug too
            self.unexpected.append(f"{name}: {type(error).__name__}: {error}")
            return None
        self.succeeded[name] += 1
        return result

    def read(self, name: str, content: bytes | None) -> None:
        if content is not None and MARKER in content:
            self.outside_reads[name] += 1

    async def folders(self) -> None:
        """List ``d/`` and ``d/sub`` with ``list_dir``: one scandir of the folder opened below the root."""
        for prefix in ("d/", "d/sub"):
            keys = await self.attempt(f"list_dir {prefix}", functools.partial(_dir_keys, self.storage, prefix))
            if keys:
                self.listed[prefix] += 1
            if keys and any(key.endswith(OUTSIDE_ONLY) for key in keys):
                self.outside_reads[f"list_dir {prefix}"] += 1

    async def round(self) -> None:
        storage = self.storage

        async def chunks() -> AsyncIterator[bytes]:
            yield b"inside "
            yield b"streamed"

        async def streamed_get() -> bytes:
            return b"".join([chunk async for chunk in storage.get("d/f")])

        async def opened_read() -> bytes:
            opened = await storage.open_object("d/f")
            try:
                return b"".join([chunk async for chunk in opened.read(0, opened.file.size)])
            finally:
                opened.close()

        async def delete_victim() -> None:
            await self.attempt("delete", lambda: storage.delete("d/victim"))
            await self.attempt("put-victim", lambda: storage.put("d/victim", b"inside victim"))

        async def move() -> None:
            await self.attempt("move", lambda: storage.move("b", "d/m"))
            await storage.put("b", b"inside b")

        async def multipart() -> None:
            upload = await self.attempt("multipart-start", lambda: storage.start_multipart_upload("d/mp"))
            if upload is None:
                return
            if await self.attempt("multipart-part", lambda: storage.upload_part(upload, 1, b"inside part")) is None:
                await storage.abort_multipart_upload(upload)
                return
            await self.attempt("multipart-complete", lambda: storage.complete_multipart_upload(upload))

        async def listing() -> None:
            keys = await self.attempt("list", lambda: _keys(storage, "d/"))
            if keys and f"d/{OUTSIDE_ONLY}" in keys:
                self.outside_reads["list"] += 1

        async def reads() -> None:
            self.read("get_bytes", await self.attempt("get_bytes", lambda: storage.get_bytes("d/f")))
            # Two folders deep: resolved by openat2 on Linux, by the walk elsewhere.
            deep = await self.attempt("get_bytes-deep", lambda: storage.get_bytes("d/sub/deep.txt"))
            self.read("get_bytes-deep", deep)
            self.read("get", await self.attempt("get", streamed_get))
            self.read("open_object", await self.attempt("open_object", opened_read))
            ranged = await self.attempt("get_bytes-range", lambda: storage.get_bytes("d/f", end=64))
            self.read("get_bytes-range", ranged)

        async def probes() -> None:
            if await self.attempt("info", lambda: storage.info(f"d/{OUTSIDE_ONLY}")) is not None:
                self.outside_reads["info"] += 1
            if await self.attempt("exists", lambda: storage.exists(f"d/{OUTSIDE_ONLY}")):
                self.outside_reads["exists"] += 1

        await asyncio.gather(
            self.attempt("put", lambda: storage.put("d/f", b"inside f")),
            self.attempt("put-deep", lambda: storage.put("d/sub/deep.txt", b"inside deep")),
            self.attempt("put-stream", lambda: storage.put("d/streamed", chunks())),
            self.attempt("put-metadata", lambda: storage.put("d/meta", b"inside", metadata={"who": "inside"})),
            self.attempt("copy", lambda: storage.copy("a", "d/f")),
            self.attempt("delete_many", lambda: storage.delete_many(["d/gone"])),
            self.attempt("maintenance", lambda: storage.remove_stale_files(older_than=timedelta(0))),
            delete_victim(),
            move(),
            multipart(),
            listing(),
            self.folders(),
            reads(),
            probes(),
        )


async def _keys(storage: FileSystemStorage, prefix: str) -> list[str]:
    return [item.key async for item in storage.list(prefix)]


async def _dir_keys(storage: FileSystemStorage, prefix: str) -> list[str]:
    return [item.key async for item in storage.list_dir(prefix)]


@pytest.mark.parametrize("resolution", ["fastest", "portable-walk"])
async def test_swapping_a_folder_for_an_outside_link_never_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resolution: str
) -> None:
    """Run once as configured (openat2 where Linux has it), once with the portable walk alone."""
    if resolution == "portable-walk":
        monkeypatch.setattr(openat2._state, "syscall", None)
    parent = tmp_path / "parent"
    root = parent / "root"
    outside = parent / "outside"
    (root / "d").mkdir(parents=True)
    outside.mkdir()
    for name in ("f", "victim", "m", "mp", "streamed", "meta", OUTSIDE_ONLY):
        (outside / name).write_bytes(MARKER + b" " + name.encode())
    (outside / "sub").mkdir()
    (outside / "sub" / "deep.txt").write_bytes(MARKER)
    (outside / "sub" / OUTSIDE_ONLY).write_bytes(MARKER)
    (root / "d" / "f").write_bytes(b"inside f")
    (root / "d" / "sub").mkdir()
    (root / "d" / "sub" / "deep.txt").write_bytes(b"inside deep")
    (root / "d" / "victim").write_bytes(b"inside victim")
    (root / "a").write_bytes(b"inside a")
    (root / "b").write_bytes(b"inside b")
    (root / "swap").symlink_to(outside, target_is_directory=True)
    outside_before = _snapshot(outside)
    parent_before = _snapshot(parent, skip=frozenset({"root", "outside"}))

    storage = FileSystemStorage(FileSystemConfig(path=root, chunk_size=16))
    attack = Attack(storage)
    swapper = Swapper(root / "d", root / "swap")
    changed_rounds = rounds = 0
    swapper.start()
    try:
        deadline = time.monotonic() + DURATION
        while time.monotonic() < deadline and swapper.is_alive():
            await attack.round()
            rounds += 1
            if _snapshot(outside) != outside_before or _snapshot(parent, skip=frozenset({"root", "outside"})) != (
                parent_before
            ):
                changed_rounds += 1
                _restore(outside, outside_before)
                _restore(parent, parent_before, skip=frozenset({"root", "outside"}))
    finally:
        swapper.stop()
        with contextlib.suppress(Exception):
            await storage.close()
    tried = sum(attack.tried.values())
    report = (
        f"{rounds} rounds, {tried} operations ({sum(attack.succeeded.values())} succeeded: "
        f"{dict(attack.succeeded)}), {swapper.swaps} swaps "
        f"({'renameat2' if swapper.atomic else 'plain renames'}); rounds changing files outside the root: "
        f"{changed_rounds}; reads of outside content: {sum(attack.outside_reads.values())} "
        f"({dict(attack.outside_reads)}); folder listings finding entries: {dict(attack.listed)}"
    )
    report = f"[{resolution}] {report}"
    print(report)
    assert swapper.error is None, f"the swapping thread failed: {swapper.error!r}"
    assert swapper.swaps >= 100, f"the attack did not run: {report}"
    assert rounds >= 20, f"the attack did not run: {report}"
    # Both sides of the race were met: operations that found the real folder succeeded.
    assert attack.succeeded["put"] > 0, f"nothing ever succeeded: {report}"
    assert attack.succeeded["get_bytes"] > 0, f"nothing ever succeeded: {report}"
    assert attack.succeeded["open_object"] > 0, f"nothing ever succeeded: {report}"
    assert attack.listed["d/"] > 0, f"no folder listing ever found the real folder: {report}"
    assert attack.listed["d/sub"] > 0, f"no folder listing ever found the real folder: {report}"
    assert attack.unexpected == [], f"raw errors escaped the storage: {attack.unexpected[:5]}"
    assert changed_rounds == 0, f"files outside the root changed: {report}"
    assert sum(attack.outside_reads.values()) == 0, f"outside content was read: {report}"
    assert _snapshot(outside) == outside_before
