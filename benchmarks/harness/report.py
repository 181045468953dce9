"""Rows, ratios and target verdicts from the samples, rendered as Markdown tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.harness.metrics import MetricInfo, describe, sort_key
from benchmarks.harness.stats import Summary, best, ratio, summarize
from benchmarks.harness.suite import SuiteSpec

RATIO_KINDS = {"speed", "cpu"}
"""Kinds whose rows get ratios; memory and lag are judged in absolute terms (near-zero values make ratios noise)."""


@dataclass(frozen=True)
class Verdict:
    """One target checked on one row."""

    text: str
    met: bool | None


@dataclass(frozen=True)
class Row:
    """One metric of one suite across its contenders."""

    metric: str
    info: MetricInfo
    cells: dict[str, Summary]
    best_name: str | None
    ratios: dict[str, float | None]
    ours_vs_peers: float | None
    verdicts: tuple[Verdict, ...]


def build_rows(spec: SuiteSpec, record: dict[str, Any]) -> list[Row]:
    """Turn a suite's samples into rows with medians, ratios against the best and verdicts.

    Args:
        spec: The suite.
        record: The suite's record from the orchestrator.

    Returns:
        The rows, in report order.
    """
    rows = []
    for metric in sorted(record["samples"], key=sort_key):
        info = describe(metric, record["sizes"])
        cells = {name: summarize(values) for name, values in record["samples"][metric].items() if values}
        medians = {name: cell.median for name, cell in cells.items()}
        top = best(medians, higher_is_better=info.higher_is_better)
        ratios: dict[str, float | None] = {}
        ours_vs_peers = None
        if info.kind in RATIO_KINDS and top is not None:
            ratios = {
                name: ratio(value, top[1], higher_is_better=info.higher_is_better) for name, value in medians.items()
            }
            peers = {name: value for name, value in medians.items() if name != spec.ours}
            best_peer = best(peers, higher_is_better=info.higher_is_better)
            if best_peer is not None and spec.ours in medians:
                ours_vs_peers = ratio(medians[spec.ours], best_peer[1], higher_is_better=info.higher_is_better)
        verdicts = tuple(
            Verdict(target.text, target.check(medians.get(spec.ours), medians, higher_is_better=info.higher_is_better))
            for target in spec.targets
            if target.matches(metric)
        )
        rows.append(Row(metric, info, cells, top[0] if top else None, ratios, ours_vs_peers, verdicts))
    return rows


def number(value: float) -> str:
    """Format a figure with about three significant digits."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    if magnitude == 0:
        return "0"
    return f"{value:.3f}"


def factor(value: float | None) -> str:
    """Format a ratio as ``0.95x``."""
    if value is None:
        return "-"
    if value == float("inf"):
        return "inf"
    return f"{value:.2f}x"


def _cell(row: Row, name: str) -> str:
    cell = row.cells.get(name)
    if cell is None:
        return "n/a"
    text = f"{number(cell.median)} ±{cell.spread * 100:.0f}%"
    if name == row.best_name:
        text = f"**{text}**"
    if row.ratios:
        text += f" ({factor(row.ratios.get(name))})"
    return text


def _verdict(verdicts: tuple[Verdict, ...]) -> str:
    marks = {True: "✅", False: "❌", None: "?"}
    return "; ".join(f"{verdict.text} {marks[verdict.met]}" for verdict in verdicts)


def suite_table(spec: SuiteSpec, record: dict[str, Any]) -> str:
    """Render one suite as a Markdown section: heading, table and notes.

    Args:
        spec: The suite.
        record: Its record.

    Returns:
        Markdown text.
    """
    lines = [f"### {spec.title}", "", f"Service: {spec.service}.", ""]
    if "unavailable" in record:
        return "\n".join([*lines, f"Not measured: {record['unavailable']}", ""])
    names = list(record["contenders"])
    header = ["Scenario", "Unit", *names, "ours ÷ best peer", "Target"]
    lines += [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] * 2 + ["--:"] * (len(names) + 1) + ["---"]) + "|",
    ]
    for row in build_rows(spec, record):
        cells = [row.info.label, row.info.unit, *(_cell(row, name) for name in names)]
        cells += [factor(row.ours_vs_peers), _verdict(row.verdicts)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "Each cell: median of the runs ±half their range, and in brackets the ratio to the best of the row"
        " (1.00x = best; for CPU rows, fewer µs is better, so ratio = best / value). Best in bold."
    )
    lines += _footnotes(record)
    return "\n".join(lines) + "\n"


def _footnotes(record: dict[str, Any]) -> list[str]:
    lines = [""]
    for name, reason in record["skipped"].items():
        lines.append(f"- {name} not measured: {_first_line(reason)}")
    for scenario, reasons in record["unsupported"].items():
        for name, reason in reasons.items():
            lines.append(f"- {name}, {scenario}: n/a ({reason})")
    for error in record["errors"]:
        lines.append(f"- {error['contender']}, {error['scenario']}: failed: {_first_line(error['error'])}")
    lines += [f"- {note}" for note in record["notes"]]
    return [*lines, ""] if len(lines) > 1 else []


def _first_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return first[:200]


def missed_targets(specs: dict[str, SuiteSpec], records: dict[str, Any]) -> list[str]:
    """List every target our contender missed, as ``suite: row: target (ours vs ...)`` lines."""
    missed = []
    for name, record in records.items():
        if "unavailable" in record:
            continue
        for row in build_rows(specs[name], record):
            for verdict in row.verdicts:
                if verdict.met is False:
                    ours = row.cells.get(specs[name].ours)
                    value = f"{number(ours.median)} {row.info.unit}" if ours else "n/a"
                    missed.append(f"{specs[name].title}: {row.info.label}: {verdict.text} (ours {value})")
    return missed
