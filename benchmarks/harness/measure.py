"""What one sample records: wall time, client CPU time, peak RSS growth and event-loop lag.

CPU time is the process's (every thread's, so obstore's Rust threads and our worker
threads count); emulators run in other processes, so their work is excluded. Peak RSS
is the kernel's high-water mark (``VmHWM``), reset just before the operation through
``/proc/self/clear_refs``, so it catches even a peak that lasts microseconds; where that
is unavailable (not Linux), a thread samples RSS every 2 ms. Growth is the peak minus
the same measure just before the operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import psutil

_PROCESS = psutil.Process()


def rss_bytes() -> int:
    """Return the resident set size of this process now."""
    rss: int = _PROCESS.memory_info().rss
    return rss


def reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark to the current RSS (Linux >= 4.0).

    Returns:
        Whether the reset worked (then :func:`peak_rss_bytes` is exact).
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def peak_rss_bytes() -> int:
    """Return the kernel's RSS high-water mark of this process."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class RssSampler:
    """A daemon thread sampling RSS every ``interval`` seconds and keeping the peak."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


class LoopLagMonitor:
    """A 1 ms ticker task: how late each tick fires tells how long the loop was blocked."""

    def __init__(self, period: float = 0.001) -> None:
        self.period = period
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.period)
            self.lags.append(max(0.0, time.perf_counter() - before - self.period))

    async def __aenter__(self) -> LoopLagMonitor:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)  # let the first tick start before the measured work
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def summary(self, total_seconds: float) -> tuple[float, float]:
        """Return (max, p99) lag in seconds.

        When the loop never ran a tick (fully blocked), the lag is the whole duration.

        Args:
            total_seconds: Duration of the measured work.
        """
        if not self.lags:
            return total_seconds, total_seconds
        ordered = sorted(self.lags)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return ordered[-1], p99


@dataclass
class Measurement:
    """The raw figures of one measured block of work."""

    wall: float = 0.0
    cpu: float = 0.0
    rss_growth: int = 0
    lag_max: float | None = None
    lag_p99: float | None = None
    extra: dict[str, float] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def measure(*, memory: bool = False, loop_lag: bool = False) -> AsyncIterator[Measurement]:
    """Measure the block's wall time and CPU time, and optionally memory and loop lag.

    Args:
        memory: Record peak RSS growth over the block.
        loop_lag: Run a 1 ms ticker and record its max and p99 lag.

    Yields:
        The measurement, filled in when the block exits.
    """
    result = Measurement()
    exact_peak = memory and reset_peak_rss()
    sampler = RssSampler() if memory and not exact_peak else None
    lag = LoopLagMonitor() if loop_lag else None
    # The high-water mark and RSS are counted differently (approximate per-CPU counters
    # versus an exact sum): compare the peak with the mark right after its reset.
    start_rss = peak_rss_bytes() if exact_peak else rss_bytes()
    with sampler if sampler is not None else contextlib.nullcontext():
        async with lag if lag is not None else contextlib.nullcontext():
            cpu0 = time.process_time()
            wall0 = time.perf_counter()
            yield result
            result.wall = time.perf_counter() - wall0
            result.cpu = time.process_time() - cpu0
    if memory:
        peak = peak_rss_bytes() if exact_peak else sampler.peak if sampler is not None else start_rss
        result.rss_growth = max(0, peak - start_rss)
    if lag is not None:
        result.lag_max, result.lag_p99 = lag.summary(result.wall)
