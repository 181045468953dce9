"""What a transfer will do, decided before anything is written (``--dry-run`` prints it).

``cp -r`` and ``mv -r`` copy every source file; ``sync`` copies the ones
:func:`~._comparison.copy_reason` finds missing or out of date and, with ``--delete``,
deletes destination files the source does not have. A file keeps its name relative to
where the transfer starts: ``images:photos/2026/a.jpg`` synced from ``images:photos/``
to ``./restore`` becomes ``./restore/2026/a.jpg``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from litestar_storages.contrib.cli._comparison import copy_reason

if TYPE_CHECKING:
    from litestar_storages.contrib.cli._sides import Entry

__all__ = ("Copy", "Plan", "folder_prefix", "plan_copies", "plan_sync", "target_name")


@dataclass(frozen=True)
class Copy:
    """One file to copy.

    Attributes:
        source: The file at the source.
        target: Its name at the destination.
        reason: Why it is copied (``sync`` says it; ``cp`` copies everything).
    """

    source: Entry
    target: str
    reason: str = "copy"


@dataclass
class Plan:
    """Everything a transfer will do.

    Attributes:
        copies: Files to copy (or move).
        deletes: Destination files to delete (``sync --delete``).
        unchanged: How many files ``sync`` found up to date.
    """

    copies: list[Copy] = field(default_factory=list)
    deletes: list[Entry] = field(default_factory=list)
    unchanged: int = 0

    @property
    def total_bytes(self) -> int:
        """Bytes the copies will transfer."""
        return sum(copy.source.size for copy in self.copies)


def folder_prefix(key: str) -> str:
    """Treat a key as a folder: ``photos`` and ``photos/`` both mean ``photos/``; ``""`` is the whole storage.

    Args:
        key: The key or prefix given on the command line.

    Returns:
        The prefix, empty or ending with ``/``.
    """
    return key if key == "" or key.endswith("/") else key + "/"


def target_name(destination: str, source_name: str) -> str:
    """Name a single file's copy: a destination that is empty or ends with ``/`` receives the source's name.

    Args:
        destination: The destination key.
        source_name: The source's key or path.

    Returns:
        The key to write.
    """
    if destination == "" or destination.endswith("/"):
        return destination + posixpath.basename(source_name)
    return destination


def plan_copies(entries: Iterable[Entry]) -> Plan:
    """Copy every file, each under its own name.

    Args:
        entries: The source's files.

    Returns:
        The plan.
    """
    return Plan(copies=[Copy(entry, entry.name) for entry in entries])


def plan_sync(sources: Iterable[Entry], destinations: Iterable[Entry], *, delete: bool) -> Plan:
    """Copy what is missing or out of date; with ``delete``, delete what the source lacks.

    Args:
        sources: The source's files.
        destinations: The destination's files.
        delete: Delete destination files absent from the source.

    Returns:
        The plan.
    """
    existing = {entry.name: entry for entry in destinations}
    plan = Plan()
    for source in sources:
        reason = copy_reason(source, existing.pop(source.name, None))
        if reason is None:
            plan.unchanged += 1
        else:
            plan.copies.append(Copy(source, source.name, reason))
    if delete:
        plan.deletes = sorted(existing.values(), key=lambda entry: entry.name)
    return plan
