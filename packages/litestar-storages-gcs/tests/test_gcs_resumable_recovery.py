"""Resumable uploads that hit failures: retried from the last confirmed offset, never stored wrong.

Regression tests of the faults the integration suite found (tests-integration/test_faults.py):

- a chunk request failing mid-way used to be followed by a status query (an empty
  ``PUT`` with ``bytes */*``); fake-gcs-server commits the partial object on it, and the
  upload reported success with the wrong bytes stored;
- for the same reason, an upload whose chunks could never get through "succeeded"
  instead of raising ``StorageConnectionError``.

Against fake-gcs-server, through a front that cuts or fails chosen chunk requests; and
against GCS's recorded answers where the emulator does not behave as GCS does (it
appends every chunk whatever its ``Content-Range``, and GCS skips bytes it already has).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator

import pytest
from gcs_helpers import (
    BACKEND_ERROR,
    empty_answer,
    faulty_front,
    json_answer,
    object_resource,
    replay_server,
)

from litestar_storages.backends.gcs import GCSConfig, GCSStorage
from litestar_storages.exceptions import StorageConnectionError
from litestar_storages.retry import RetryConfig
from litestar_storages.testing.emulators.fake_gcs import FakeGCSServer

CHUNK = 256 * 1024
FAST = RetryConfig(max_attempts=4, base_delay=0.01, max_delay=0.05, jitter=False)
NO_WAIT = RetryConfig(max_attempts=3, base_delay=0, jitter=False)


def pattern(size: int, salt: int = 0) -> bytes:
    return bytes((i * 7 + salt) % 251 for i in range(size))


def md5_of(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()


async def chunks(data: bytes, size: int = 100_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]
        await asyncio.sleep(0)


# -- against fake-gcs-server, through a faulty front ---------------------------------------


async def test_chunk_cut_mid_body_is_resent_and_stored_intact(fake_gcs: FakeGCSServer, bucket: str) -> None:
    # The integration suite's test_large_upload_retries_a_failed_part: chunk 2 dies
    # mid-body, its retry is answered 503, the next retry gets through.
    data = pattern(6 * CHUNK + 4321, salt=5)
    async with faulty_front(fake_gcs.api_root) as front:
        front.chunk_faults = {1: "cut", 2: "503"}
        config = GCSConfig(bucket=bucket, api_root=front.url, chunk_size=CHUNK, retry=FAST)
        async with GCSStorage(config) as storage:
            stored = await storage.put("large.bin", chunks(data))
            assert stored.size == len(data)
            assert await storage.get_bytes("large.bin") == data
    second = f"bytes {CHUNK}-{2 * CHUNK - 1}/*"
    assert front.chunk_requests[:4] == [f"bytes 0-{CHUNK - 1}/*", second, second, second]
    # Never a status query: fake-gcs-server would commit the partial object on it.
    assert not any(value.startswith("bytes */") for value in front.chunk_requests)


@pytest.mark.parametrize("previous", [None, b"the previous version"])
async def test_chunks_that_never_get_through_raise_and_store_nothing(
    fake_gcs: FakeGCSServer, bucket: str, previous: bytes | None
) -> None:
    # The integration suite's test_dead_upload_leaves_nothing[gcs-large-*]: the first
    # chunk gets through, every later request dies mid-body, retries included.
    async with faulty_front(fake_gcs.api_root) as front:
        front.default = "cut"
        front.chunk_faults = {0: "pass"}
        config = GCSConfig(bucket=bucket, api_root=front.url, chunk_size=CHUNK, retry=FAST)
        async with GCSStorage(config) as storage:
            if previous is not None:
                await storage.put("dead.bin", previous)
            with pytest.raises(StorageConnectionError):
                await storage.put("dead.bin", chunks(pattern(6 * CHUNK + 4321, salt=6)))
            if previous is None:
                assert not await storage.exists("dead.bin")
            else:
                assert await storage.get_bytes("dead.bin") == previous
    # Each attempt at chunk 2 (aiohttp may itself send a PUT again once on a dropped
    # kept-alive connection), from its first byte; never a status query.
    assert len(front.chunk_requests) >= 1 + FAST.max_attempts
    assert set(front.chunk_requests[1:]) == {f"bytes {CHUNK}-{2 * CHUNK - 1}/*"}


async def test_emulator_storing_a_chunk_twice_is_caught_and_deleted(fake_gcs: FakeGCSServer, bucket: str) -> None:
    # The answer to chunk 2 is lost after the emulator took its bytes; the retry sends
    # them again and fake-gcs-server appends them a second time (GCS would skip them).
    # The size/MD5 check refuses the committed object instead of reporting success.
    data = pattern(3 * CHUNK + 10, salt=7)
    async with faulty_front(fake_gcs.api_root) as front:
        front.chunk_faults = {1: "lose-answer"}
        config = GCSConfig(bucket=bucket, api_root=front.url, chunk_size=CHUNK, retry=FAST)
        async with GCSStorage(config) as storage:
            with pytest.raises(StorageConnectionError, match="differs from the data sent") as caught:
                await storage.put("twice.bin", chunks(data))
            assert "it was deleted" in str(caught.value)
            assert caught.value.key == "twice.bin"
            assert not await storage.exists("twice.bin")


# -- against GCS's recorded answers ---------------------------------------------------------


async def test_failed_chunk_resent_from_last_confirmed_offset_then_where_gcs_stopped() -> None:
    # Chunk 2 fails (503). It is sent again from the offset GCS last confirmed; GCS
    # keeps 1000 bytes of it (308, Range) and sending goes on from there.
    data = pattern(2 * CHUNK + 100)
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/resumable/XYZ"
        server.script = [
            empty_answer(200, {"Location": session_uri}),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK - 1}"}),  # chunk 1 accepted
            json_answer(503, BACKEND_ERROR),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK + 1000 - 1}"}),  # 1000 bytes of chunk 2 kept
            empty_answer(308, {"Range": f"bytes=0-{2 * CHUNK - 1}"}),  # the rest of chunk 2
            json_answer(200, object_resource("bucket", "retried.bin", len(data), md5Hash=md5_of(data))),
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            stored = await storage.put("retried.bin", chunks(data))
        assert stored.size == len(data)
        puts = [r for r in server.requests if r.method == "PUT"]
        assert [r.headers["Content-Range"] for r in puts] == [
            f"bytes 0-{CHUNK - 1}/*",
            f"bytes {CHUNK}-{2 * CHUNK - 1}/*",
            f"bytes {CHUNK}-{2 * CHUNK - 1}/*",
            f"bytes {CHUNK + 1000}-{2 * CHUNK - 1}/*",
            f"bytes {2 * CHUNK}-{len(data) - 1}/{len(data)}",
        ]
        assert puts[2].body == data[CHUNK : 2 * CHUNK]
        assert puts[3].body == data[CHUNK + 1000 : 2 * CHUNK]
        assert puts[4].body == data[2 * CHUNK :]
        assert [r.method for r in server.requests].count("DELETE") == 0


async def test_part_failing_after_gcs_kept_some_of_it_goes_on_from_there() -> None:
    # GCS keeps 1000 bytes of chunk 2 (308), then the rest fails (503): the retry of
    # the part starts where GCS stopped, not at the part's first byte.
    data = pattern(2 * CHUNK + 100, salt=2)
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/resumable/PARTIAL"
        server.script = [
            empty_answer(200, {"Location": session_uri}),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK - 1}"}),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK + 1000 - 1}"}),
            json_answer(503, BACKEND_ERROR),
            empty_answer(308, {"Range": f"bytes=0-{2 * CHUNK - 1}"}),
            json_answer(200, object_resource("bucket", "partial.bin", len(data), md5Hash=md5_of(data))),
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            stored = await storage.put("partial.bin", chunks(data))
        assert stored.size == len(data)
        puts = [r for r in server.requests if r.method == "PUT"]
        assert [r.headers["Content-Range"] for r in puts] == [
            f"bytes 0-{CHUNK - 1}/*",
            f"bytes {CHUNK}-{2 * CHUNK - 1}/*",
            f"bytes {CHUNK + 1000}-{2 * CHUNK - 1}/*",
            f"bytes {CHUNK + 1000}-{2 * CHUNK - 1}/*",
            f"bytes {2 * CHUNK}-{len(data) - 1}/{len(data)}",
        ]
        assert puts[3].body == data[CHUNK + 1000 : 2 * CHUNK]


async def test_resent_chunk_gcs_already_held_moves_on() -> None:
    # The answer to chunk 1 was lost although GCS persisted it: the re-sent chunk is
    # answered with the same Range and the upload goes on (no byte sent twice is kept).
    data = pattern(CHUNK + 50)
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/resumable/LOST"
        server.script = [
            empty_answer(200, {"Location": session_uri}),
            json_answer(503, BACKEND_ERROR),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK - 1}"}),
            json_answer(200, object_resource("bucket", "lost.bin", len(data), md5Hash=md5_of(data))),
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            stored = await storage.put("lost.bin", data)
        assert stored.size == len(data)
        assert [r.headers["Content-Range"] for r in server.requests if r.method == "PUT"] == [
            f"bytes 0-{CHUNK - 1}/*",
            f"bytes 0-{CHUNK - 1}/*",
            f"bytes {CHUNK}-{len(data) - 1}/{len(data)}",
        ]


async def test_gives_up_after_retries_and_cancels_the_session() -> None:
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/resumable/XYZ"
        failure = json_answer(503, BACKEND_ERROR)
        server.script = [empty_answer(200, {"Location": session_uri}), failure, failure, failure, empty_answer(499)]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            with pytest.raises(StorageConnectionError):
                await storage.put("never.bin", chunks(pattern(CHUNK + 1)))
        assert [r.method for r in server.requests] == ["POST", "PUT", "PUT", "PUT", "DELETE"]
        assert {r.headers["Content-Range"] for r in server.requests[1:4]} == {f"bytes 0-{CHUNK - 1}/*"}
        assert server.requests[-1].path == "/upload/resumable/XYZ"


@pytest.mark.parametrize(
    ("problem", "resource_changes"),
    [
        (f"GCS stored MD5 {md5_of(b'something else')}", {"md5Hash": md5_of(b"something else")}),
        (f"GCS stored {CHUNK} bytes, {CHUNK + 10} were sent", {"size": str(CHUNK)}),
    ],
)
async def test_committed_object_differing_from_the_data_is_deleted(
    problem: str, resource_changes: dict[str, str]
) -> None:
    data = pattern(CHUNK + 10)
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/resumable/BAD"
        resource = {**object_resource("bucket", "prefix/bad.bin", len(data), md5Hash=md5_of(data)), **resource_changes}
        server.script = [
            empty_answer(200, {"Location": session_uri}),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK - 1}"}),
            json_answer(200, resource),
            empty_answer(204),  # the object's deletion
            empty_answer(499),  # the session's cancellation (best effort)
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT, prefix="prefix")
        async with GCSStorage(config) as storage:
            with pytest.raises(StorageConnectionError, match="it was deleted") as caught:
                await storage.put("bad.bin", data)
        assert problem in str(caught.value)
        deletion = server.requests[3]
        assert deletion.method == "DELETE"
        assert deletion.raw_path == "/storage/v1/b/bucket/o/prefix%2Fbad.bin"
        # Only the generation just written: a newer one written meanwhile stays.
        assert deletion.query["ifGenerationMatch"] == resource["generation"]


async def test_non_final_chunk_answered_with_an_object_is_refused() -> None:
    # fake-gcs-server's failure mode, replayed: a request commits the object early.
    data = pattern(2 * CHUNK + 10)
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/resumable/EARLY"
        early = object_resource("bucket", "early.bin", CHUNK, md5Hash=md5_of(data[:CHUNK]))
        server.script = [empty_answer(200, {"Location": session_uri}), json_answer(200, early), empty_answer(404)]
        server.script.append(empty_answer(499))
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            with pytest.raises(StorageConnectionError, match=f"after {CHUNK} bytes, before the last chunk"):
                await storage.put("early.bin", chunks(data))


async def test_deletion_failure_is_reported() -> None:
    data = pattern(CHUNK + 10)
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/resumable/BAD"
        resource = object_resource("bucket", "bad.bin", len(data), md5Hash=md5_of(b"other"))
        server.script = [
            empty_answer(200, {"Location": session_uri}),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK - 1}"}),
            json_answer(200, resource),
            json_answer(503, BACKEND_ERROR),
            empty_answer(499),
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            with pytest.raises(StorageConnectionError, match="deleting it failed"):
                await storage.put("bad.bin", data)


# -- what the committed object is checked against ------------------------------------------


@pytest.mark.parametrize("with_md5", [False, True])
async def test_committed_object_is_checked_by_size_and_md5_when_given(with_md5: bool) -> None:
    # A composite object has no md5Hash: its size is still checked, and accepted here.
    data = pattern(CHUNK + 10, salt=3)
    extra = {"md5Hash": md5_of(data) if with_md5 else None}
    async with replay_server() as server:
        session_uri = f"{server.url}/upload/resumable/OK"
        server.script = [
            empty_answer(200, {"Location": session_uri}),
            empty_answer(308, {"Range": f"bytes=0-{CHUNK - 1}"}),
            json_answer(200, object_resource("bucket", "ok.bin", len(data), **extra)),
        ]
        config = GCSConfig(bucket="bucket", api_root=server.url, chunk_size=CHUNK, retry=NO_WAIT)
        async with GCSStorage(config) as storage:
            stored = await storage.put("ok.bin", chunks(data))
        assert stored.size == len(data)
        assert [r.method for r in server.requests] == ["POST", "PUT", "PUT"]
