"""advanced-alchemy file columns backed by litestar-storages, on SQLite (aiosqlite).

Each test runs on the memory and filesystem storages (conftest's ``storage``). The
storage is registered in advanced-alchemy's ``storages`` registry under the key the
model's column names, and removed again after the test.
"""

from __future__ import annotations

import asyncio
import threading
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from advanced_alchemy.config import SQLAlchemyAsyncConfig
from advanced_alchemy.types.file_object import FileObject, StoredObject, storages
from sqlalchemy import String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from litestar_storages import FileSystemConfig, FileSystemStorage, MemoryStorage
from litestar_storages.base import BaseStorage
from litestar_storages.contrib.advanced_alchemy import StorageBackendAdapter, files_in_transaction
from litestar_storages.exceptions import InvalidDataError, StorageFileNotFoundError, UnsupportedOperationError

BACKEND_KEY = "litestar-storages-tests"


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    file: Mapped[FileObject | None] = mapped_column(StoredObject(backend=BACKEND_KEY), nullable=True)


@pytest.fixture
def adapter(storage: BaseStorage) -> Iterator[StorageBackendAdapter]:
    backend = StorageBackendAdapter(BACKEND_KEY, storage)
    storages.register_backend(backend)
    yield backend
    storages.unregister_backend(BACKEND_KEY)
    backend.close_sync_loop()


