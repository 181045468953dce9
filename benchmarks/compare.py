"""Compare two benchmark runs row by row: ``python benchmarks/compare.py OLD.json NEW.json``.

For each suite and row it prints the median of litestar-storages in both runs and the
change, and the ratio of ours to the raw SDK client of the same run (the steadier figure
when the machine's speed differs between runs). Rows whose change goes past
``--threshold`` (5 % by default) the wrong way are marked.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

_HIGHER_IS_BETTER = ("ops_s", "mb_s", "keys_s")
"""Row suffixes of rates; every other row (CPU, memory, lag) is better lower."""


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _lower_is_better(row: str) -> bool:
    return not row.endswith(_HIGHER_IS_BETTER)


def _raw_name(contenders: list[str]) -> str | None:
    return next((name for name in contenders if name.startswith("raw ")), None)


def compare(old: dict[str, Any], new: dict[str, Any], threshold: float) -> list[str]:
    """Return the report's lines (a Markdown table per suite).

    A row is marked when it moved past ``threshold`` the wrong way: by its ratio to the
    raw SDK client of the same run where the suite has one (the machine's own speed
    cancels out of it), else by its own median.
    """
    lines: list[str] = []
    for suite, fresh in new["suites"].items():
        before = old["suites"].get(suite)
        if before is None or "samples" not in fresh or "samples" not in before:
            continue
        ours = fresh.get("ours", "litestar-storages")
        raw = _raw_name(fresh.get("contenders", []))
        lines += [f"### {fresh.get('title', suite)}", ""]
        lines += [
            "| row | before | after | change | ours/raw before | ours/raw after | ratio change | raw after/before |",
            "|---|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for row, samples in fresh["samples"].items():
            lines += _row(row, before["samples"].get(row, {}), samples, ours=ours, raw=raw, threshold=threshold)
        lines.append("")
    return lines


def _row(
    row: str,
    before: dict[str, list[float]],
    after: dict[str, list[float]],
    *,
    ours: str,
    raw: str | None,
    threshold: float,
) -> list[str]:
    was, now = _median(before.get(ours, [])), _median(after.get(ours, []))
    if was is None or now is None or was == 0:
        return []
    raw_was = _median(before.get(raw, [])) if raw else None
    raw_now = _median(after.get(raw, [])) if raw else None
    change = now / was - 1
    if raw_was and raw_now:
        ratio_change = (now / raw_now) / (was / raw_was) - 1
        ratios = f"{was / raw_was:.2f} | {now / raw_now:.2f} | {ratio_change:+.0%} | {raw_now / raw_was:.2f}x"
        moved = ratio_change
    else:
        ratios, moved = "- | - | - | -", change
    worse = moved > threshold if _lower_is_better(row) else moved < -threshold
    mark = " **(worse)**" if worse else ""
    return [f"| {row} | {was:,.4g} | {now:,.4g} | {change:+.1%} | {ratios}{mark} |"]


def main(argv: list[str] | None = None) -> int:
    """Print the comparison of two ``latest.json`` files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--threshold", type=float, default=0.05)
    arguments = parser.parse_args(argv)
    old = json.loads(arguments.old.read_text(encoding="utf-8"))
    new = json.loads(arguments.new.read_text(encoding="utf-8"))
    print("\n".join(compare(old, new, arguments.threshold)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
