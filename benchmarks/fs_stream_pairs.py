"""FileSystemStorage's streamed put and get against a raw ``os`` loop, interleaved in one process.

``hatch run bench:python benchmarks/fs_stream_pairs.py [--sizes 256,1024] [--repeats 5]``

Writes ``benchmarks/results/fs_stream_pairs.json`` and its chart,
``docs/_static/benchmarks/fs-stream-pairs.svg`` (``--chart`` elsewhere, ``--render`` to
redraw a saved record).

The filesystem target (issue 20) is streamed put and get at >= 0.8x the raw loop at
256 MiB and 1 GiB, without holding the event loop more than a few milliseconds. On a
shared machine absolute figures drift by tens of percent between minutes, so each repeat
runs ours and raw back to back (the order swapped every repeat), and the table shows the
median of the per-repeat ratios with their spread, beside the median MB/s.

Like with like: both write 1 MiB chunks from the same async source (a fresh ``bytes``
per chunk, a loop turn between chunks, as a network body gives), neither calls
``fsync`` (``FileSystemConfig.fsync`` defaults to ``False``), both replace an existing
file of the same size, and both read 1 MiB chunks with a warm page cache. Ours writes a
temporary file and renames it into place; raw writes in place with ``O_TRUNC``, and a
third contender, the same raw loop writing a new file renamed into place, is the raw
cost of an atomic replacement (the old version's pages stay cached until the rename,
where ``O_TRUNC`` frees them first). CPU is split into user and system time. The loop
lag is measured by a task sleeping 1 ms in a loop during each transfer: the largest
lateness is how long something held the loop (the raw loop holds it for whole writes
and, for a get, the whole read).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness.svg_bars import Bar, Panel, bar_chart
from litestar_storages.backends.filesystem import FileSystemConfig, FileSystemStorage

MiB = 1024 * 1024
CHUNK = MiB
TARGET = 0.8


async def source(size: int, block: bytes) -> AsyncIterator[bytes]:
    """Yield ``size`` bytes in fresh 1 MiB ``bytes`` objects, one loop turn between chunks."""
    view = memoryview(block)
    remaining = size
    while remaining > 0:
        count = min(CHUNK, remaining)
        await asyncio.sleep(0)
        yield bytes(view[:count])
        remaining -= count


class LagProbe:
    """A task sleeping 1 ms in a loop; the largest lateness of its wake-ups is the loop's longest stall."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._asleep_since = time.perf_counter()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self._asleep_since = time.perf_counter()
            await asyncio.sleep(0.001)
            self.worst = max(self.worst, time.perf_counter() - self._asleep_since - 0.001)

    async def __aenter__(self) -> LagProbe:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        # A transfer that never awaits (the raw get) holds the loop until here: count that sleep too.
        self.worst = max(self.worst, time.perf_counter() - self._asleep_since - 0.001)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def raw_put(path: str, chunks: AsyncIterator[bytes]) -> None:
    """The raw loop: blocking ``os.write`` of each chunk on the event loop."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        async for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


async def raw_put_renamed(path: str, chunks: AsyncIterator[bytes]) -> None:
    """The raw loop into a new file, renamed over the old one (an atomic replacement, by hand)."""
    await raw_put(path + ".new", chunks)
    os.rename(path + ".new", path)


async def raw_get(path: str) -> int:
    """The raw loop: blocking ``os.read`` of each chunk on the event loop (it never awaits)."""
    total = 0
    fd = os.open(path, os.O_RDONLY)
    try:
        while chunk := os.read(fd, CHUNK):
            total += len(chunk)
    finally:
        os.close(fd)
    return total


async def ours_get(storage: FileSystemStorage, key: str) -> int:
    """Our streamed get, consumed chunk by chunk."""
    total = 0
    async for chunk in storage.get(key):
        total += len(chunk)
    return total


async def timed(operation: Callable[[], Awaitable[object]]) -> tuple[float, float, float, float]:
    """Run ``operation`` under the lag probe.

    Returns:
        ``(seconds, worst loop stall in ms, CPU seconds, system CPU seconds)``: the
        process's, every thread's (so our worker threads count).
    """
    async with LagProbe() as probe:
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        await operation()
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
    system = after.ru_stime - before.ru_stime
    return elapsed, probe.worst * 1000, after.ru_utime - before.ru_utime + system, system


def spread(values: list[float]) -> str:
    """Median and ±half the range, as text."""
    middle = statistics.median(values)
    half = (max(values) - min(values)) / 2
    return f"{middle:.2f} ±{half / middle * 100 if middle else 0:.0f}%"


Samples = dict[str, list[tuple[float, float, float, float]]]
"""Per transfer (``"put ours"``, ``"put raw"``, ``"put raw+rename"``, ...): :func:`timed`'s result per repeat."""

