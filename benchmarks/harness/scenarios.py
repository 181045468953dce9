"""The scenarios, run inside a worker process against one contender.

Each returns a flat ``{metric: value}`` dict; metric names are described in
``metrics.py``. Results are checked (sizes, counts) outside the timed block, so a
contender that returns wrong data fails instead of looking fast.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from benchmarks.harness.contender import Contender
from benchmarks.harness.measure import measure
from benchmarks.harness.profile import GiB, MiB

Params = dict[str, Any]
Metrics = dict[str, float]
Scenario = Callable[[Contender, Params], Awaitable[Metrics]]


class BenchmarkError(Exception):
    """A contender returned wrong data or the set-up failed."""


async def stream_source(size: int, chunk_size: int) -> AsyncIterator[bytes]:
    """Yield ``size`` random bytes in ``chunk_size`` chunks, a fresh object each, like a network body.

    Like a network body, it gives the event loop a turn between chunks, so the loop
    lag measured is the consumer's, not the source's.

    Args:
        size: Total bytes.
        chunk_size: Bytes per chunk.

    Yields:
        The chunks.
    """
    block = memoryview(os.urandom(min(size, chunk_size)) if size else b"")
    remaining = size
    while remaining > 0:
        count = min(chunk_size, remaining)
        await asyncio.sleep(0)
        yield bytes(block[:count])
        remaining -= count


async def run_concurrently(operation: Callable[[str], Awaitable[object]], keys: list[str], concurrency: int) -> None:
    """Apply ``operation`` to every key with at most ``concurrency`` in flight.

    Args:
        operation: The async operation.
        keys: The keys, consumed in order.
        concurrency: Tasks pulling from the shared key iterator.
    """
    pending: Iterator[str] = iter(keys)

    async def lane() -> None:
        for key in pending:
            await operation(key)

    if concurrency <= 1:
        await lane()
        return
    await asyncio.gather(*(lane() for _ in range(min(concurrency, len(keys)))))


async def small_objects(contender: Contender, params: Params) -> Metrics:
    """1 KiB objects: put, get, info, delete, each phase timed, at each concurrency level.

    Params: ``prefix``, ``ops`` (objects per phase), ``size``, ``concurrency`` (list).
    """
    data = os.urandom(params["size"])
    metrics: Metrics = {}
    sizes: list[int] = []

    async def get(key: str) -> None:
        sizes.append(len(await contender.get_small(key)))

    async def info(key: str) -> None:
        sizes.append(await contender.info(key))

    for concurrency in params["concurrency"]:
        base = f"{params['prefix']}/c{concurrency}"
        # Warm up every connection the pool will use at this concurrency, off the clock.
        warm = [f"{base}/warm-{i:03d}" for i in range(max(1, min(concurrency, params["ops"])))]
        await run_concurrently(lambda key: contender.put_small(key, data), warm, concurrency)
        await run_concurrently(contender.get_small, warm, concurrency)
        await run_concurrently(contender.delete, warm, concurrency)

        keys = [f"{base}/{i:05d}" for i in range(params["ops"])]
        phases: list[tuple[str, Callable[[str], Awaitable[object]]]] = [
            ("put", lambda key: contender.put_small(key, data)),
            ("get", get),
            ("info", info),
            ("delete", contender.delete),
        ]
        for phase, operation in phases:
            sizes.clear()
            gc.collect()
            async with measure() as result:
                await run_concurrently(operation, keys, concurrency)
            if phase in {"get", "info"} and sizes != [len(data)] * len(keys):
                raise BenchmarkError(f"{phase} returned wrong sizes: {sorted(set(sizes))}")
            metrics[f"small.{phase}.c{concurrency}.ops_s"] = len(keys) / result.wall
            metrics[f"small.{phase}.c{concurrency}.cpu_us"] = result.cpu / len(keys) * 1e6
    return metrics


def _transfer_metrics(name: str, size: int, result: Any) -> Metrics:
    metrics = {
        f"{name}.mb_s": size / result.wall / 1e6,
        f"{name}.rss_mib": result.rss_growth / MiB,
        f"{name}.cpu_s_gib": result.cpu / (size / GiB),
    }
    if result.lag_max is not None:
        metrics[f"{name}.lag_max_ms"] = result.lag_max * 1e3
        metrics[f"{name}.lag_p99_ms"] = result.lag_p99 * 1e3
    return metrics


async def large_put(contender: Contender, params: Params) -> Metrics:
    """One streamed upload of ``size`` bytes; deleted afterwards, off the clock.

    Params: ``key``, ``size``, ``chunk_size``; ``metric`` (``"large.put"`` unless given).
    """
    key, size = params["key"], params["size"]
    gc.collect()
    async with measure(memory=True, loop_lag=True) as result:
        await contender.put_stream(key, stream_source(size, params["chunk_size"]), size)
    stored = await contender.info(key)
    await contender.delete(key)
    if stored != size:
        raise BenchmarkError(f"uploaded {stored} bytes, expected {size}")
    return _transfer_metrics(params.get("metric", "large.put"), size, result)


async def large_get(contender: Contender, params: Params) -> Metrics:
    """One streamed download of the fixture object (written first when ``prepare`` is set).

    Params: ``key``, ``size``, ``chunk_size``, ``prepare``; ``metric`` (``"large.get"`` unless
    given); ``cleanup`` (delete the object afterwards, off the clock).
    """
    key, size = params["key"], params["size"]
    if params.get("prepare"):
        await contender.put_stream(key, stream_source(size, params["chunk_size"]), size)
    gc.collect()
    async with measure(memory=True, loop_lag=True) as result:
        received = await contender.get_stream(key)
    if received != size:
        raise BenchmarkError(f"downloaded {received} bytes, expected {size}")
    if params.get("cleanup"):
        await contender.delete(key)
    return _transfer_metrics(params.get("metric", "large.get"), size, result)


async def write_many(contender: Contender, prefix: str, count: int, concurrency: int = 32) -> None:
    """Write ``count`` 16-byte objects under ``prefix`` (a listing fixture)."""
    data = b"0123456789abcdef"
    keys = [f"{prefix}/{i:06d}.bin" for i in range(count)]
    await run_concurrently(lambda key: contender.put_small(key, data), keys, concurrency)


async def list_keys(contender: Contender, params: Params) -> Metrics:
    """List every key under the fixture prefix (written first when ``prepare`` is set).

    Params: ``prefix``, ``count``, ``prepare``.
    """
    prefix, count = params["prefix"], params["count"]
    if params.get("prepare"):
        await write_many(contender, prefix, count)
    gc.collect()
    async with measure() as result:
        listed = await contender.list_count(prefix + "/")
    if listed != count:
        raise BenchmarkError(f"listed {listed} keys, expected {count}")
    return {"list.keys_s": count / result.wall, "list.cpu_us": result.cpu / count * 1e6}


async def copy_object(contender: Contender, params: Params) -> Metrics:
    """Copy the fixture object (written first when ``prepare`` is set); the copy is deleted after.

    Params: ``source``, ``destination``, ``size``, ``chunk_size``, ``prepare``.
    """
    source, destination, size = params["source"], params["destination"], params["size"]
    if params.get("prepare"):
        await contender.put_stream(source, stream_source(size, params["chunk_size"]), size)
    gc.collect()
    async with measure(memory=True, loop_lag=True) as result:
        await contender.copy(source, destination)
    copied = await contender.info(destination)
    await contender.delete(destination)
    if copied != size:
        raise BenchmarkError(f"copy has {copied} bytes, expected {size}")
    return {"copy.mb_s": size / result.wall / 1e6, "copy.rss_mib": result.rss_growth / MiB}


async def prepare_fixtures(contender: Contender, params: Params) -> Metrics:
    """Write the shared fixtures of a suite: the listing keys and the large and copy objects.

    Params: ``list_prefix``, ``list_count``, ``large_key``, ``large_size``, ``copy_key``,
    ``copy_size``, ``chunk_size``.
    """
    if params.get("list_count"):
        await write_many(contender, params["list_prefix"], params["list_count"])
    for name in ("large", "copy"):
        key, size = params.get(f"{name}_key"), int(params.get(f"{name}_size") or 0)
        if key:
            await contender.put_stream(key, stream_source(size, params["chunk_size"]), size)
    return {}


async def probe(contender: Contender, params: Params) -> Metrics:
    """Open and close the contender: tells whether its library is installed and reaches the service."""
    await contender.put_small(params["key"], b"probe")
    await contender.delete(params["key"])
    return {}


SCENARIOS: dict[str, Scenario] = {
    "small": small_objects,
    "large_put": large_put,
    "large_get": large_get,
    "mid_put": large_put,  # the same scenarios at the profile's second size (params name the metrics)
    "mid_get": large_get,
    "list": list_keys,
    "copy": copy_object,
    "prepare": prepare_fixtures,
    "probe": probe,
}
