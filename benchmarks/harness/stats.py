"""Summaries of repeated samples and ratios against the best peer of a row."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Median and spread of the samples of one metric for one contender.

    Attributes:
        median: The median sample.
        low: The smallest sample.
        high: The largest sample.
        count: How many samples.
    """

    median: float
    low: float
    high: float
    count: int

    @property
    def spread(self) -> float:
        """Half the range, relative to the median (0.05 means ±5 %)."""
        if self.median == 0:
            return 0.0
        return (self.high - self.low) / 2 / abs(self.median)


def summarize(samples: Sequence[float]) -> Summary:
    """Summarize samples (at least one)."""
    return Summary(statistics.median(samples), min(samples), max(samples), len(samples))


def best(values: Mapping[str, float], *, higher_is_better: bool) -> tuple[str, float] | None:
    """Return the best (name, value) of a row, or ``None`` when the row is empty."""
    if not values:
        return None
    pick = max if higher_is_better else min
    name = pick(values, key=lambda item: values[item])
    return name, values[name]


def ratio(value: float, reference: float, *, higher_is_better: bool) -> float | None:
    """How ``value`` compares with ``reference``, as a factor where > 1 is better.

    For speeds, ``value / reference``; for costs (CPU, memory, lag), ``reference / value``.
    ``None`` when the factor is undefined (a zero cost).
    """
    if higher_is_better:
        return value / reference if reference else None
    if value == 0:
        return None if reference == 0 else float("inf")
    return reference / value
