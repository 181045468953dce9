"""Profile one end-to-end server under load with py-spy: ``python -m benchmarks.e2e.profile plugin small``.

Starts the app (``plugin``, ``litestar`` or ``starlette``) as the suite does, drives it
(``small``: wrk on the 1 KiB file at 64 connections; ``large``: curl downloads of a
256 MiB file; ``body``/``form``/``tus``: curl uploads of it; tus only for ``plugin``) while ``py-spy record`` samples
the server, and prints the functions that take the most samples (own time and
cumulative), from py-spy's raw (collapsed stacks) output. py-spy is not a dependency:
``pip install py-spy`` into the bench environment first.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.e2e.runner import MiB, curl, tus_upload, wrk
from benchmarks.e2e.servers import uvicorn


def summarize(collapsed: Path, top: int) -> str:
    """Top functions by own samples and by samples anywhere in the stack."""
    own: collections.Counter[str] = collections.Counter()
    anywhere: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            anywhere[frame] += count
    lines = [f"{total} samples", "", "own:"]
    lines += [f"  {count / total:6.1%}  {name}" for name, count in own.most_common(top)]
    lines += ["", "cumulative:"]
    lines += [f"  {count / total:6.1%}  {name}" for name, count in anywhere.most_common(top)]
    return "\n".join(lines)


def main() -> int:
    """Run the profile and print its summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", choices=["plugin", "litestar", "starlette"])
    parser.add_argument("load", choices=["small", "large", "body", "form", "tus"])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    with tempfile.TemporaryDirectory(prefix="lss-e2e-profile-") as scratch:
        root = Path(scratch) / "served"
        root.mkdir()
        (root / "small.bin").write_bytes(os.urandom(1024))
        large = root / "large.bin"
        large.write_bytes(os.urandom(MiB) * 256)
        output = Path(scratch) / "profile.txt"
        with uvicorn(args.app, args.app, root, Path(scratch)) as server:
            curl([], f"{server.url}/f/small.bin")
            command = [spy, "record", "-p", str(server.pid), "-d", str(args.seconds), "-r", "250", "-f", "raw"]
            record = subprocess.Popen(
                [*command, "-o", str(output), "--nonblocking"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.5)
            deadline = time.monotonic() + args.seconds - 1
            if args.load == "small":
                rps, p99 = wrk(f"{server.url}/f/small.bin", args.seconds - 1, 64)
                print(f"{rps:,.0f} req/s, p99 {p99:.1f} ms")
            while args.load != "small" and time.monotonic() < deadline:
                if args.load == "large":
                    curl([], f"{server.url}/f/large.bin")
                elif args.load == "tus":
                    tus_upload(server.url, large, large.stat().st_size, [])
                else:
                    flags = ["-T", str(large)] if args.load == "body" else ["-F", f"file=@{large}"]
                    curl(flags, f"{server.url}/{args.load}/up.bin")
            record.wait(timeout=args.seconds + 30)
        print(summarize(output, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
