"""Paired measure of a driver against its raw client: ``ObstoreStorage`` against raw obstore, and more.

``hatch run bench:python benchmarks/obstore_pairs.py SUITE [--rounds 24] [--out FILE]``
with SUITE one of ``memory``, ``s3``, ``azure`` (obstore's stores), or ``s3-sdk``,
``azure-sdk``, ``gcs-sdk`` (``S3Storage``, ``AzureStorage``, ``GCSStorage`` against raw
aiobotocore, azure-storage-blob, gcloud-aio-storage). On a shared machine the CPU per
operation of one contender moves by tens of percent between runs; here the raw client and
the storage alternate in small batches in one process (order swapped every
batch), and each row's ratio is the median of the ratios of adjacent batches, which
load drifts cancel out of. Streamed puts alternate the same way. To compare two
versions of the code, run it once per checkout (``PYTHONPATH`` pointing at each one's
``packages/*/src``) and compare the ratios. docs/performance.md shows its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import services
from benchmarks.harness.contender import Contender, StorageContender
from benchmarks.harness.scenarios import run_concurrently, stream_source
from benchmarks.suites import azure, gcs, memory, s3

MiB = 1024 * 1024
SUITES: dict[str, tuple[type[Contender], type[Contender], Callable[[ExitStack], Any] | None, int, int, int]] = {
    # raw peer, ObstoreStorage, service starter, objects per batch at c=1 and c=64, streamed size
    "memory": (memory.ObstoreMemory, memory.ObstoreStorageContender, None, 60, 192, 64 * MiB),
    "s3": (s3.ObstoreS3, s3.ObstoreStorageContender, services.start_moto, 30, 128, 32 * MiB),
    "azure": (azure.ObstoreAzure, azure.ObstoreStorageContender, services.start_azurite, 30, 128, 32 * MiB),
    # The SDK backends against their raw clients (the full run's small-operation rows, paired).
    "s3-sdk": (s3.RawAiobotocore, s3.OursS3, services.start_moto, 30, 128, 32 * MiB),
    "azure-sdk": (azure.RawAzure, azure.OursAzure, services.start_azurite, 30, 128, 32 * MiB),
    "gcs-sdk": (gcs.RawGCS, gcs.OursGCS, services.start_fake_gcs, 30, 128, 0),
}


async def measure(suite: str, rounds: int, streamed_rounds: int) -> dict[str, list[float]]:
    """Run the paired batches; return every batch's figure per ``contender.metric`` name."""
    peer, ours, start, batch1, batch64, large = SUITES[suite]
    samples: dict[str, list[float]] = {}
    with ExitStack() as stack:
        endpoint = start(stack) if start is not None else {}
        contenders = {"raw": peer(endpoint), "ours": ours(endpoint)}
        for contender in contenders.values():
            await contender.open()
        data = os.urandom(1024)
        for who, contender in contenders.items():  # connections opened, code paths warm, off the clock
            warm = [f"pairs/warm-{who}/{index}" for index in range(64)]
            for _, operation in _phases(who, contender, data):
                await run_concurrently(operation, warm, 64)
        gc.collect()
        gc.freeze()  # what exists now is never scanned again: collections cost the same for both
        for concurrency, size in ((1, batch1), (64, batch64)):
            for run in range(rounds):
                order = list(contenders.items())
                for who, contender in order if run % 2 == 0 else order[::-1]:
                    keys = [f"pairs/{who}/c{concurrency}r{run}/{index:05d}" for index in range(size)]
                    for phase, operation in _phases(who, contender, data):
                        started = time.process_time()
                        await run_concurrently(operation, keys, concurrency)
                        spent = (time.process_time() - started) / size * 1e6
                        samples.setdefault(f"{who}.{phase}.c{concurrency}", []).append(spent)
        for run in range(streamed_rounds if large else 0):  # gcloud-aio-storage uploads no stream
            order = list(contenders.items())
            for who, contender in order if run % 2 == 0 else order[::-1]:
                gc.collect()
                cpu, wall = time.process_time(), time.perf_counter()
                await contender.put_stream(f"pairs/large-{who}", stream_source(large, MiB), large)
                wall = time.perf_counter() - wall
                samples.setdefault(f"{who}.streamed.mb_s", []).append(large / wall / 1e6)
                cpu_per_gib = (time.process_time() - cpu) / (large / 1024**3)
                samples.setdefault(f"{who}.streamed.cpu_s_gib", []).append(cpu_per_gib)
                await contender.delete(f"pairs/large-{who}")
        for contender in contenders.values():
            await contender.close()
    return samples


def _phases(who: str, contender: Contender, data: bytes) -> list[tuple[str, Callable[[str], Awaitable[object]]]]:
    phases: list[tuple[str, Callable[[str], Awaitable[object]]]] = [
        ("put", lambda key: contender.put_small(key, data)),
        ("get", contender.get_small),
        ("info", contender.info),
        ("delete", contender.delete),
    ]
    if who == "ours" and isinstance(contender, StorageContender):
        storage = contender.storage
        # Raw obstore's delete does not tell whether the object existed: the Storage
        # call with the same meaning is delete(key, missing_ok=True).
        phases += [
            ("put_again", lambda key: contender.put_small(key, data)),
            ("delete_missing_ok", lambda key: storage.delete(key, missing_ok=True)),
        ]
    return phases


def table(samples: dict[str, list[float]], names: tuple[str, str] = ("raw obstore", "ObstoreStorage")) -> str:
    """Render the ratios (median of adjacent-batch ratios for CPU, of medians for streams)."""
    lines = [f"| Row | {names[0]} | {names[1]} | ratio |", "|---|--:|--:|--:|"]
    operations = ("put", "get", "info", "delete")
    rows = [(f"{op} 1 KiB, c={c} (µs/op)", f"raw.{op}.c{c}", f"ours.{op}.c{c}") for c in (1, 64) for op in operations]
    for c in (1, 64):
        rows.append((f"delete(missing_ok=True), c={c} (µs/op)", f"raw.delete.c{c}", f"ours.delete_missing_ok.c{c}"))
    for label, raw_name, ours_name in rows:
        raw, ours = samples[raw_name], samples[ours_name]
        ratio = statistics.median(mine / theirs for theirs, mine in zip(raw, ours, strict=True))
        lines.append(f"| {label} | {statistics.median(raw):,.0f} | {statistics.median(ours):,.0f} | {ratio:.2f}x |")
    for label, metric in (("streamed put (MB/s)", "streamed.mb_s"), ("streamed put (CPU s/GiB)", "streamed.cpu_s_gib")):
        if f"raw.{metric}" not in samples:
            continue
        raw_value = statistics.median(samples[f"raw.{metric}"])
        ours_value = statistics.median(samples[f"ours.{metric}"])
        lines.append(f"| {label} | {raw_value:,.2f} | {ours_value:,.2f} | {ours_value / raw_value:.2f}x |")
    return "\n".join(lines)


def main() -> None:
    """Measure one suite, print its table, and save the samples when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("--rounds", type=int, default=24, help="batch pairs per concurrency level")
    parser.add_argument("--streamed", type=int, default=6, help="streamed puts per contender")
    parser.add_argument("--out", type=Path, help="write every sample here (JSON)")
    args = parser.parse_args()
    samples = asyncio.run(measure(args.suite, args.rounds, args.streamed))
    if args.out is not None:
        args.out.write_text(json.dumps(samples))
    peer, ours = SUITES[args.suite][:2]
    print(table(samples, (peer.name, ours.name)))


if __name__ == "__main__":
    main()
