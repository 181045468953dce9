"""Runs the suites: services up, contenders probed, fixtures written, samples gathered.

Every sample runs in its own worker process, forked from a server that imported the
SDKs once (cheap to start, same starting memory for every contender). Contenders are
rotated between runs so that drift on a shared machine spreads evenly over them.
"""

from __future__ import annotations

import importlib
import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any

from benchmarks.harness.contender import Endpoint
from benchmarks.harness.profile import Profile
from benchmarks.harness.suite import SuiteSpec, Unavailable, slug
from benchmarks.harness.worker import Job, JobResult, child_main

PRELOAD = (
    "benchmarks.harness.worker",
    "psutil",
    "litestar_storages",
    "litestar_storages.backends.filesystem",
    "litestar_storages.backends.s3",
    "litestar_storages.backends.azure",
    "litestar_storages.backends.gcs",
    "benchmarks.suites.memory",
    "benchmarks.suites.filesystem",
    "benchmarks.suites.s3",
    "benchmarks.suites.azure",
    "benchmarks.suites.gcs",
    "obstore",
    "aiofiles",
    "aiobotocore.session",
    "aioboto3",
    "s3fs",
    "azure.storage.blob.aio",
    "gcloud.aio.storage",
    "aiohttp",
    "benchmarks.harness.freeze",  # last: freezes everything imported above
)
"""Modules the fork server imports once; missing ones are skipped silently."""

Log = Callable[[str], None]


class WorkerLauncher:
    """Runs each job in a fresh process forked from a preloaded fork server."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(list(PRELOAD))

    def run(self, job: Job, *, timeout: float) -> JobResult:
        """Run ``job`` in a new worker; a worker that hangs past ``timeout`` is killed.

        Args:
            job: The job.
            timeout: Seconds before the worker is killed.

        Returns:
            The worker's result, or ``{"error": ...}`` when it died or timed out.
        """
        receiver, sender = self._context.Pipe(duplex=False)
        process = self._context.Process(target=child_main, args=(job, sender), daemon=True)
        process.start()
        sender.close()
        result: JobResult
        try:
            result = receiver.recv() if receiver.poll(timeout) else {"error": f"timed out after {timeout:.0f} s"}
        except EOFError:
            result = {"error": "worker died without a result"}
        finally:
            receiver.close()
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
        if "error" in result and process.exitcode not in (0, None):
            result["error"] += f" (worker exit code {process.exitcode})"
        return result


def load_suite(name: str) -> SuiteSpec:
    """Import ``benchmarks.suites.<name>`` and return its ``SUITE``."""
    spec: SuiteSpec = importlib.import_module(f"benchmarks.suites.{name}").SUITE
    return spec


def rotate(items: Sequence[str], by: int) -> list[str]:
    """Return ``items`` rotated left by ``by`` places."""
    if not items:
        return []
    shift = by % len(items)
    return [*items[shift:], *items[:shift]]


NEEDS_FIXTURE = frozenset({"large_get", "copy", "list"})
"""Scenarios that read objects written beforehand."""

MAX_FAILURES = 2
"""Failed samples after which a contender's remaining runs of a scenario are skipped."""

FIXTURES = {"list": "fixtures/list", "large": "fixtures/large.bin", "copy": "fixtures/copy-source.bin"}


