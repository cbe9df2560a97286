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


def clamped_normal(mean: float, sd: float) -> tuple[float, float]:
    """Mean and standard deviation of max(X, 0), X ~ normal(mean, sd), by scipy's numerical
    expectation (what a normal distribution whose negative draws are set to 0 draws)."""
    from scipy.stats import norm

    dist = norm(mean, sd)
    m1 = dist.expect(lambda x: x, lb=0.0)
    m2 = dist.expect(lambda x: x * x, lb=0.0)
    return float(m1), float((m2 - m1 * m1) ** 0.5)