RESULTS = Path(__file__).resolve().parent / "results" / "fs_stream_pairs.json"
CHART = Path(__file__).resolve().parents[1] / "docs" / "_static" / "benchmarks" / "fs-stream-pairs.svg"


async def measure(root: str, size: int, repeats: int) -> Samples:
    """Interleave ours and raw ``repeats`` times for one size; return the samples."""
    storage = FileSystemStorage(FileSystemConfig(path=root))
    block = os.urandom(CHUNK)
    key = f"pairs/{size}"
    raw_path = os.path.join(root, f"raw-{size}")
    results: Samples = {
        "put ours": [],
        "put raw": [],
        "put raw+rename": [],
        "get ours": [],
        "get raw": [],
    }

    async def put_ours() -> None:
        await storage.put(key, source(size, block))

    async def put_raw() -> None:
        await raw_put(raw_path, source(size, block))

    async def put_raw_renamed() -> None:
        await raw_put_renamed(raw_path, source(size, block))

    async def get_ours() -> None:
        assert await ours_get(storage, key) == size

    async def get_raw() -> None:
        assert await raw_get(raw_path) == size

    # Warm-up: both files exist (each put replaces a file of the same size) and are cached.
    await put_ours()
    await put_raw()
    for repeat in range(repeats):
        pairs = [("put ours", put_ours), ("put raw", put_raw), ("put raw+rename", put_raw_renamed)]
        gets = [("get ours", get_ours), ("get raw", get_raw)]
        if repeat % 2:
            pairs.reverse()
            gets.reverse()
        for name, operation in (*pairs, *gets):
            results[name].append(await timed(operation))
    await storage.close()
    os.unlink(raw_path)
    return results


def _renamed_ratio(results: Samples, kind: str) -> str:
    renamed = results.get(f"{kind} raw+rename")
    if not renamed:
        return "n/a"
    ratios = [r[0] / o[0] for o, r in zip(results[f"{kind} ours"], renamed, strict=True)]
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"


def table_rows(size: int, results: Samples) -> list[list[str]]:
    """The Markdown table's rows of one size."""
    rows = []
    for kind in ("put", "get"):
        ours, raw = results[f"{kind} ours"], results[f"{kind} raw"]
        ratios = [r[0] / o[0] for o, r in zip(ours, raw, strict=True)]
        ratio = statistics.median(ratios)
        gib = size / (1024 * MiB)
        rows.append(
            [
                f"streamed {kind} {size // MiB} MiB",
                f"{statistics.median(size / o[0] / 1e6 for o in ours):,.0f}",
                f"{statistics.median(size / r[0] / 1e6 for r in raw):,.0f}",
                f"{ratio:.2f}x " + ("✅" if ratio >= TARGET else "❌"),
                f"{min(ratios):.2f}-{max(ratios):.2f}",
                f"{statistics.median(o[2] for o in ours) / gib:.2f}"
                f" ({statistics.median(o[2] - o[3] for o in ours) / gib:.2f} user)",
                f"{statistics.median(r[2] for r in raw) / gib:.2f}",
                _renamed_ratio(results, kind),
                f"{statistics.median(o[1] for o in ours):.1f} / {max(o[1] for o in ours):.1f}",
                f"{statistics.median(r[1] for r in raw):.1f}",
            ]
        )
    return rows


