"""Replications, t-intervals and paired differences under common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.statistics import (
    paired_differences,
    replication_seeds,
    summarize,
    t_interval,
    welch_difference,
)
from simulator.app.replicate import replicate
from tests.conftest import load_config


def test_replication_seeds_are_derived_from_the_root_only() -> None:
    seeds = replication_seeds(42, 5)
    assert seeds[0] == 42 and len(set(seeds)) == 5
    assert replication_seeds(42, 3) == seeds[:3]  # adding replications keeps the earlier ones
    assert replication_seeds(43, 5)[1:] != seeds[1:]


def test_t_interval_matches_the_textbook_formula() -> None:
    x = [3.1, 2.7, 3.6, 2.9, 3.3]
    mean, low, high = t_interval(x, 0.95)
    half = stats.t.ppf(0.975, 4) * np.std(x, ddof=1) / np.sqrt(5)
    assert (mean, low, high) == pytest.approx((np.mean(x), np.mean(x) - half, np.mean(x) + half))


def _policy(S: float, seed: int) -> dict:
    return load_config("single_stage", horizon_days=300, warmup_days=20, seed=seed,
                       **{"segments.only.policies.replenishment.S": S})


@pytest.fixture(scope="module")
def runs():
    n = 8
    a = replicate(_policy(330.0, 1), n).kpis
    b_paired = replicate(_policy(345.0, 1), n).kpis
    b_indep = replicate(_policy(345.0, 1000), n).kpis
    return a, b_paired, b_indep


def test_pairing_narrows_the_interval_of_a_difference(runs) -> None:
    a, b_paired, b_indep = runs
    one = lambda df: df[df["segment"] == "only"].sort_values("replication")
    paired = paired_differences(one(a), one(b_paired), ["fill_rate"]).iloc[0]
    diff, low, high = welch_difference(one(a)["fill_rate"], one(b_indep)["fill_rate"])
    assert paired["ci_high"] - paired["ci_low"] < 0.7 * (high - low)  # about half as wide here
    # a larger order-up-to level fills more: the paired comparison says so with confidence
    assert paired["diff"] > 0 and paired["significant"] and paired["p_value"] < 0.05
    assert paired["n_pairs"] == 8


def test_same_seeds_see_the_same_demand(runs) -> None:
    a, b_paired, b_indep = runs
    one = lambda df: df[df["segment"] == "only"].sort_values("replication")["demand_units"].to_numpy()
    assert np.array_equal(one(a), one(b_paired))
    assert not np.array_equal(one(a), one(b_indep))


def test_summary_has_mean_and_interval_per_segment(runs) -> None:
    a = runs[0]
    s = summarize(a, ["segment"], ["fill_rate"]).set_index("segment")
    vals = a[a["segment"] == "only"]["fill_rate"]
    assert s.loc["only", "mean"] == pytest.approx(vals.mean())
    assert s.loc["only", "ci_low"] < vals.mean() < s.loc["only", "ci_high"] and s.loc["only", "n"] == 8
