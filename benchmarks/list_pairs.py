"""Paired measure of listing: ``list()`` of litestar-storages against the raw SDK client.

``hatch run bench:python benchmarks/list_pairs.py SUITE [--keys 10000] [--rounds 12]``
with SUITE one of ``s3``, ``gcs``, ``azure``. The full benchmark measures a listing's
client CPU once per run, and on a shared machine one contender's figure moves by tens of
percent between runs. Here the raw client and the storage list the same keys in one
process, alternating (order swapped every round), and the ratio printed is the median of
the ratios of adjacent listings, which load drifts cancel out of. To compare two
versions of the code, run it once per checkout (``PYTHONPATH`` pointing at each one's
``packages/*/src``). docs/performance.md shows its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import services
from benchmarks.harness.contender import Contender
from benchmarks.harness.scenarios import write_many
from benchmarks.suites import azure, gcs, s3

SUITES: dict[str, tuple[type[Contender], type[Contender], Callable[[ExitStack], Any]]] = {
    # raw peer, the storage, service starter
    "s3": (s3.RawAiobotocore, s3.OursS3, services.start_moto),
    "gcs": (gcs.RawGCS, gcs.OursGCS, services.start_fake_gcs),
    "azure": (azure.RawAzure, azure.OursAzure, services.start_azurite),
}
PREFIX = "list-pairs"


async def measure(suite: str, keys: int, rounds: int) -> dict[str, list[float]]:
    """Write the keys, then list them ``rounds`` times per contender; return µs of CPU per key."""
    peer, ours, start = SUITES[suite]
    samples: dict[str, list[float]] = {"raw": [], "ours": []}
    with ExitStack() as stack:
        endpoint = start(stack)
        contenders = {"raw": peer(endpoint), "ours": ours(endpoint)}
        for contender in contenders.values():
            await contender.open()
        await write_many(contenders["ours"], PREFIX, keys)
        for contender in contenders.values():  # connections opened, code paths warm, off the clock
            await contender.list_count(PREFIX + "/")
        gc.collect()
        gc.freeze()  # what exists now is never scanned again: collections cost the same for both
        for run in range(rounds):
            order = list(contenders.items())
            for who, contender in order if run % 2 == 0 else order[::-1]:
                started = time.process_time()
                listed = await contender.list_count(PREFIX + "/")
                spent = time.process_time() - started
                if listed != keys:
                    raise RuntimeError(f"{who} listed {listed} keys, expected {keys}")
                samples[who].append(spent / keys * 1e6)
        for contender in contenders.values():
            await contender.close()
    return samples


def table(suite: str, samples: dict[str, list[float]]) -> str:
    """Render the medians and the median of adjacent ratios."""
    raw, ours = samples["raw"], samples["ours"]
    ratio = statistics.median(mine / theirs for theirs, mine in zip(raw, ours, strict=True))
    return "\n".join(
        (
            f"| {suite} listing (µs of client CPU per key) | raw client | litestar-storages | ratio |",
            "|---|--:|--:|--:|",
            f"| {len(raw)} rounds | {statistics.median(raw):.2f} | {statistics.median(ours):.2f} | {ratio:.3f}x |",
        )
    )


def main() -> None:
    """Measure one suite and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("suite", choices=sorted(SUITES))
    parser.add_argument("--keys", type=int, default=10_000, help="objects listed (the full benchmark's count)")
    parser.add_argument("--rounds", type=int, default=12, help="listings per contender")
    args = parser.parse_args()
    print(table(args.suite, asyncio.run(measure(args.suite, args.keys, args.rounds))))


if __name__ == "__main__":
    main()