def scenario_params(scenario: str, contender: str, run: int, sizes: dict[str, int], *, prepare: bool) -> dict[str, Any]:
    """Parameters of one sample; keys are unique per contender and run, fixtures shared.

    Args:
        scenario: Scenario name.
        contender: Contender name.
        run: Run index.
        sizes: The suite's sizes (see :meth:`Profile.sizes`).
        prepare: Whether the worker writes its own fixtures first.
    """
    own = f"{slug(contender)}/r{run}"
    chunk = sizes["chunk"]
    if scenario == "small":
        return {"prefix": f"small/{own}", "ops": sizes["small_ops"], "size": sizes["small"], "concurrency": None}
    if scenario == "large_put":
        return {"key": f"large-put/{own}.bin", "size": sizes["large"], "chunk_size": chunk}
    if scenario == "large_get":
        return {"key": FIXTURES["large"], "size": sizes["large"], "chunk_size": chunk, "prepare": prepare}
    if scenario == "mid_put":
        return {"key": f"mid-put/{own}.bin", "size": sizes["mid"], "chunk_size": chunk, "metric": "mid.put"}
    if scenario == "mid_get":
        # Written by the contender itself just before (off the clock): read with a warm page cache.
        key, size = f"mid-get/{own}.bin", sizes["mid"]
        return {"key": key, "size": size, "chunk_size": chunk, "prepare": True, "cleanup": True, "metric": "mid.get"}
    if scenario == "list":
        return {"prefix": FIXTURES["list"], "count": sizes["list"], "prepare": prepare}
    if scenario == "copy":
        return {
            "source": FIXTURES["copy"],
            "destination": f"copy/{own}.bin",
            "size": sizes["copy"],
            "chunk_size": chunk,
            "prepare": prepare,
        }
    raise ValueError(scenario)


