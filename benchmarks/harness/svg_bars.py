"""Horizontal bar charts as hand-written SVG: small, deterministic files the docs embed.

No plotting library: a chart is a few panels of labelled bars (one per contender, ours
in red), each with its value written beside it and, when several runs were measured, a
whisker from the slowest to the fastest. The same input gives the same bytes, so a
redrawn chart only shows in a diff when a figure changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = ("Bar", "Panel", "bar_chart", "format_value")

OURS = "#c0392b"
PEER = "#5d6d7e"
REFERENCE = "#a5b1bc"
"""The physical reference (nginx, a raw ``os`` loop): not a peer, the floor of what is possible."""

_WIDTH = 760
_LABEL = 270  # left column: contender names
_VALUE = 92  # right column: the value written out
_ROW = 22
_BAR = 14
_PANEL_GAP = 14
_CUT_OVER = 3.0
"""A reference bar more than this many times the largest contender's is drawn cut."""
_FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


@dataclass(frozen=True)
class Bar:
    """One bar: a contender's median and the range of its runs.

    Attributes:
        label: The contender.
        value: The median, or ``None`` when not measured (drawn as "n/a").
        low: Smallest value of the runs (whisker), when there were several.
        high: Largest value of the runs.
        kind: ``"ours"``, ``"peer"`` or ``"reference"`` (colour).
    """

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    kind: str = "peer"


@dataclass(frozen=True)
class Panel:
    """A group of bars sharing one scale.

    Attributes:
        title: What is measured (``"download 1 KiB, c=64"``).
        unit: The unit and direction (``"req/s, higher is better"``).
        bars: The bars, top to bottom.
    """

    title: str
    unit: str
    bars: Sequence[Bar]


def format_value(value: float) -> str:
    """A figure as the tables write it: thousands separated above 100, three digits below."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _color(kind: str) -> str:
    return {"ours": OURS, "reference": REFERENCE}.get(kind, PEER)


def _scale(bars: Sequence[Bar]) -> float:
    # The largest value drawn to scale. A reference far above every contender (nginx
    # serving from the kernel) would flatten the others to slivers: its bar is cut.
    def largest(selected: Sequence[Bar]) -> float:
        return max([value for bar in selected for value in (bar.value, bar.high) if value is not None] or [0.0])

    everything = largest(bars)
    contenders = largest([bar for bar in bars if bar.kind != "reference"])
    if contenders > 0 and everything > contenders * _CUT_OVER:
        return contenders
    return everything or 1.0


def _panel(panel: Panel, top: float) -> tuple[list[str], float]:
    parts = [
        f'<text x="16" y="{top + 14:.1f}" font-size="13" font-weight="600" fill="#1f2d3a">{escape(panel.title)}'
        f'<tspan font-weight="400" fill="#5d6d7e">: {escape(panel.unit)}</tspan></text>'
    ]
    y = top + 24
    scale_top = _scale(panel.bars)
    span = _WIDTH - _LABEL - _VALUE - 16
    for bar in panel.bars:
        middle = y + _ROW / 2
        weight = ' font-weight="600"' if bar.kind == "ours" else ""
        parts.append(
            f'<text x="{_LABEL - 8}" y="{middle + 4:.1f}" font-size="12" text-anchor="end" fill="#1f2d3a"{weight}>'
            f"{escape(bar.label)}</text>"
        )
        if bar.value is None:
            parts.append(f'<text x="{_LABEL + 4}" y="{middle + 4:.1f}" font-size="12" fill="#7f8c8d">n/a</text>')
            y += _ROW
            continue
        cut = bar.value > scale_top * _CUT_OVER
        length = span if cut else max(1.0, span * max(bar.value, 0.0) / scale_top)
        parts.append(
            f'<rect x="{_LABEL}" y="{middle - _BAR / 2:.1f}" width="{length:.1f}" height="{_BAR}" rx="2"'
            f' fill="{_color(bar.kind)}"/>'
        )
        end = length
        if cut:
            # A break in the bar: off the scale the others are drawn to.
            at = _LABEL + span * 0.78
            parts.append(
                f'<path d="M{at:.1f} {middle + 9:.1f}l6 -18M{at + 6:.1f} {middle + 9:.1f}l6 -18"'
                ' stroke="#ffffff" stroke-width="3"/>'
            )
        elif bar.low is not None and bar.high is not None and bar.high > bar.low:
            low = _LABEL + span * max(bar.low, 0.0) / scale_top
            high = _LABEL + span * bar.high / scale_top
            end = max(end, high - _LABEL)
            parts.append(
                f'<path d="M{low:.1f} {middle:.1f}H{high:.1f}'
                f'M{low:.1f} {middle - 4:.1f}v8M{high:.1f} {middle - 4:.1f}v8" stroke="#1f2d3a" stroke-width="1"/>'
            )
        parts.append(
            f'<text x="{_LABEL + end + 6:.1f}" y="{middle + 4:.1f}" font-size="12" fill="#1f2d3a">'
            f"{format_value(bar.value)}</text>"
        )
        y += _ROW
    return parts, y


def bar_chart(title: str, panels: Sequence[Panel], *, note: str = "") -> str:
    """Draw panels of horizontal bars under a title.

    Args:
        title: The chart's title (also its accessible name).
        panels: The panels, top to bottom.
        note: A line under the chart (when and where it was measured).

    Returns:
        The SVG document.
    """
    body: list[str] = [
        f'<text x="16" y="24" font-size="15" font-weight="700" fill="#1f2d3a">{escape(title)}</text>',
    ]
    y = 36.0
    for panel in panels:
        parts, y = _panel(panel, y)
        body.extend(parts)
        y += _PANEL_GAP
    if note:
        body.append(f'<text x="16" y="{y + 6:.1f}" font-size="11" fill="#5d6d7e">{escape(note)}</text>')
        y += 16
    height = int(y + 6)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" viewBox="0 0 {_WIDTH} {height}"'
        f' role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" {_FONT}>\n'
        f"<title>{escape(title)}</title>\n"
        f'<rect width="{_WIDTH}" height="{height}" rx="6" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )
