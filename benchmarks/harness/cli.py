"""``python benchmarks/run.py [--quick] [--suite NAME ...] [--runs N]``: run, then write every output."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import machine, publish
from benchmarks.harness.orchestrate import load_suite, run_suites
from benchmarks.harness.profile import PROFILES, Profile
from benchmarks.harness.report import build_rows, missed_targets, suite_table
from benchmarks.suites import SUITE_NAMES

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description="Measure every litestar-storages backend against its peers.")
    parser.add_argument("--quick", action="store_true", help="small sizes and 2 runs: a smoke run of about a minute")
    parser.add_argument("--suite", action="append", choices=SUITE_NAMES, help="run only this suite (repeatable)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=["small", "mid_put", "mid_get", "large_put", "large_get", "copy", "list"],
        help="run only this scenario (repeatable)",
    )
    parser.add_argument("--runs", type=int, help="samples per contender and scenario (default: 5, quick: 2)")
    parser.add_argument(
        "--publish",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="update docs/performance.md and its charts (default: on for a full run of every suite)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="folder for latest.json, latest.md and unpublished charts (default: benchmarks/results for a full"
        " run of everything, which is what the docs show; benchmarks/results/tmp, git-ignored, otherwise)",
    )
    parser.add_argument(
        "--render",
        type=Path,
        metavar="RESULTS_JSON",
        help="measure nothing: render tables, charts (and, with --publish, the docs) from a saved latest.json",
    )
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error("--runs must be >= 1")
    if args.output is None:
        # Only a full run of everything (or one being published) replaces the committed
        # results the docs show; smoke and partial runs write to the git-ignored tmp/.
        args.output = RESULTS if is_full_run(args) or args.publish else RESULTS / "tmp"
    return args


def is_full_run(args: argparse.Namespace) -> bool:
    """Tell whether the command measures every scenario of every suite at full size."""
    return not args.quick and args.suite is None and args.scenario is None and args.render is None


def scratch_folder(output: Path) -> Path:
    """Where partial results and unpublished charts go: ``tmp/`` below the committed results."""
    return RESULTS / "tmp" if output == RESULTS else output


def render_markdown(results: dict[str, Any]) -> str:
    """Render the whole run: header, missed targets, one table per suite."""
    specs = {name: load_suite(name) for name in results["suites"]}
    info = results["machine"]
    lines = [
        f"Run of {results['date']} ({results['profile']['name']} profile, {results['profile']['runs']} runs per"
        f" contender, {results['seconds']:.0f} s) on {machine.summary_line(info)};"
        f" load average (1, 5, 15 min) {info['load_average_at_start']} at the start,"
        f" {info.get('load_average_at_end', '?')} at the end.",
        "",
    ]
    missed = missed_targets(specs, results["suites"])
    if missed:
        lines += ["Targets missed:", "", *(f"- {line}" for line in missed), ""]
    for name, record in results["suites"].items():
        lines.append(suite_table(specs[name], record))
    return "\n".join(lines)


def add_verdicts(results: dict[str, Any]) -> None:
    """Store each suite's target verdicts in its record, for readers of ``latest.json``."""
    for name, record in results["suites"].items():
        if "unavailable" in record:
            continue
        spec = load_suite(name)
        record["verdicts"] = [
            {
                "metric": row.metric,
                "target": verdict.text,
                "met": verdict.met,
                "ours": row.cells[spec.ours].median if spec.ours in row.cells else None,
            }
            for row in build_rows(spec, record)
            for verdict in row.verdicts
        ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write ``latest.json``, ``latest.md`` and the charts.

    Returns:
        The process exit code: 0, or 1 when a suite or contender failed.
    """
    args = parse_args(argv)
    if args.render is not None:
        return write_outputs(json.loads(args.render.read_text()), args, publish_default=False)
    profile: Profile = PROFILES["quick" if args.quick else "full"].with_runs(args.runs)
    suites = args.suite or list(SUITE_NAMES)
    started = time.monotonic()
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "profile": {**profile.__dict__, "concurrency": list(profile.concurrency)},
        "machine": machine.describe(),
    }
    partial = scratch_folder(args.output) / "partial.json"
    partial.parent.mkdir(parents=True, exist_ok=True)

    def checkpoint(records: dict[str, Any]) -> None:
        partial.write_text(json.dumps({**results, "suites": records}, indent=1) + "\n")

    results["suites"] = run_suites(suites, profile, checkpoint=checkpoint, scenarios=args.scenario)
    partial.unlink(missing_ok=True)
    results["seconds"] = round(time.monotonic() - started, 1)
    results["machine"]["load_average_at_end"] = [round(value, 2) for value in os.getloadavg()]

    add_verdicts(results)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.json").write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
    return write_outputs(results, args, publish_default=is_full_run(args))


def write_outputs(results: dict[str, Any], args: argparse.Namespace, *, publish_default: bool) -> int:
    """Write latest.md and the charts, print the tables, and publish to the docs when asked.

    Returns:
        The process exit code: 0, or 1 when a suite or contender failed.
    """
    markdown = render_markdown(results)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "latest.md").write_text(markdown)
    print(markdown)
    should_publish = args.publish if args.publish is not None else publish_default
    docs = ROOT / "docs"
    charts = publish.charts(
        results, docs / "_static" / "benchmarks" if should_publish else scratch_folder(args.output) / "charts"
    )
    if should_publish:
        publish.to_docs(results, markdown, charts, docs)
        print(f"docs/performance.md updated with {len(charts)} charts", file=sys.stderr)
    else:
        shown = [str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path) for path in charts]
        print(f"charts: {', '.join(shown)}", file=sys.stderr)
    failed = any("unavailable" in record or record["errors"] for record in results["suites"].values())
    return 1 if failed else 0
