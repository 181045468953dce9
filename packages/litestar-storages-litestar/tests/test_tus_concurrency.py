"""tus uploads shared by several apps (processes) over one storage: restarts, alternating and
racing PATCHes, and the upload lock (dead, live, taken over).

Requests are made by hand (raw ASGI messages, tus_asgi_client.py) where the test needs what
an HTTP client cannot do on purpose: a body cut by a disconnect, or held half-sent while
another request comes in. The real-client tests (tuspy over uvicorn, every backend) are in
tests-integration/test_tus.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from tus_asgi_client import KIB, PART, Body, chunks, create, keys, make_app, offset_of, patch, payload

from litestar_storages import FileSystemConfig, FileSystemStorage
from litestar_storages.base import BaseStorage
from litestar_storages.contrib.tus import TusError
from litestar_storages.contrib.tus.service import PatchRequest


async def test_a_new_app_over_the_same_storage_resumes(tmp_path: Path) -> None:
    # A restart: a new process has nothing but the folder.
    data = payload(2 * PART + 11)
    first, _ = make_app(FileSystemStorage(FileSystemConfig(path=tmp_path)))
    url = await create(first, len(data))
    assert (await patch(first, url, 0, data[: PART + 100])).status == 204
    second, _ = make_app(FileSystemStorage(FileSystemConfig(path=tmp_path)))
    assert await offset_of(second, url) == PART + 100
    assert (await patch(second, url, PART + 100, data[PART + 100 :])).status == 204
    assert (tmp_path / "uploads" / url.rsplit("/", 1)[1]).read_bytes() == data


async def test_two_apps_serve_alternate_patches(tmp_path: Path) -> None:
    apps = [make_app(FileSystemStorage(FileSystemConfig(path=tmp_path)))[0] for _ in range(2)]
    data = payload(5 * PART + 3)
    url = await create(apps[0], len(data))
    offset, turn, step = 0, 0, PART // 2 + 1
    while offset < len(data):
        answer = await patch(apps[turn % 2], url, offset, data[offset : offset + step])
        assert answer.status == 204
        offset = int(answer.headers["upload-offset"])
        turn += 1
    assert turn == 10
    assert (tmp_path / "uploads" / url.rsplit("/", 1)[1]).read_bytes() == data


async def test_concurrent_patches_at_one_offset(storage: BaseStorage) -> None:
    # Two apps over one storage (two processes behind a load balancer).
    apps = [make_app(storage)[0] for _ in range(2)]
    data = payload(2 * PART)
    url = await create(apps[0], len(data))
    gate = asyncio.Event()
    held = Body(chunks(data[: PART + 10]), gate=gate)
    first = asyncio.create_task(patch(apps[0], url, 0, held))
    await held.reached_gate.wait()
    rival = await patch(apps[1], url, 0, b"X" * (PART + 10))
    assert rival.status == 409
    gate.set()
    assert (await first).status == 204
    assert (await patch(apps[1], url, PART + 10, data[PART + 10 :])).status == 204
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == data


RACE_ROUNDS = 5
RACERS = 8


async def test_racing_patches_one_wins_each_round(storage: BaseStorage) -> None:
    # 8 PATCHes at the same offset per round, spread over 2 apps (processes), 5 rounds,
    # each body different: exactly one is accepted per round, and the object is the
    # winners' bytes in order.
    apps = [make_app(storage)[0] for _ in range(2)]
    piece = PART + 1001
    url = await create(apps[0], RACE_ROUNDS * piece)
    expected = b""
    for round_ in range(RACE_ROUNDS):
        bodies = [payload(piece, seed=round_ * RACERS + racer) for racer in range(RACERS)]
        answers = await asyncio.gather(
            *(
                patch(apps[racer % 2], url, round_ * piece, Body(chunks(body, 32 * KIB)))
                for racer, body in enumerate(bodies)
            )
        )
        statuses = [answer.status for answer in answers]
        assert sorted(statuses) == [204] + [409] * (RACERS - 1), statuses
        expected += bodies[statuses.index(204)]
    assert await storage.get_bytes("uploads/" + url.rsplit("/", 1)[1]) == expected


async def test_a_dead_lock_is_taken_over_after_the_timeout(storage: BaseStorage) -> None:
    app, uploads = make_app(storage, lock_timeout=timedelta(seconds=30))
    url = await create(app, 10)
    upload_id = url.rsplit("/", 1)[1]
    # A PATCH whose process died: its lock stays, written 31 s ago.
    await uploads.store.write_json(
        f"tus-state/{upload_id}/lock/0000000000/000000.json", {"owner": "dead", "at": 0.0}, overwrite=False
    )
    assert (await patch(app, url, 0, b"0123456789")).status == 204
    assert await storage.get_bytes(f"uploads/{upload_id}") == b"0123456789"


async def test_a_live_lock_refuses(storage: BaseStorage) -> None:
    app, uploads = make_app(storage)
    url = await create(app, 10)
    upload_id = url.rsplit("/", 1)[1]
    await uploads.store.write_json(
        f"tus-state/{upload_id}/lock/0000000000/000000.json",
        {"owner": "alive", "at": uploads.clock()},
        overwrite=False,
    )
    assert (await patch(app, url, 0, b"0123456789")).status == 409
    assert await offset_of(app, url) == 0


async def test_a_patch_from_a_state_extended_meanwhile_writes_no_part(storage: BaseStorage) -> None:
    # Process C read the state, then process A extended it and released its lock: C
    # must not send parts numbered from the old state (they would replace A's).
    app, uploads = make_app(storage)
    data = payload(2 * PART + 9)
    url = await create(app, len(data))
    upload_id = url.rsplit("/", 1)[1]
    info, before = await uploads.find(upload_id)
    assert (await patch(app, url, 0, data[: PART + 1])).status == 204

    async def rival_body() -> AsyncIterator[bytes]:
        yield b"X" * (PART + 1)

    rival = PatchRequest(
        offset=0, length=None, content_length=PART + 1, checksum=None, body=rival_body(), max_size=None
    )
    with pytest.raises(TusError) as refused:
        await uploads.append(info, before, rival)
    assert refused.value.status_code == 409
    assert (await patch(app, url, PART + 1, data[PART + 1 :])).status == 204
    assert await storage.get_bytes(f"uploads/{upload_id}") == data


async def test_a_stalled_patch_whose_lock_was_taken_over_records_nothing(storage: BaseStorage) -> None:
    app, uploads = make_app(storage)
    url = await create(app, 2 * PART)
    upload_id = url.rsplit("/", 1)[1]
    gate = asyncio.Event()
    held = Body(chunks(payload(PART + 10)), gate=gate)
    stalled = asyncio.create_task(patch(app, url, 0, held))
    await held.reached_gate.wait()
    # Meanwhile its lock went stale and another PATCH took it over (generation 1).
    await uploads.store.write_json(
        f"tus-state/{upload_id}/lock/0000000000/000001.json", {"owner": "taker", "at": uploads.clock()}, overwrite=False
    )
    gate.set()
    assert (await stalled).status == 409
    assert await offset_of(app, url) == 0
    assert [name for name in await keys(storage) if "/tail/" in name] == []
