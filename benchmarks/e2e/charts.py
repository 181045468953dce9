"""The end-to-end charts (SVG) of a run's record: 1 KiB downloads, large downloads, large uploads.

Written by every run of ``hatch run bench:e2e`` and by ``--render``: a full run's into
``docs/_static/benchmarks/`` (``docs/performance.md`` shows them), a quick run's
beside its results in ``benchmarks/results/tmp/``.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from benchmarks.harness.svg_bars import Bar, Panel, bar_chart

__all__ = ("DOCS", "write_charts")

DOCS = Path(__file__).resolve().parents[2] / "docs" / "_static" / "benchmarks"

# Column names of the record (benchmarks.e2e.runner.COLUMNS), and how each chart labels them.
_OURS = "litestar-storages"
_LITESTAR = "Litestar File / UploadFile by hand"
_STARLETTE = "Starlette FileResponse"
_NGINX = "nginx"
_DOWNLOADERS = (
    (_OURS, "litestar-storages", "ours"),
    (_LITESTAR, "Litestar File", "peer"),
    (_STARLETTE, "Starlette FileResponse", "peer"),
    (_NGINX, "nginx (sendfile)", "reference"),
)


def _human(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"


def _bar(record: dict[str, Any], column: str, metric: str, label: str, kind: str) -> Bar:
    values: list[float] = record["samples"].get(column, {}).get(metric) or []
    if not values:
        return Bar(label, None, kind=kind)
    several = len(values) > 1
    return Bar(
        label,
        statistics.median(values),
        min(values) if several else None,
        max(values) if several else None,
        kind,
    )


def _note(record: dict[str, Any]) -> str:
    machine = record["machine"]
    runs = record["runs"]
    whiskers = "; whiskers: range of the runs" if runs > 1 else ""
    return (
        f"{record['when']}, {record['profile']} profile, {runs} run{'s' if runs > 1 else ''}{whiskers};"
        f" {machine['cpus']} CPUs, load average {machine['load_start'][0]} at the start,"
        f" {machine['load_end'][0]} at the end"
    )


def _downloads(record: dict[str, Any], metric: str) -> list[Bar]:
    return [_bar(record, column, metric, label, kind) for column, label, kind in _DOWNLOADERS]


def _uploads(record: dict[str, Any], scenario: str, measure: str) -> list[Bar]:
    # tus has no hand-written twin: it is compared with the hand-written multipart copy.
    theirs = "form_post" if scenario == "tus" else scenario
    hand = "Litestar by hand (anyio), multipart" if scenario == "tus" else "Litestar by hand (anyio)"
    return [
        _bar(record, _OURS, f"{scenario}.{measure}", "litestar-storages", "ours"),
        _bar(record, _LITESTAR, f"{theirs}.{measure}", hand, "peer"),
    ]


def write_charts(record: dict[str, Any], folder: Path) -> list[Path]:
    """Draw the three charts of a record into ``folder``.

    Args:
        record: A run's record (``e2e.json``).
        folder: Where the SVG files go (created).

    Returns:
        The files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    small = _human(record["sizes"]["small"])
    large = _human(record["sizes"]["large"])
    note = _note(record)
    charts = {
        "e2e-small.svg": bar_chart(
            f"Downloads of {small} through uvicorn (wrk, 64 connections)",
            [
                Panel("requests per second", "higher is better", _downloads(record, "small.rps")),
                Panel("p99 latency", "ms, lower is better", _downloads(record, "small.p99")),
            ],
            note=note,
        ),
        "e2e-large-download.svg": bar_chart(
            f"Downloads of {large} through uvicorn (curl, one at a time)",
            [
                Panel("throughput", "MB/s, higher is better", _downloads(record, "large_get.mb_s")),
                Panel("server CPU", "seconds per GiB, lower is better", _downloads(record, "large_get.cpu")),
            ],
            note=note,
        ),
        "e2e-upload.svg": bar_chart(
            f"Uploads of {large} through uvicorn (curl)",
            [
                Panel("raw body (PUT)", "MB/s, higher is better", _uploads(record, "body_put", "mb_s")),
                Panel("multipart form", "MB/s, higher is better", _uploads(record, "form_post", "mb_s")),
                Panel("tus (create + PATCH)", "MB/s, higher is better", _uploads(record, "tus", "mb_s")),
                Panel("raw body, server CPU", "s/GiB, lower is better", _uploads(record, "body_put", "cpu")),
                Panel("multipart form, server CPU", "s/GiB, lower is better", _uploads(record, "form_post", "cpu")),
                Panel("tus, server CPU", "s/GiB, lower is better", _uploads(record, "tus", "cpu")),
            ],
            note=note,
        ),
    }
    written = []
    for name, text in charts.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
