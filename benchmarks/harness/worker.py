"""Runs one job (contender x scenario) in a fresh worker process and returns plain data.

Jobs and results are dicts of plain values so they cross the process boundary without
pickling SDK objects or exceptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import traceback
from typing import Any

from benchmarks.harness.contender import Contender, Unsupported
from benchmarks.harness.scenarios import SCENARIOS

Job = dict[str, Any]
JobResult = dict[str, Any]


async def warm_up(contender: Contender) -> None:
    """Make one request off the clock, so lazily created clients and the first connection exist.

    Libraries differ in when they build their client (litestar-storages on first use,
    raw SDK clients when opened); without this the first measured operation of some
    would pay for it. The object does not exist; the expected "not found" is ignored.
    """
    with contextlib.suppress(Exception):
        await contender.info("warm-up/missing-object")


async def _run(job: Job) -> JobResult:
    module = importlib.import_module(f"benchmarks.suites.{job['suite']}")
    contender = module.CONTENDERS[job["contender"]](job["endpoint"])
    try:
        await contender.open()
        await warm_up(contender)
        metrics = await SCENARIOS[job["scenario"]](contender, job["params"])
    finally:
        await contender.close()
    return {"metrics": metrics}


def run_job(job: Job) -> JobResult:
    """Run ``job`` to completion on a new event loop.

    Args:
        job: ``suite``, ``contender``, ``scenario``, ``params`` and ``endpoint``.

    Returns:
        ``{"metrics": {...}}``, or ``{"unsupported": reason}``, or ``{"error": text}``.
    """
    try:
        return asyncio.run(_run(job))
    except Unsupported as reason:
        return {"unsupported": str(reason)}
    except Exception as error:
        lines = traceback.format_exception(error)
        return {"error": f"{type(error).__name__}: {error}", "traceback": "".join(lines[-12:])}


def child_main(job: Job, connection: Any) -> None:
    """Entry point of a worker process: run ``job`` and send its result to the parent.

    Args:
        job: The job.
        connection: The write end of a ``multiprocessing`` pipe.
    """
    try:
        connection.send(run_job(job))
    finally:
        connection.close()
