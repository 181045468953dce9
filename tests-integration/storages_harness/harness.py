"""Session state of the integration suite: services, backend adapters, results per backend."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

from storages_harness.backends import (
    _CLASSES,
    BACKEND_IDS,
    CLOUD_IDS,
    Backend,
    BackendUnavailable,
    make_backend,
)
from storages_harness.services import ServiceManager, cloud_endpoint

__all__ = ("Harness",)


class Harness:
    """Session state: the service manager, backend adapters and per-backend results."""

    def __init__(self) -> None:
        """Create the session state; services start only when a backend first needs them."""
        self.services = ServiceManager()
        self.workdir = Path(tempfile.mkdtemp(prefix="storages-it-"))
        self.backends: dict[str, Backend] = {}
        self.unavailable: dict[str, str] = {}
        self.item_backend: dict[str, str] = {}
        self.outcomes: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}
        self.descriptions: dict[str, str] = {}
        self.not_installed = [backend_id for backend_id in BACKEND_IDS if not _CLASSES[backend_id].installed()]
        self.configured_clouds = [
            backend_id
            for backend_id in CLOUD_IDS
            if not isinstance(cloud_endpoint(backend_id.removesuffix("-cloud")), str)  # type: ignore[arg-type]
        ]

    def backend(self, backend_id: str) -> Backend:
        """Return the adapter of ``backend_id``, starting its service on first use.

        Raises:
            BackendUnavailable: If it cannot run here (a cloud without credentials).
        """
        if backend_id in self.unavailable:
            raise BackendUnavailable(self.unavailable[backend_id])
        if backend_id not in self.backends:
            try:
                self.backends[backend_id] = make_backend(backend_id, self.services, self.workdir)
            except BackendUnavailable as error:
                self.unavailable[backend_id] = str(error)
                raise
        return self.backends[backend_id]

    def note(self, backend_id: str, text: str) -> None:
        """Add a figure to the backend's summary line (e.g. how many keys were generated)."""
        self.notes.setdefault(backend_id, []).append(text)

    def close(self) -> None:
        """Stop every service and remove the session's work folder."""
        try:
            self.services.close()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def summary_lines(self) -> list[str]:
        """One line per backend: tests passed, failed, ..., and what served it."""
        counts: dict[str, Counter[str]] = {}
        for nodeid, backend_id in self.item_backend.items():
            counts.setdefault(backend_id, Counter())[self.outcomes.get(nodeid, "not run")] += 1
        lines = [f"services: {self.services.mode}"]
        for backend_id in (*BACKEND_IDS, *CLOUD_IDS):
            if backend_id in self.not_installed:
                lines.append(f"{backend_id}: NOT AVAILABLE (its distribution is missing or does not import)")
                continue
            tally = counts.get(backend_id)
            if tally is None:
                continue
            order = ("passed", "failed", "error", "xfailed", "xpassed", "skipped", "not run")
            text = ", ".join(f"{tally[name]} {name}" for name in order if tally[name] or name in {"passed", "failed"})
            if backend_id in self.backends:
                where = self.backends[backend_id].describe()
            elif backend_id in self.descriptions:  # started in a pytest-xdist worker
                where = self.descriptions[backend_id]
            elif backend_id in self.unavailable:
                where = f"skipped: {self.unavailable[backend_id]}"
            else:
                kind = backend_id.removesuffix("-cloud")
                where = self.services.failures.get(kind, "not started") if kind in ("s3", "azure", "gcs") else ""
            notes = "".join(f"; {note}" for note in self.notes.get(backend_id, []))
            lines.append(f"{backend_id}: {text} ({where}){notes}")
        return lines
