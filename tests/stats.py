"""Checks against theory within the confidence interval of replications."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.statistics import t_interval


def assert_covers(values: Sequence[float], expected: float, name: str, level: float = 0.95) -> None:
    mean, low, high = t_interval(values, level)
    assert low <= expected <= high, (
        f"{name}: expected {expected:.6g} outside the {level:.0%} CI [{low:.6g}, {high:.6g}] (mean {mean:.6g}, "
        f"{len(values)} replications)"
    )