@pytest_asyncio.fixture
async def config(tmp_path: Path, adapter: StorageBackendAdapter) -> AsyncIterator[SQLAlchemyAsyncConfig]:
    config = SQLAlchemyAsyncConfig(connection_string=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    async with config.get_engine().begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield config
    await config.get_engine().dispose()


def session(config: SQLAlchemyAsyncConfig) -> AsyncSession:
    return config.create_session_maker()()


async def eventually_exists(storage: BaseStorage, key: str, *, expected: bool = True) -> bool:
    # advanced-alchemy's async listener saves and deletes after the commit in a task
    # of its own; wait for that task by watching the storage (bounded by tries).
    for _ in range(500):
        if await storage.exists(key) is expected:
            return expected
        await asyncio.sleep(0.01)
    return not expected


async def test_commit_saves_the_file_and_a_new_session_reads_it(
    config: SQLAlchemyAsyncConfig, storage: BaseStorage, backend: str
) -> None:
    async with session(config) as db:
        db.add(Document(name="a", file=FileObject(backend=BACKEND_KEY, filename="docs/a.txt", content=b"hello")))
        await db.commit()
    assert await eventually_exists(storage, "docs/a.txt")
    async with session(config) as db:
        document = (await db.execute(select(Document))).scalar_one()
        assert document.file is not None
        assert document.file.backend.driver == "litestar-storages"
        assert document.file.protocol == {"memory": "memory", "filesystem": "file"}[backend]
        assert await document.file.get_content_async() == b"hello"
    assert (await storage.info("docs/a.txt")).content_type == "text/plain"


async def test_a_rollback_before_the_commit_stores_nothing(config: SQLAlchemyAsyncConfig, storage: BaseStorage) -> None:
    async with session(config) as db:
        db.add(Document(name="a", file=FileObject(backend=BACKEND_KEY, filename="gone.txt", content=b"x")))
        await db.flush()
        await db.rollback()
    async with session(config) as db:
        assert (await db.execute(select(Document))).scalars().all() == []
    assert [stored.key async for stored in storage.list()] == []


async def test_deleting_or_replacing_the_row_deletes_the_old_file(
    config: SQLAlchemyAsyncConfig, storage: BaseStorage
) -> None:
    async with session(config) as db, files_in_transaction(db) as files:
        db.add(Document(name="a", file=await files.save(FileObject(backend=BACKEND_KEY, filename="v1.txt"), b"1")))
        db.add(Document(name="b", file=await files.save(FileObject(backend=BACKEND_KEY, filename="b.txt"), b"b")))
        await db.commit()
    async with session(config) as db:
        first = (await db.execute(select(Document).where(Document.name == "a"))).scalar_one()
        first.file = FileObject(backend=BACKEND_KEY, filename="v2.txt", content=b"2")
        second = (await db.execute(select(Document).where(Document.name == "b"))).scalar_one()
        await db.delete(second)
        await db.commit()
    assert await eventually_exists(storage, "v2.txt")
    assert not await eventually_exists(storage, "v1.txt", expected=False)
    assert not await eventually_exists(storage, "b.txt", expected=False)


async def test_files_saved_for_a_failed_transaction_are_deleted(
    config: SQLAlchemyAsyncConfig, storage: BaseStorage
) -> None:
    async with session(config) as db, files_in_transaction(db) as files:
        file = await files.save(FileObject(backend=BACKEND_KEY, filename="kept.txt"), b"kept")
        db.add(Document(name="taken", file=file))
        await db.commit()
    assert file.size == 4
    assert file.etag is not None
    assert file.last_modified is not None

    async def upload_duplicate(db: AsyncSession) -> None:
        async with files_in_transaction(db) as files:
            duplicate = await files.save(FileObject(backend=BACKEND_KEY, filename="orphan.txt"), b"orphan")
            assert await storage.exists("orphan.txt")
            db.add(Document(name="taken", file=duplicate))  # the unique name fails the commit
            await db.commit()

    async with session(config) as db:
        with pytest.raises(IntegrityError):
            await upload_duplicate(db)
        assert not db.in_transaction()
    assert not await storage.exists("orphan.txt")
    assert await storage.get_bytes("kept.txt") == b"kept"
    async with session(config) as db:
        assert [d.name for d in (await db.execute(select(Document))).scalars()] == ["taken"]


async def test_a_large_file_streams_in_and_out_without_being_held_whole(tmp_path: Path) -> None:
    # The filesystem storage writes chunks as they come: peak memory stays a few chunks.
    storage = FileSystemStorage(FileSystemConfig(path=tmp_path / "files"))
    backend = StorageBackendAdapter("large", storage)
    chunk, count = b"z" * 65536, 512  # 32 MiB

    async def produce() -> AsyncIterator[bytes]:
        for _ in range(count):
            yield chunk

    file = FileObject(backend=backend, filename="big.bin")
    tracemalloc.start()
    try:
        await backend.save_object_async(file, produce())
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        total = 0
        async for part in backend.stream(file):
            total += len(part)
        _, download_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await storage.close()
    assert file.size == total == len(chunk) * count
    assert upload_peak < 8 * 1024 * 1024, upload_peak
    assert download_peak < 8 * 1024 * 1024, download_peak


async def test_paths_and_file_objects_are_streamed_from_disk(adapter: StorageBackendAdapter, tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(b"from disk" * 1000)
    stored = await FileObject(backend=adapter, filename="copy.bin", source_path=source).save_async()
    assert stored.size == 9000
    with source.open("rb") as handle:
        await adapter.save_object_async(FileObject(backend=adapter, filename="handle.bin"), handle)
    assert await adapter.get_content_async("handle.bin") == source.read_bytes()
    assert await adapter.get_content_async("copy.bin", options={"start": 0, "end": 4}) == b"from"


def test_the_sync_interface_runs_on_the_adapters_own_loop(tmp_path: Path) -> None:
    storage = FileSystemStorage(FileSystemConfig(path=tmp_path / "files", base_url="/media", signing_secret="s" * 32))
    backend = StorageBackendAdapter("sync", storage)
    try:
        file = FileObject(backend=backend, filename="notes/sync.txt", metadata={"owner": "ada", "tags": ["a", 1]})
        assert file.save(b"sync bytes").size == 10
        assert file.get_content() == b"sync bytes"
        assert file.sign().startswith("/media/notes/sync.txt?")
        urls = backend.sign(["notes/sync.txt", "other.txt"], expires_in=60, for_upload=True)
        assert isinstance(urls, list)
        assert [url.split("?")[0] for url in urls] == ["/media/notes/sync.txt", "/media/other.txt"]
        # Non-text metadata is stored as JSON.
        info = backend._loop_thread.run(storage.info("notes/sync.txt"))
        assert info.metadata == {"owner": "ada", "tags": '["a", 1]'}
        # Called from threads at once: one loop serves them all.
        results: list[bytes] = []
        threads = [threading.Thread(target=lambda: results.append(file.get_content())) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == [b"sync bytes"] * 8
        file.delete()
        with pytest.raises(StorageFileNotFoundError):
            file.get_content()
    finally:
        backend._loop_thread.run(storage.close())
        backend.close_sync_loop()
        backend.close_sync_loop()


async def test_errors_are_the_librarys_own(adapter: StorageBackendAdapter, backend: str) -> None:
    with pytest.raises(StorageFileNotFoundError) as missing:
        await adapter.get_content_async("nope.txt")
    assert isinstance(missing.value, FileNotFoundError)  # what advanced-alchemy catches on delete
    await adapter.delete_object_async(["nope.txt", "also-nope.txt"])  # already gone: no error
    not_bytes: Any = "text, not bytes"
    with pytest.raises(InvalidDataError):
        await adapter.save_object_async(FileObject(backend=adapter, filename="bad.txt"), not_bytes)
    if backend == "memory":
        with pytest.raises(UnsupportedOperationError):
            await adapter.sign_async("a.txt", for_upload=True)


def test_the_protocol_can_be_named() -> None:
    assert StorageBackendAdapter("m", MemoryStorage()).protocol == "memory"
    assert StorageBackendAdapter("m", MemoryStorage(), protocol="custom").protocol == "custom"
