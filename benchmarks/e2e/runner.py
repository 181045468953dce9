"""End-to-end HTTP: ``hatch run bench:e2e [--quick] [--runs N]``.

Serves one folder through uvicorn (uvloop, httptools; one process) with four contenders
and drives them with real clients: ``wrk`` for 1 KiB downloads (requests/s and p99
latency at 64 connections), ``curl`` for the large transfers (one at a time: MB/s, the
server's CPU seconds per GiB from ``/proc/<pid>/stat`` and its peak RSS from ``VmHWM``,
reset before each transfer). nginx (Debian ``nginx-light``, one worker, ``sendfile``)
serves the same folder as the physical reference for downloads. Each run starts every
server afresh, in an order rotated between runs; the table shows medians and the
spread. See ``docs/performance.md`` ("End-to-end HTTP").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.e2e.charts import DOCS, write_charts
from benchmarks.e2e.servers import Server, Unavailable, nginx, uvicorn

MiB = 1024 * 1024
GiB = 1024 * MiB
RESULTS = Path(__file__).resolve().parents[1] / "results"

OURS = "litestar-storages"
LITESTAR = "Litestar File / UploadFile by hand"
STARLETTE = "Starlette FileResponse"
NGINX = "nginx"
COLUMNS = (OURS, LITESTAR, STARLETTE, NGINX)


@dataclass(frozen=True)
class Profile:
    """Sizes and durations of a run."""

    name: str
    runs: int
    small: int
    large: int
    wrk_seconds: int
    connections: int


FULL = Profile("full", runs=3, small=1024, large=1 * GiB, wrk_seconds=10, connections=64)
QUICK = Profile("quick", runs=1, small=1024, large=32 * MiB, wrk_seconds=2, connections=64)


@dataclass(frozen=True)
class Row:
    """One line of the table: a metric, its unit and direction, and the target on ours."""

    metric: str
    label: str
    unit: str
    higher_is_better: bool
    targets: tuple[tuple[str, float], ...] = ()
    """``(reference column, smallest ratio ours ÷ reference)`` (for costs, reference ÷ ours)."""
    bound: float | None = None
    """Largest acceptable value of ours (memory)."""
    compare: str | None = None
    """Scenario of the reference columns when it is not this row's (tus against the hand-written multipart)."""


def rows(profile: Profile) -> list[Row]:
    """The table's rows, labelled with this profile's sizes."""
    large = _human(profile.large)
    small = _human(profile.small)
    c = profile.connections
    return [
        Row("small.rps", f"download {small}, c={c}", "req/s", True, ((LITESTAR, 0.9),)),
        Row("small.p99", f"download {small}, c={c}, p99 latency", "ms", False),
        Row("large_get.mb_s", f"download {large}", "MB/s", True, ((LITESTAR, 0.9), (NGINX, 0.5))),
        Row("large_get.cpu", f"download {large}, server CPU", "s/GiB", False),
        Row("large_get.rss", f"download {large}, server peak RSS growth", "MiB", False),
        Row("body_put.mb_s", f"upload {large}, raw body (PUT)", "MB/s", True, ((LITESTAR, 1.0),)),
        Row("body_put.cpu", f"upload {large}, raw body, server CPU", "s/GiB", False),
        Row("body_put.rss", f"upload {large}, raw body, server peak RSS growth", "MiB", False, bound=64.0),
        Row("form_post.mb_s", f"upload {large}, multipart form", "MB/s", True, ((LITESTAR, 1.0),)),
        Row("form_post.cpu", f"upload {large}, multipart form, server CPU", "s/GiB", False),
        Row("form_post.rss", f"upload {large}, multipart form, server peak RSS growth", "MiB", False, bound=64.0),
        Row("tus.mb_s", f"upload {large}, tus (create + PATCH)", "MB/s", True, ((LITESTAR, 1.0),), compare="form_post"),
        Row("tus.cpu", f"upload {large}, tus, server CPU", "s/GiB", False),
        Row("tus.rss", f"upload {large}, tus, server peak RSS growth", "MiB", False, bound=64.0),
    ]


