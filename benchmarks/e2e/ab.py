"""Interleaved A/B of 1 KiB downloads: ``hatch run bench:python -m benchmarks.e2e.ab [--rounds N]``.

One machine's load moves a lot between two runs of the suite; this starts three
uvicorn servers once (``storage_response`` over ``FileSystemStorage`` with its one-call
``open_object``, the same over ``info`` then ``get``, and Litestar's ``File``) and
drives them with ``wrk`` in turns, the order rotated every round, so each pair of
figures saw the same load. It prints every round and the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
from pathlib import Path

from benchmarks.e2e.runner import curl, wrk
from benchmarks.e2e.servers import uvicorn

CONTENDERS = {
    "one call (open_object)": "plugin",
    "two calls (info + get)": "plugin_two_calls",
    "Litestar File": "litestar",
}


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)
    names = list(CONTENDERS)
    results: dict[str, list[float]] = {name: [] for name in names}
    latencies: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="lss-e2e-ab-") as scratch, contextlib.ExitStack() as stack:
        root = Path(scratch) / "served"
        work = Path(scratch) / "work"
        root.mkdir()
        work.mkdir()
        (root / "small.bin").write_bytes(os.urandom(1024))
        servers = {
            name: stack.enter_context(uvicorn(name, factory, root, work)) for name, factory in CONTENDERS.items()
        }
        for server in servers.values():
            curl([], f"{server.url}/f/small.bin")
            wrk(f"{server.url}/f/small.bin", 1, args.connections)  # warm-up, off the record
        for index in range(args.rounds):
            order = names[index % len(names) :] + names[: index % len(names)]
            for name in order:
                rps, p99 = wrk(f"{servers[name].url}/f/small.bin", args.seconds, args.connections)
                results[name].append(rps)
                latencies[name].append(p99)
            print(f"round {index + 1}: " + ", ".join(f"{name} {results[name][-1]:,.0f}" for name in names), flush=True)
    one, two, file = (results[name] for name in names)

    def ratio(ours: list[float], theirs: list[float]) -> float:
        return statistics.median(a / b for a, b in zip(ours, theirs, strict=True))

    print()
    print(f"load average at the end: {os.getloadavg()}")
    print("req/s medians: " + ", ".join(f"{name} {statistics.median(results[name]):,.0f}" for name in names))
    p99s = ", ".join(f"{name} {statistics.median(latencies[name]):.1f}" for name in names)
    print(f"p99 latency medians (ms): {p99s}")
    print(f"one call ÷ Litestar File, median of rounds: {ratio(one, file):.2f}x")
    print(f"two calls ÷ Litestar File, median of rounds: {ratio(two, file):.2f}x")
    print(f"one call ÷ two calls, median of rounds: {ratio(one, two):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
