"""What a suite declares: its contenders, how to start its service, and the targets to check."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field

from benchmarks.harness.contender import Endpoint
from benchmarks.harness.profile import Profile


class Unavailable(Exception):
    """The suite's service cannot run here; the suite is skipped with this reason."""


def slug(name: str) -> str:
    """Return a key-safe form of a contender name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class Target:
    """A goal from the issues, checked on every row whose metric matches ``pattern``.

    Either relative (``ours >= min_ratio x peer``, in the row's better-is-higher sense)
    or absolute (``ours <= max_value`` for costs such as memory and lag).

    Attributes:
        pattern: fnmatch pattern over metric names, e.g. ``"large.*.mb_s"``.
        text: How the target reads in the table, e.g. ``">= 0.8x raw os"``.
        peer: The contender compared against (relative targets).
        min_ratio: Smallest acceptable ratio against ``peer``.
        max_value: Largest acceptable value of ours (absolute targets).
    """

    pattern: str
    text: str
    peer: str | None = None
    min_ratio: float | None = None
    max_value: float | None = None

    def matches(self, metric: str) -> bool:
        """Tell whether this target applies to ``metric``."""
        return fnmatch.fnmatchcase(metric, self.pattern)

    def check(self, ours: float | None, values: Mapping[str, float], *, higher_is_better: bool) -> bool | None:
        """Return whether ours meets the target, or ``None`` when it cannot be judged.

        Args:
            ours: Our median, if measured.
            values: Every contender's median in this row.
            higher_is_better: Direction of the row.
        """
        if ours is None:
            return None
        if self.max_value is not None:
            return ours <= self.max_value
        if self.peer is None or self.min_ratio is None or self.peer not in values:
            return None
        reference = values[self.peer]
        if higher_is_better:
            return ours >= self.min_ratio * reference
        return ours * self.min_ratio <= reference


Starter = Callable[[ExitStack, Profile], Endpoint]
"""Starts the suite's service (registering its clean-up on the stack) and returns its endpoint."""


@dataclass(frozen=True)
class SuiteSpec:
    """One backend and its peers.

    Attributes:
        name: Module name under ``benchmarks.suites``.
        title: Heading in the report.
        service: What the contenders talk to, e.g. ``"moto server 5.x (subprocess)"``.
        ours: Name of our contender.
        peers: Names of the peer contenders.
        size_class: ``"memory"``, ``"local"`` (disk) or ``"remote"`` (an emulator over
            HTTP): picks the sizes from the profile.
        start: Starts the service.
        in_process_fixtures: Each contender writes its own fixtures in its worker (memory
            stores), instead of one shared set written once.
        fixture_writer: Contender that writes the shared fixtures.
        scenarios: Scenarios to run, in order.
        targets: Goals checked on our rows.
        notes: Sentences printed under the suite's table.
    """

    name: str
    title: str
    service: str
    ours: str
    peers: tuple[str, ...]
    size_class: str
    start: Starter
    in_process_fixtures: bool = False
    fixture_writer: str | None = None
    scenarios: tuple[str, ...] = ("small", "large_put", "large_get", "copy", "list")
    targets: tuple[Target, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def contenders(self) -> tuple[str, ...]:
        """Ours first, then the peers."""
        return (self.ours, *self.peers)


def no_service(stack: ExitStack, profile: Profile) -> Endpoint:
    """Starter for suites that need no service."""
    return {}