def _human(size: int) -> str:
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"


# -- clients -------------------------------------------------------------------------------


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of ``wrk`` against ``url``."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors against {url}:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output).groups()  # type: ignore[union-attr]
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def curl(args: list[str], url: str) -> float:
    """Run ``curl`` (output discarded), check the status is 2xx, return the wall time."""
    started = time.perf_counter()
    status = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *args, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    elapsed = time.perf_counter() - started
    if not status.startswith("2"):
        raise RuntimeError(f"curl {url}: HTTP {status}")
    return elapsed


def transfer(server: Server, size: int, run: Callable[[], float]) -> dict[str, float]:
    """Measure one large transfer: MB/s, server CPU per GiB, server peak RSS growth."""
    server.reset_peak()
    rss = server.rss_mib()
    cpu = server.cpu_seconds()
    elapsed = run()
    return {
        "mb_s": size / elapsed / 1e6,
        "cpu": (server.cpu_seconds() - cpu) / (size / GiB),
        "rss": server.peak_rss_mib() - rss,
    }


# -- the run -------------------------------------------------------------------------------


def make_fixtures(root: Path, profile: Profile) -> Path:
    """Write the 1 KiB and large files to serve; return the large one (also the upload source)."""
    (root / "small.bin").write_bytes(os.urandom(profile.small))
    large = root / "large.bin"
    block = os.urandom(MiB)
    with large.open("wb") as file:
        for _ in range(profile.large // MiB):
            file.write(block)
    return large


def measure_server(name: str, server: Server, root: Path, profile: Profile, *, run: int) -> dict[str, float]:
    """Every scenario the server has, once (uploads send the served large file)."""
    large = root / "large.bin"
    found: dict[str, float] = {}
    size = profile.large
    small_url = f"{server.url}/f/small.bin"
    curl([], small_url)  # warm: imports, first connection, the file in the page cache
    wrk(small_url, 1, profile.connections)  # and a second of load, off the record (lazy imports, caches)
    found["small.rps"], found["small.p99"] = wrk(small_url, profile.wrk_seconds, profile.connections)
    for key, value in transfer(server, size, lambda: curl([], f"{server.url}/f/large.bin")).items():
        found[f"large_get.{key}"] = value
    if name in (OURS, LITESTAR):
        for route, args in (("body_put", ["-T", str(large)]), ("form_post", ["-F", f"file=@{large}"])):
            key = f"uploads/{route}-r{run}.bin"
            path = "body" if route == "body_put" else "form"
            url = f"{server.url}/{path}/{key}"
            for metric, value in transfer(server, size, lambda url=url, args=args: curl(args, url)).items():  # type: ignore[misc]
                found[f"{route}.{metric}"] = value
            stored = root / key
            if stored.stat().st_size != size:
                raise RuntimeError(f"{name} stored {stored.stat().st_size} bytes for {route}, expected {size}")
            stored.unlink()
    if name == OURS:
        upload: list[str] = []
        for metric, value in transfer(server, size, lambda: tus_upload(server.url, large, size, upload)).items():
            found[f"tus.{metric}"] = value
        stored = root / "uploads" / upload[0]
        if stored.stat().st_size != size:
            raise RuntimeError(f"tus stored {stored.stat().st_size} bytes, expected {size}")
        stored.unlink()
    return found


def tus_upload(base: str, source: Path, size: int, ids: list[str]) -> float:
    """Create a tus upload and send the whole file in one PATCH (curl streams it); return the wall time."""
    started = time.perf_counter()
    create = ["-X", "POST", "-H", "Tus-Resumable: 1.0.0", "-H", f"Upload-Length: {size}"]
    headers = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-D", "-", *create, f"{base}/tus"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"^location:\s*(\S+)", headers, re.IGNORECASE | re.MULTILINE)
    if found is None:
        raise RuntimeError(f"tus creation gave no Location:\n{headers}")
    location = found.group(1)
    ids.append(location.rstrip("/").rsplit("/", 1)[1])
    tus_headers = ["-H", "Tus-Resumable: 1.0.0", "-H", "Upload-Offset: 0"]
    content_type = ["-H", "Content-Type: application/offset+octet-stream"]
    curl(["-X", "PATCH", *tus_headers, *content_type, "-T", str(source)], location)
    return time.perf_counter() - started


def servers(root: Path, work: Path) -> dict[str, Callable[[], AbstractContextManager[Server]]]:
    """How to start each column's server."""
    return {
        OURS: lambda: uvicorn(OURS, "plugin", root, work),
        LITESTAR: lambda: uvicorn(LITESTAR, "litestar", root, work),
        STARLETTE: lambda: uvicorn(STARLETTE, "starlette", root, work),
        NGINX: lambda: nginx(root, work),
    }


def rotate(items: list[str], by: int) -> list[str]:
    """``items`` rotated left by ``by``."""
    shift = by % len(items)
    return [*items[shift:], *items[:shift]]


def run(profile: Profile, log: Callable[[str], None]) -> dict[str, Any]:
    """Measure every column ``profile.runs`` times; return the record (samples and machine)."""
    if shutil.which("wrk") is None or shutil.which("curl") is None:
        raise SystemExit("the end-to-end suite needs wrk and curl (Debian: apt-get install wrk curl)")
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in COLUMNS}
    unavailable: dict[str, str] = {}
    started = time.monotonic()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="lss-e2e-") as scratch:
        root = Path(scratch) / "served"
        work = Path(scratch) / "work"
        root.mkdir()
        work.mkdir()
        make_fixtures(root, profile)
        starters = servers(root, work)
        for index in range(profile.runs):
            for name in rotate(list(COLUMNS), index):
                if name in unavailable:
                    continue
                try:
                    with starters[name]() as server:
                        found = measure_server(name, server, root, profile, run=index)
                except Unavailable as error:
                    unavailable[name] = str(error)
                    log(f"{name}: unavailable: {error}")
                    continue
                for metric, value in found.items():
                    samples[name].setdefault(metric, []).append(value)
                log(f"run {index + 1}/{profile.runs} {name}: " + ", ".join(f"{k} {v:,.3g}" for k, v in found.items()))
    return {
        "profile": profile.name,
        "runs": profile.runs,
        "sizes": {"small": profile.small, "large": profile.large},
        "seconds": round(time.monotonic() - started, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_start": [round(x, 2) for x in load_start],
            "load_end": [round(x, 2) for x in os.getloadavg()],
        },
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "unavailable": unavailable,
        "samples": samples,
    }


