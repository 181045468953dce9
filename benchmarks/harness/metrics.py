"""Names, units and direction of every metric the scenarios record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricInfo:
    """How to show one metric.

    Attributes:
        label: Row title.
        unit: Unit shown beside the values.
        higher_is_better: Direction used to find the best contender of a row.
        kind: ``"speed"``, ``"cpu"``, ``"memory"`` or ``"lag"`` (groups rows and charts).
    """

    label: str
    unit: str
    higher_is_better: bool
    kind: str


def human_size(size: int) -> str:
    """Return ``size`` bytes as ``"1 GiB"``, ``"256 MiB"`` or ``"1 KiB"``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"


def describe(metric: str, sizes: dict[str, int]) -> MetricInfo:
    """Describe ``metric`` (e.g. ``"small.put.c64.ops_s"``).

    Args:
        metric: The metric name.
        sizes: ``small``, ``large``, ``list`` and ``copy`` sizes of the suite, for labels.

    Returns:
        Its label, unit and direction.
    """
    parts = metric.split(".")
    if parts[0] == "small":
        _, op, level, what = parts
        label = f"{op} {human_size(sizes['small'])}, c={level[1:]}"
        if what == "ops_s":
            return MetricInfo(label, "ops/s", True, "speed")
        return MetricInfo(label + ", client CPU", "µs/op", False, "cpu")
    if parts[0] in {"large", "mid"}:
        _, op, what = parts
        label = f"streamed {op} {human_size(sizes[parts[0]])}"
        table = {
            "mb_s": MetricInfo(label, "MB/s", True, "speed"),
            "rss_mib": MetricInfo(label + ", peak RSS growth", "MiB", False, "memory"),
            "cpu_s_gib": MetricInfo(label + ", client CPU", "s/GiB", False, "cpu"),
            "lag_max_ms": MetricInfo(label + ", loop lag max", "ms", False, "lag"),
            "lag_p99_ms": MetricInfo(label + ", loop lag p99", "ms", False, "lag"),
        }
        return table[what]
    if parts[0] == "list":
        label = f"list {sizes['list']:,} keys"
        if parts[1] == "keys_s":
            return MetricInfo(label, "keys/s", True, "speed")
        return MetricInfo(label + ", client CPU", "µs/key", False, "cpu")
    if parts[0] == "copy":
        label = f"copy {human_size(sizes['copy'])}"
        if parts[1] == "mb_s":
            return MetricInfo(label, "MB/s", True, "speed")
        return MetricInfo(label + ", peak RSS growth", "MiB", False, "memory")
    raise KeyError(metric)


_GROUPS = ("small", "mid", "large", "list", "copy")
_OPS = ("put", "get", "info", "delete")
_KINDS = ("ops_s", "mb_s", "keys_s", "cpu_us", "cpu_s_gib", "rss_mib", "lag_max_ms", "lag_p99_ms")


def sort_key(metric: str) -> tuple[int, int, int, int]:
    """Order rows: 1 KiB ops (speed rows, then CPU rows), large transfers, listing, copy."""
    parts = metric.split(".")
    group, kind = _GROUPS.index(parts[0]), _KINDS.index(parts[-1])
    op = _OPS.index(parts[1]) if parts[1] in _OPS else 0
    if parts[0] == "small":
        return (group, kind, op, int(parts[2][1:]))
    return (group, op, kind, 0)