def main() -> None:
    """Parse arguments, measure each size, print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="256,1024", help="sizes in MiB, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dir", default=None, help="folder to write in (a temporary one by default)")
    parser.add_argument("--chart", type=Path, default=CHART, help="where the SVG chart goes")
    parser.add_argument("--render", type=Path, default=None, help="print and redraw a saved record instead")
    args = parser.parse_args()
    if args.render is not None:
        record = json.loads(args.render.read_text())
    else:
        record = run(args.sizes, args.repeats, args.dir)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(record, indent=1) + "\n")
    print_table(record)
    args.chart.parent.mkdir(parents=True, exist_ok=True)
    args.chart.write_text(chart(record), encoding="utf-8")
    print(f"\nchart: {args.chart}")


def run(sizes: str, repeats: int, folder: str | None) -> dict[str, object]:
    """Measure every size; return the record (samples, load, the machine's loop noise)."""
    samples: dict[str, Samples] = {}
    with tempfile.TemporaryDirectory(prefix="lss-pairs-", dir=folder) as root:
        noise = asyncio.run(noise_floor())
        for size in (int(text) * MiB for text in sizes.split(",")):
            samples[str(size)] = asyncio.run(measure(root, size, repeats))
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "repeats": repeats,
        "load": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
        "noise_ms": round(noise, 2),
        "samples": samples,
    }


def print_table(record: dict[str, Any]) -> None:
    """Print the Markdown table of a record."""
    header = [
        "Transfer",
        "ours MB/s",
        "raw MB/s",
        "ours ÷ raw (median of pairs)",
        "range of pair ratios",
        "ours CPU s/GiB (user)",
        "raw CPU s/GiB",
        "ours ÷ raw new file + rename (range)",
        "ours loop stall ms (median / max)",
        "raw loop stall ms",
    ]
    rows = []
    for size, results in record["samples"].items():
        rows.extend(table_rows(int(size), results))
    load = record["load"]
    print(
        f"{record['when']}: {record['repeats']} interleaved pairs per row; load average"
        f" {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; loop stall of an idle loop over 1 s"
        f" (the machine's scheduling noise): {record['noise_ms']:.1f} ms\n"
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] + ["--:"] * (len(header) - 1)) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def chart(record: dict[str, Any]) -> str:
    """The SVG chart of a record: MB/s of ours and of the raw loop per transfer."""
    panels = []
    for kind in ("put", "get"):
        for size_text, results in record["samples"].items():
            size = int(size_text)
            label = f"{size // MiB} MiB" if size < 1024 * MiB else f"{size // (1024 * MiB)} GiB"
            bars = []
            contenders = [("ours", "FileSystemStorage", "ours"), ("raw", "raw os loop, in place", "reference")]
            if results.get(f"{kind} raw+rename"):
                contenders.append(("raw+rename", "raw os loop, new file + rename", "reference"))
            for who, name, colour in contenders:
                speeds = [size / sample[0] / 1e6 for sample in results[f"{kind} {who}"]]
                several = len(speeds) > 1
                bars.append(
                    Bar(
                        name,
                        statistics.median(speeds),
                        min(speeds) if several else None,
                        max(speeds) if several else None,
                        colour,
                    )
                )
            ours, raw = results[f"{kind} ours"], results[f"{kind} raw"]
            ratio = statistics.median(r[0] / o[0] for o, r in zip(ours, raw, strict=True))
            unit = f"MB/s; ours ÷ raw in place {ratio:.2f}x (target 0.8x)"
            panels.append(Panel(f"streamed {kind} {label}", unit, bars))
    load = record["load"]
    note = (
        f"{record['when']}, {record['repeats']} interleaved pairs, median and range;"
        f" {record['cpus']} CPUs, load average {load[0]:.2f}; warm page cache, 1 MiB chunks, no fsync"
    )
    return bar_chart("FileSystemStorage streams against a raw os loop", panels, note=note)


async def noise_floor() -> float:
    """The probe's worst lateness over one second of an idle loop: what the machine adds to every stall."""
    async with LagProbe() as probe:
        await asyncio.sleep(1.0)
    return probe.worst * 1000


if __name__ == "__main__":
    main()