# -- the table -----------------------------------------------------------------------------


def _cell(values: list[float] | None) -> str:
    if not values:
        return "n/a"
    middle = statistics.median(values)
    spread = (max(values) - min(values)) / 2 / middle * 100 if middle else 0.0
    text = f"{middle:,.0f}" if abs(middle) >= 100 else f"{middle:,.3g}"
    return f"{text} ±{spread:.0f}%" if len(values) > 1 else text


def table(record: dict[str, Any]) -> tuple[str, list[str]]:
    """The Markdown table of a record, and the list of missed targets."""
    base = FULL if record["profile"] == "full" else QUICK
    sizes = record["sizes"]
    profile = dataclasses.replace(base, runs=record["runs"], small=sizes["small"], large=sizes["large"])
    samples: dict[str, dict[str, list[float]]] = record["samples"]
    missed: list[str] = []
    lines = [
        "| Scenario | Unit | " + " | ".join(COLUMNS) + " | Target (ours) |",
        "|---|---|" + "--:|" * len(COLUMNS) + "---|",
    ]
    for row in rows(profile):
        ours = samples[OURS].get(row.metric)
        checks = []
        for reference, ratio in row.targets:
            theirs = samples[reference].get(row.metric if row.compare is None else f"{row.compare}.mb_s")
            if not ours or not theirs:
                checks.append(f">= {ratio}x {reference.split()[0]}: n/a")
                continue
            actual = statistics.median(ours) / statistics.median(theirs)
            met = actual >= ratio
            checks.append(f">= {ratio}x {reference.split()[0]}: {actual:.2f}x {'✅' if met else '❌'}")
            if not met:
                missed.append(f"{row.label}: {actual:.2f}x {reference} (target >= {ratio}x)")
        if row.bound is not None and ours:
            met = statistics.median(ours) <= row.bound
            checks.append(f"< {row.bound:.0f} MiB {'✅' if met else '❌'}")
            if not met:
                missed.append(f"{row.label}: {statistics.median(ours):.0f} MiB (target < {row.bound:.0f} MiB)")
        cells = [_cell(samples[name].get(row.metric)) for name in COLUMNS]
        lines.append(f"| {row.label} | {row.unit} | " + " | ".join(cells) + " | " + "; ".join(checks) + " |")
    return "\n".join(lines), missed


