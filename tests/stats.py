"""Confidence intervals over replications, for tests that compare against theory."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) of the Student-t interval for the mean of independent replications."""
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return mean, mean - half, mean + half


def assert_covers(values: Sequence[float], expected: float, name: str, level: float = 0.95) -> None:
    mean, low, high = t_interval(values, level)
    assert low <= expected <= high, (
        f"{name}: expected {expected:.6g} outside the {level:.0%} CI [{low:.6g}, {high:.6g}] (mean {mean:.6g}, "
        f"{len(values)} replications)"
    )
