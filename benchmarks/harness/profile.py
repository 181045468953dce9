"""How big and how many: the full run and the ``--quick`` smoke run."""

from __future__ import annotations

from dataclasses import dataclass, replace

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True)
class Profile:
    """Sizes and repetitions of one benchmark run.

    Attributes:
        name: ``"full"`` or ``"quick"``.
        runs: Samples per contender and scenario (contenders rotate between runs).
        small_ops_local: Operations per phase of the 1 KiB scenario in memory and on disk.
        small_ops_remote: Operations per phase of the 1 KiB scenario against an emulator.
        concurrency: Concurrency levels of the 1 KiB scenario.
        small_size: Size of a small object.
        large_memory: Size of the streamed transfer into a memory store.
        large_local: Size of the streamed transfer on disk.
        large_remote: Size of the streamed transfer against an emulator.
        chunk_size: Size of the chunks the streamed-upload source yields.
        list_keys: Keys in the listing scenario.
        copy_size: Size of the object copied in the copy scenario.
        job_timeout: Seconds one measurement may take before it counts as failed.
        mid_local: Size of the second, smaller streamed transfer on disk (the
            ``mid_put``/``mid_get`` scenarios of the filesystem suite), read with a
            warm page cache.
    """

    name: str
    runs: int
    small_ops_local: int
    small_ops_remote: int
    concurrency: tuple[int, ...]
    small_size: int
    large_memory: int
    large_local: int
    large_remote: int
    chunk_size: int
    list_keys: int
    copy_size: int
    job_timeout: float
    mid_local: int = 0

    def with_runs(self, runs: int | None) -> Profile:
        """Return this profile with ``runs`` replaced when given."""
        return self if runs is None else replace(self, runs=runs)

    def sizes(self, size_class: str) -> dict[str, int]:
        """Return the sizes for a suite of ``size_class`` ``"memory"``, ``"local"`` or ``"remote"``.

        Returns:
            ``small_ops``, ``small``, ``large``, ``mid``, ``list``, ``copy`` and ``chunk``.
        """
        return {
            "small_ops": self.small_ops_remote if size_class == "remote" else self.small_ops_local,
            "small": self.small_size,
            "large": {"memory": self.large_memory, "local": self.large_local}.get(size_class, self.large_remote),
            "mid": self.mid_local if size_class == "local" else 0,
            "list": self.list_keys,
            "copy": self.copy_size,
            "chunk": self.chunk_size,
        }


FULL = Profile(
    name="full",
    runs=5,
    small_ops_local=2000,
    small_ops_remote=2000,
    concurrency=(1, 64),
    small_size=1024,
    large_memory=256 * MiB,
    large_local=1 * GiB,
    large_remote=256 * MiB,
    chunk_size=1 * MiB,
    list_keys=10_000,
    copy_size=100 * MiB,
    job_timeout=900.0,
    mid_local=256 * MiB,
)

QUICK = Profile(
    name="quick",
    runs=2,
    small_ops_local=200,
    small_ops_remote=24,
    concurrency=(1, 8),
    small_size=1024,
    large_memory=32 * MiB,
    large_local=64 * MiB,
    large_remote=16 * MiB,
    chunk_size=1 * MiB,
    list_keys=200,
    copy_size=8 * MiB,
    job_timeout=120.0,
    mid_local=16 * MiB,
)

PROFILES = {profile.name: profile for profile in (FULL, QUICK)}