def report(record: dict[str, Any]) -> str:
    """The whole Markdown report of a run."""
    body, missed = table(record)
    machine = record["machine"]
    head = (
        f"End-to-end run of {record['when']} ({record['profile']} profile, {record['runs']} runs,"
        f" {record['seconds']} s) on {machine['cpus']} CPUs, {machine['platform']}, CPython {machine['python']};"
        f" load average {machine['load_start']} at the start, {machine['load_end']} at the end."
    )
    notes = [
        "Each cell: median of the runs ±half their range. Servers: uvicorn (one process, uvloop, httptools);"
        " nginx-light with one worker and sendfile. Clients: wrk -t2 (1 KiB), curl (one transfer at a time).",
        "tus: one creation POST, then the whole file in one PATCH, against the hand-written multipart copy.",
    ]
    notes.extend(f"{name}: {reason}" for name, reason in record["unavailable"].items())
    missed_text = "\n".join(f"- {line}" for line in missed) or "- none"
    return f"{head}\n\nTargets missed:\n\n{missed_text}\n\n{body}\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the suite (or redraw a saved run with ``--render``) and write the results."""
    parser = argparse.ArgumentParser(prog="hatch run bench:e2e", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="32 MiB transfers, 2 s of wrk, one run (CI)")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument(
        "--render", type=Path, default=None, help="print the report of a saved e2e.json and redraw its charts"
    )
    parser.add_argument(
        "--charts",
        type=Path,
        default=None,
        help="folder of the SVG charts (default: docs/_static/benchmarks for a full run, else benchmarks/results/tmp)",
    )
    args = parser.parse_args(argv)
    if args.render is not None:
        record = json.loads(args.render.read_text())
        print(report(record))
        _charts(record, args.charts)
        return 0
    profile = QUICK if args.quick else FULL
    if args.runs is not None:
        profile = dataclasses.replace(profile, runs=args.runs)
    record = run(profile, lambda line: print(line, flush=True))
    text = report(record)
    folder = RESULTS if profile.name == "full" else RESULTS / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "e2e.json").write_text(json.dumps(record, indent=1) + "\n")
    (folder / "e2e.md").write_text(text)
    print()
    print(text)
    print(f"written to {folder / 'e2e.json'} and {folder / 'e2e.md'}")
    _charts(record, args.charts)
    return 0


def _charts(record: dict[str, Any], folder: Path | None) -> None:
    # A quick run's figures never replace the published charts unless asked to.
    if folder is None:
        folder = DOCS if record["profile"] == "full" else RESULTS / "tmp"
    for path in write_charts(record, folder):
        print(f"chart: {path}")
