"""Faults injected between the client and each emulator: nothing lost, nothing half-written.

A :class:`~storages_harness.proxy.FaultProxy` sits in front of the emulator and answers
503/500, resets or closes connections mid-transfer, stalls or slows the answers of the
requests each test targets. Retries must recover from transient failures (the data read
back is verified), an upload that cannot get through must leave neither an object nor
an open multipart upload, a cut download must raise ``StorageConnectionError`` rather
than return short data, and a stalled service must hit the configured timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest
from storages_harness.backends import NETWORK_IDS, Backend
from storages_harness.checks import (
    FAST_RETRY,
    assert_no_leftovers,
    pattern,
    read_or_none,
    stream,
    through_proxy,
)
from storages_harness.proxy import close, reset, slow, stall

from litestar_storages.exceptions import StorageConnectionError
from litestar_storages.retry import RetryConfig

pytestmark = pytest.mark.backends(*NETWORK_IDS)

MIB = 1024 * 1024
SMALL = 200_000
LARGE = 6 * MIB + 4321
OLD = b"the previous version"
TIMEOUT = 1.0
"""Connect/read timeout given to the stalled storages, in seconds."""
HANG = 30.0
"""A call taking this long is hung: the configured timeout did not apply."""


# -- transient failures are retried ---------------------------------------------------------


@pytest.mark.parametrize("status", [503, 500])
async def test_upload_retries_server_errors(backend: Backend, status: int) -> None:
    async with through_proxy(backend, retry=FAST_RETRY) as setup:
        assert setup.proxy is not None
        match = backend.upload_request("small.bin")
        setup.proxy.add(backend.error_fault(status, times=2, **match))
        data = pattern(SMALL, salt=1)
        await setup.storage.put("small.bin", data, metadata={"try": "again"})
        assert await setup.storage.get_bytes("small.bin") == data
        assert (await setup.storage.info("small.bin")).metadata == {"try": "again"}
        faults = [request.fault for request in setup.proxy.requests_for(**match)]
        assert faults[:3] == ["respond", "respond", None], faults


@pytest.mark.parametrize("status", [503, 500])
async def test_download_retries_server_errors(backend: Backend, status: int) -> None:
    async with through_proxy(backend, retry=FAST_RETRY) as setup:
        assert setup.proxy is not None
        data = pattern(SMALL, salt=2)
        await setup.storage.put("read.bin", data)
        match = backend.download_request("read.bin")
        setup.proxy.add(backend.error_fault(status, times=2, **match))
        assert await setup.storage.get_bytes("read.bin") == data
        assert [request.fault for request in setup.proxy.requests_for(**match)][:3] == ["respond", "respond", None]


@pytest.mark.parametrize("phase", ["request", "response"])
async def test_upload_retries_connection_resets(backend: Backend, phase: str) -> None:
    # "request": the connection dies while the body is being sent; "response": the
    # service got everything but its answer is lost. Twice, so our retry (not only the
    # HTTP client's single reconnect) is needed.
    async with through_proxy(backend, retry=FAST_RETRY) as setup:
        assert setup.proxy is not None
        match = backend.upload_request("reset.bin")
        setup.proxy.add(reset(50_000 if phase == "request" else 0, phase=phase, times=2, **match))  # type: ignore[arg-type]
        data = pattern(SMALL, salt=3)
        await setup.storage.put("reset.bin", data)
        assert await setup.storage.get_bytes("reset.bin") == data
        assert len(setup.proxy.requests_for(**match)) >= 3


async def test_download_retries_resets_before_the_body(backend: Backend) -> None:
    async with through_proxy(backend, retry=FAST_RETRY) as setup:
        assert setup.proxy is not None
        data = pattern(SMALL, salt=4)
        await setup.storage.put("read.bin", data)
        setup.proxy.add(reset(0, times=2, **backend.download_request("read.bin")))
        assert await setup.storage.get_bytes("read.bin") == data


async def test_large_upload_retries_a_failed_part(backend: Backend) -> None:
    async with through_proxy(backend, retry=FAST_RETRY) as setup:
        assert setup.proxy is not None
        setup.proxy.add(
            reset(100_000, phase="request", skip=1, times=1, **backend.part_request()),
            backend.error_fault(503, skip=2, times=1, **backend.part_request()),
        )
        data = pattern(LARGE, salt=5)
        await setup.storage.put("large.bin", stream(data))
        assert await setup.storage.get_bytes("large.bin") == data
        await assert_no_leftovers(backend, setup.namespace)


# -- uploads that cannot get through leave nothing ----------------------------------------


@pytest.mark.parametrize("previous", ["absent", "present"])
@pytest.mark.parametrize("size", ["small", "large"])
async def test_dead_upload_leaves_nothing(backend: Backend, size: str, previous: str) -> None:
    async with through_proxy(backend, retry=FAST_RETRY) as setup:
        assert setup.proxy is not None
        if previous == "present":
            await setup.storage.put("dead.bin", OLD)
        if size == "small":
            data = pattern(SMALL, salt=6)
            setup.proxy.add(reset(20_000, phase="request", times=None, **backend.upload_request("dead.bin")))
        else:
            # The first part gets through; every later one dies mid-body, retries included.
            data = pattern(LARGE, salt=6)
            setup.proxy.add(reset(100_000, phase="request", skip=1, times=None, **backend.part_request()))
        with pytest.raises(StorageConnectionError):
            await setup.storage.put("dead.bin", stream(data) if size == "large" else data)
        assert backend.abandoned_sessions(setup.proxy.requests) == [], "upload sessions left open"
        setup.proxy.clear()
        assert await read_or_none(setup.storage, "dead.bin") == (OLD if previous == "present" else None)
        await assert_no_leftovers(backend, setup.namespace)


# -- cut downloads raise, never return short data ----------------------------------------


@pytest.mark.parametrize("how", ["reset", "clean-close"])
async def test_download_cut_mid_body_raises(backend: Backend, how: str) -> None:
    # Every attempt is cut: two are enough to show a retry does not paper over it.
    retry = RetryConfig(max_attempts=2, base_delay=0.01, jitter=False)
    async with through_proxy(backend, retry=retry) as setup:
        assert setup.proxy is not None
        data = pattern(2 * MIB, salt=7)
        await setup.storage.put("cut.bin", data)
        fault = reset if how == "reset" else close
        setup.proxy.add(fault(300_000, times=None, **backend.download_request("cut.bin")))
        with pytest.raises(StorageConnectionError):
            await setup.storage.get_bytes("cut.bin")
        received = bytearray()

        async def consume() -> None:
            async for chunk in setup.storage.get("cut.bin"):
                received.extend(chunk)

        with pytest.raises(StorageConnectionError):
            await consume()
        assert len(received) < len(data)
        assert data.startswith(bytes(received)), "the bytes received before the cut are wrong"
        setup.proxy.clear()
        assert await setup.storage.get_bytes("cut.bin") == data


# -- a stalled service hits the configured timeout ------------------------------------------


@pytest.mark.parametrize("where", ["before-answer", "mid-body", "upload"])
async def test_stall_hits_the_configured_timeout(backend: Backend, where: str) -> None:
    assert backend.timeout_setting is not None, f"{backend.id}: the config has no timeout setting"
    retry = RetryConfig(max_attempts=2, base_delay=0.01, jitter=False)
    async with through_proxy(backend, retry=retry, timeout=TIMEOUT) as setup:
        assert setup.proxy is not None
        data = pattern(2 * MIB, salt=8)
        await setup.storage.put("stalled.bin", data)
        loop = asyncio.get_running_loop()
        started = loop.time()
        operation: Awaitable[object]
        if where == "upload":
            setup.proxy.add(stall(0, phase="request", times=None, **backend.upload_request("stalled-up.bin")))
            operation = setup.storage.put("stalled-up.bin", pattern(SMALL))
        else:
            after = 0 if where == "before-answer" else 300_000
            setup.proxy.add(stall(after, times=None, **backend.download_request("stalled.bin")))
            operation = setup.storage.get_bytes("stalled.bin")
        try:
            with pytest.raises(StorageConnectionError):
                await asyncio.wait_for(operation, HANG)
        except asyncio.TimeoutError:
            pytest.fail(f"{backend.id} hung for {HANG:.0f}s despite {backend.timeout_setting}={TIMEOUT}")
        elapsed = loop.time() - started
        assert elapsed < HANG


async def test_slow_answers_within_the_timeout_complete(backend: Backend) -> None:
    async with through_proxy(backend, retry=FAST_RETRY, timeout=5.0) as setup:
        assert setup.proxy is not None
        data = pattern(MIB, salt=9)
        await setup.storage.put("slow.bin", data)
        setup.proxy.add(slow(4 * MIB, **backend.download_request("slow.bin")))
        assert await setup.storage.get_bytes("slow.bin") == data
        assert setup.proxy.requests_for(**backend.download_request("slow.bin"))[0].fault == "slow"