class SuiteRunner:
    """Runs one suite and collects its samples into a JSON-ready record."""

    def __init__(
        self,
        spec: SuiteSpec,
        profile: Profile,
        launcher: WorkerLauncher,
        log: Log,
        checkpoint: Callable[[], None] = lambda: None,
    ) -> None:
        self.spec = spec
        self.profile = profile
        self.launcher = launcher
        self.log = log
        self.checkpoint = checkpoint
        self.only: frozenset[str] | None = None
        """Run only these scenarios (all when ``None``)."""
        self.sizes = profile.sizes(spec.size_class)
        self.record: dict[str, Any] = {
            "title": spec.title,
            "service": spec.service,
            "ours": spec.ours,
            "contenders": [],
            "skipped": {},
            "sizes": self.sizes,
            "samples": {},
            "unsupported": {},
            "errors": [],
            "notes": list(spec.notes),
        }
        self.endpoint: Endpoint = {}

    def _job(self, contender: str, scenario: str, params: dict[str, Any]) -> Job:
        return {
            "suite": self.spec.name,
            "contender": contender,
            "scenario": scenario,
            "params": params,
            "endpoint": dict(self.endpoint),
        }

    def _fail_reason(self, result: JobResult) -> str:
        return str(result.get("unsupported") or result.get("error") or "unknown failure")

    def run(self) -> dict[str, Any]:
        """Run every scenario of the suite; returns the record (also when the suite is skipped)."""
        started = time.monotonic()
        with ExitStack() as stack:
            try:
                self.endpoint = self.spec.start(stack, self.profile)
            except Unavailable as reason:
                self.record["unavailable"] = str(reason)
                self.log(f"{self.spec.name}: skipped: {reason}")
                return self.record
            self.log(f"{self.spec.name}: service up ({self.spec.service}) in {time.monotonic() - started:.1f} s")
            available = self._probe()
            if self.spec.ours not in available:
                self.record["unavailable"] = f"{self.spec.ours}: {self.record['skipped'].get(self.spec.ours)}"
                self.log(f"{self.spec.name}: skipped: {self.record['unavailable']}")
                return self.record
            self.record["contenders"] = available
            for scenario in self.spec.scenarios:
                if self.only is not None and scenario not in self.only:
                    continue
                # Fixtures are written just before the scenario that reads them (listing
                # keys last of all): some emulators slow down as objects pile up
                # (Azurite's deletes get ~10x slower with 10,000 blobs), which would
                # otherwise tax the scenarios that run beside a full bucket.
                if scenario in NEEDS_FIXTURE and not self.spec.in_process_fixtures and not self._prepare(scenario):
                    continue
                self._scenario(scenario, available)
        self.record["seconds"] = round(time.monotonic() - started, 1)
        return self.record

    def _probe(self) -> list[str]:
        available = []
        for name in self.spec.contenders:
            result = self.launcher.run(self._job(name, "probe", {"key": f"probe/{slug(name)}"}), timeout=60)
            if "metrics" in result:
                available.append(name)
            else:
                self.record["skipped"][name] = self._fail_reason(result)
                self.log(f"{self.spec.name}: {name} unavailable: {self._fail_reason(result).splitlines()[0][:300]}")
        return available

    def _prepare(self, scenario: str) -> bool:
        writer = self.spec.fixture_writer or self.spec.ours
        params = {
            "list_prefix": FIXTURES["list"],
            "list_count": self.sizes["list"] if scenario == "list" else 0,
            "large_key": FIXTURES["large"] if scenario == "large_get" else None,
            "large_size": self.sizes["large"],
            "copy_key": FIXTURES["copy"] if scenario == "copy" else None,
            "copy_size": self.sizes["copy"],
            "chunk_size": self.sizes["chunk"],
        }
        started = time.monotonic()
        result = self.launcher.run(self._job(writer, "prepare", params), timeout=self.profile.job_timeout * 2)
        if "metrics" not in result:
            reason = f"its fixtures could not be written by {writer}: {self._fail_reason(result)}"
            self.record["errors"].append({"scenario": scenario, "contender": "(all)", "run": None, "error": reason})
            self.log(f"{self.spec.name} {scenario}: skipped: {reason.splitlines()[0][:300]}")
            return False
        self.log(f"{self.spec.name}: {scenario} fixtures written by {writer} in {time.monotonic() - started:.1f} s")
        return True

    def _scenario(self, scenario: str, contenders: list[str]) -> None:
        started = time.monotonic()
        failures: dict[str, int] = {}
        for run in range(self.profile.runs):
            for name in rotate(contenders, run):
                if failures.get(name, 0) >= MAX_FAILURES:
                    continue
                params = scenario_params(scenario, name, run, self.sizes, prepare=self.spec.in_process_fixtures)
                if scenario == "small":
                    params["concurrency"] = list(self.profile.concurrency)
                job_started = time.monotonic()
                result = self.launcher.run(self._job(name, scenario, params), timeout=self.profile.job_timeout)
                # One line per job: a full scenario is 30 jobs (minutes each against moto),
                # and a run that printed only per scenario looked hung for half an hour.
                self.log(
                    f"{self.spec.name} {scenario}: run {run + 1}/{self.profile.runs} {name}"
                    f" in {time.monotonic() - job_started:.1f} s"
                )
                if "metrics" in result:
                    for metric, value in result["metrics"].items():
                        self.record["samples"].setdefault(metric, {}).setdefault(name, []).append(value)
                    continue
                if "unsupported" in result:
                    failures[name] = MAX_FAILURES  # it would say the same again: skip its other runs
                    self.record["unsupported"].setdefault(scenario, {})[name] = result["unsupported"]
                else:
                    failures[name] = failures.get(name, 0) + 1
                    self.record["errors"].append({"scenario": scenario, "contender": name, "run": run, **result})
                    self.log(f"{self.spec.name} {scenario}: {name} failed: {result['error'].splitlines()[0][:300]}")
        self.log(f"{self.spec.name}: {scenario} done in {time.monotonic() - started:.1f} s")
        self.checkpoint()


def run_suites(
    names: Sequence[str],
    profile: Profile,
    log: Log | None = None,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
    scenarios: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Run the named suites in order.

    Args:
        names: Suite module names.
        profile: Sizes and repetitions.
        log: Progress printer (stderr by default).
        checkpoint: Receives the records gathered so far after each scenario (a long
            run interrupted midway keeps what it measured).
        scenarios: Run only these scenarios (default: all).

    Returns:
        ``{suite name: record}``.
    """
    started = time.monotonic()

    def default_log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    launcher = WorkerLauncher()
    records: dict[str, Any] = {}
    for name in names:
        try:
            spec = load_suite(name)
        except ImportError as error:  # a suite whose harness side cannot even import is skipped
            (log or default_log)(f"{name}: skipped: {error}")
            records[name] = {"unavailable": f"{type(error).__name__}: {error}"}
            continue
        runner = SuiteRunner(spec, profile, launcher, log or default_log)
        runner.only = frozenset(scenarios) if scenarios else None
        records[name] = runner.record
        if checkpoint is not None:
            runner.checkpoint = lambda: checkpoint(records)
        runner.run()
    return records
