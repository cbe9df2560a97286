"""Intervals a board can be shown (issue 12, items 2 and 3): rates stay in [0, 1], counts >= 0,
one run has no interval, and censored times are flagged with a Kaplan-Meier median."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.report import write_sweep_report
from analysis.statistics import describe, kaplan_meier_median, metric_interval, summarize, summary_cells, t_interval


def test_rate_interval_stays_inside_zero_one() -> None:
    otif = [0.99, 0.94, 1.0, 0.90, 0.99, 0.995]
    assert t_interval(otif)[2] > 1.0  # the plain t-interval would claim more than 100%
    mean, low, high = metric_interval(otif, "otif")
    assert mean == pytest.approx(np.mean(otif))
    assert 0.0 < low < mean < high < 1.0


def test_logit_t_covers_the_mean_of_a_skewed_rate_at_its_level() -> None:
    """Fill rates near 100% are skewed (Beta(40, 2), mean 0.952); 10 replications per interval,
    2,000 intervals: the share that covers the true mean is 95% within Monte Carlo error."""
    rng = np.random.default_rng(12)
    truth = 40 / 42
    covered = [low <= truth <= high for low, high in
               (metric_interval(rng.beta(40, 2, 10), "fill_rate")[1:] for _ in range(2000))]
    share = float(np.mean(covered))
    assert abs(share - 0.95) < 3 * np.sqrt(0.95 * 0.05 / 2000) + 0.01, share


def test_count_interval_is_never_negative() -> None:
    lost = [0, 0, 0, 0, 5000, 0]
    assert t_interval(lost)[1] < 0
    mean, low, high = metric_interval(lost, "lost_units")
    assert low == 0.0 and high == pytest.approx(t_interval(lost)[2]) and mean == pytest.approx(5000 / 6)
    assert metric_interval([-5.0, 3.0, 8.0], "gross_margin")[1] < 0  # a margin may be negative


def test_one_replication_says_so() -> None:
    assert describe(0.968, float("nan"), float("nan"), 1, "{:.1%}".format) == "96.8% (1 run, no interval)"
    summary = summarize(pd.DataFrame({"segment": ["a"], "otif": [0.968]}), ["segment"], ["otif"])
    assert summary_cells(summary, ["segment"], ["otif"]).loc[0, "otif"] == "96.8% (1 run, no interval)"


def test_sweep_report_with_one_seed_shows_no_interval(tmp_path: Path) -> None:
    table = pd.DataFrame({"scenario": ["a", "b"], "seed": 1, "segment": "core", "fill_rate": [0.9, 0.8]})
    page = write_sweep_report(table, tmp_path, metrics=["fill_rate"]).read_text()
    assert "90.0% (1 run, no interval)" in page and "[90.0%, 90.0%]" not in page


def test_kaplan_meier_median_matches_scipy() -> None:
    times = np.array([2.0, 3.0, 4.0, 5.0, 6.0])
    censored = np.array([False, True, False, False, True])
    median, reached = kaplan_meier_median(times, censored)
    sf = stats.ecdf(stats.CensoredData(uncensored=times[~censored], right=times[censored])).sf
    expected = min(t for t in sf.quantiles if sf.evaluate(t) <= 0.5)
    assert reached and median == expected == 5.0  # by hand: 4/5 at 2, x 2/3 at 4, x 1/2 at 5 -> 0.27
    # fewer than half the runs saw the event: the median is only a lower bound
    assert kaplan_meier_median([90.0, 90.0, 30.0], [True, True, False]) == (90.0, False)


def test_censored_times_are_flagged_not_averaged_as_observed(tmp_path: Path) -> None:
    """A TTS never reached in 90 days is a lower bound: the summary counts the censored runs, gives
    the mean as '>= x' without an interval, and the Kaplan-Meier median."""
    res = pd.DataFrame({"segment": "core", "disruption": "spike", "tts_days": [90.0, 90.0, 90.0, 12.0, 20.0],
                        "tts_censored": [True, True, True, False, False], "ttr_days": [5.0, 6.0, 7.0, 5.0, 6.0],
                        "ttr_censored": False})
    summary = summarize(res, ["segment"], ["tts_days", "ttr_days"])
    tts = summary.set_index("metric").loc["tts_days"]
    assert tts["n_censored"] == 3 and not tts["median_reached"] and np.isnan(tts["ci_low"])
    cells = summary_cells(summary, ["segment"], ["tts_days", "ttr_days"]).iloc[0]
    assert cells["tts_days"] == ">= 60.4; median >= 90.0 (3 of 5 censored)"
    assert cells["ttr_days"].startswith("5.8 [")  # observed everywhere: mean with its interval
