"""Profile one contender on one scenario with pyinstrument, exactly as the harness runs it.

``python -m benchmarks.harness.profile_job SUITE CONTENDER SCENARIO [--full]``: starts the
suite's service, writes the shared fixtures, then runs the scenario in this process
under pyinstrument; prints the call tree and writes an HTML report to
``benchmarks/results/tmp/``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.harness.orchestrate import FIXTURES, load_suite, scenario_params
from benchmarks.harness.profile import FULL, QUICK
from benchmarks.harness.scenarios import SCENARIOS
from benchmarks.harness.worker import warm_up

ROOT = Path(__file__).resolve().parents[2]


async def _run(suite: str, contender_name: str, scenario: str, params: dict[str, Any], endpoint: Any) -> Any:
    from pyinstrument import Profiler

    module = importlib.import_module(f"benchmarks.suites.{suite}")
    contender = module.CONTENDERS[contender_name](endpoint)
    await contender.open()
    try:
        await warm_up(contender)
        profiler = Profiler(async_mode="enabled", interval=0.0005)
        with profiler:
            metrics = await SCENARIOS[scenario](contender, params)
    finally:
        await contender.close()
    return profiler, metrics


def main(argv: list[str] | None = None) -> int:
    """Profile and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite")
    parser.add_argument("contender")
    parser.add_argument("scenario", choices=["small", "mid_put", "mid_get", "large_put", "large_get", "list", "copy"])
    parser.add_argument("--full", action="store_true", help="full-run sizes (default: quick sizes)")
    parser.add_argument("--show-all", action="store_true", help="show library frames too")
    args = parser.parse_args(argv)
    spec = load_suite(args.suite)
    profile = FULL if args.full else QUICK
    sizes = profile.sizes(spec.size_class)
    with ExitStack() as stack:
        endpoint = spec.start(stack, profile)
        writer = importlib.import_module(f"benchmarks.suites.{args.suite}").CONTENDERS[spec.fixture_writer or spec.ours]
        if not spec.in_process_fixtures:
            fixtures = {
                "list_prefix": FIXTURES["list"],
                "list_count": sizes["list"] if args.scenario == "list" else 0,
                "large_key": FIXTURES["large"] if args.scenario == "large_get" else None,
                "large_size": sizes["large"],
                "copy_key": FIXTURES["copy"] if args.scenario == "copy" else None,
                "copy_size": sizes["copy"],
                "chunk_size": sizes["chunk"],
            }

            async def prepare() -> None:
                contender = writer(endpoint)
                await contender.open()
                try:
                    await SCENARIOS["prepare"](contender, fixtures)
                finally:
                    await contender.close()

            asyncio.run(prepare())
        params = scenario_params(args.scenario, args.contender, 0, sizes, prepare=spec.in_process_fixtures)
        if args.scenario == "small":
            params["concurrency"] = list(profile.concurrency)
        profiler, metrics = asyncio.run(_run(args.suite, args.contender, args.scenario, params, endpoint))
    print(profiler.output_text(unicode=True, color=False, show_all=args.show_all))
    for name, value in sorted(metrics.items()):
        print(f"{name}: {value:,.3f}")
    output = ROOT / "benchmarks" / "results" / "tmp" / f"profile-{args.suite}-{args.scenario}.html"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(profiler.output_html())
    print(f"HTML report: {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
