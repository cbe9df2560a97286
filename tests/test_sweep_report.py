"""The sweep report on a small synthetic sweep table (issue 4's sweep.parquet shape): sections, figures, numbers."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from analysis.kpis import KPI_COLUMNS
from analysis.report import SWEEP_METRICS, mean_ci, summarise_sweep, sweep_groups, write_sweep_report
from analysis.sweep_plots import kpi_means
from tests.figures import readability_problems

POLICY = "segments.tail.policies.production"
SEGMENTS = ("core", "fast", "tail")


@pytest.fixture(scope="module")
def sweep() -> pd.DataFrame:
    """2 scenarios x 2 tail policies x 4 seeds x 3 segments; the failure costs 5 points of fill rate."""
    rng = np.random.default_rng(7)
    rows = []
    for scenario in ("baseline", "supplier_failure"):
        for policy in ("make_to_stock", "make_to_order"):
            for seed in range(4):
                for seg in SEGMENTS:
                    row = {c: float(rng.normal(1000, 50)) for c in KPI_COLUMNS if c != "segment"}
                    row.update(fill_rate=float(rng.uniform(0.9, 0.99)) - 0.05 * (scenario != "baseline"),
                               otif=float(rng.uniform(0.9, 1.0)), avg_lead_time_days=float(rng.uniform(1, 3)))
                    rows.append({"scenario": scenario, POLICY: policy, "seed": seed, "segment": seg,
                                 "job": f"{scenario}-{policy}-{seed}", **row})
    return pd.DataFrame(rows)


def test_groups_are_the_overrides_other_than_the_seed(sweep: pd.DataFrame) -> None:
    assert sweep_groups(sweep, KPI_COLUMNS) == ["scenario", POLICY]


def test_means_and_intervals_over_replications(sweep: pd.DataFrame) -> None:
    summary = summarise_sweep(sweep, "fill_rate", ["scenario", POLICY])
    assert len(summary) == 2 * 2 * 3 and (summary["n"] == 4).all()
    row = summary[(summary["group"] == "scenario=supplier_failure, production=make_to_order")
                  & (summary["segment"] == "tail")].iloc[0]
    x = sweep[(sweep["scenario"] == "supplier_failure") & (sweep[POLICY] == "make_to_order")
              & (sweep["segment"] == "tail")]["fill_rate"]
    # a rate: logit-t (the t-interval of the mean on the logit scale, delta method), inside (0, 1)
    m = x.mean()
    half = stats.t.ppf(0.975, len(x) - 1) * stats.sem(x) / (m * (1 - m))
    low, high = special.expit(special.logit(m) - half), special.expit(special.logit(m) + half)
    assert (row["mean"], row["low"], row["high"]) == pytest.approx((x.mean(), low, high))
    assert mean_ci([0.5]) == (0.5, 0.5, 0.5, 1)
    assert np.isnan(mean_ci([])[0])
    fig = kpi_means(summary, "fill_rate")
    assert readability_problems(fig) == []
    dots = np.concatenate([line.get_xdata() for line in fig.axes[0].get_lines() if line.get_marker() == "o"])
    assert sorted(dots) == pytest.approx(sorted(summary["mean"]))


def test_sweep_report_sections_and_figures(sweep: pd.DataFrame, tmp_path: Path) -> None:
    page = write_sweep_report(sweep, tmp_path).read_text()
    assert '<section id="means">' in page
    for optional in ("paired", "resilience", "stress", "curves"):
        assert f'<section id="{optional}">' not in page  # nothing to show without those tables
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/svg\+xml;base64,', page)) == len(SWEEP_METRICS)
    assert "16 runs in 4 scenario x policy cells" in page
    # the table shows each cell's mean and interval, formatted as a planner reads them
    summary = summarise_sweep(sweep, "fill_rate", ["scenario", POLICY]).iloc[0]
    assert f"{100 * summary['mean']:.1f}% [{100 * summary['low']:.1f}%, {100 * summary['high']:.1f}%]" in page


def test_optional_sections_render_when_their_tables_exist(sweep: pd.DataFrame, tmp_path: Path) -> None:
    paired = pd.DataFrame({"group": "production=make_to_order", "segment": list(SEGMENTS), "metric": "fill_rate",
                           "mean": [0.01, -0.02, 0.03], "low": [-0.01, -0.03, 0.01], "high": [0.03, -0.01, 0.05]})
    resilience = pd.DataFrame({"segment": list(SEGMENTS), "disruption": "supplier_failure",
                               "tts_days": [12.0, 6.5, 3.0], "ttr_days": [9.0, 15.0, 30.0],
                               "loss_area": [0.4, 1.2, 2.5], "revenue_change": [-1e3, -5e3, -9e3]})
    matrix = pd.DataFrame([[1e4, 3e4, 9e4], [0.0, 2e3, 8e3]], index=pd.Index(["sup_resin", "dc_north"], name="node"),
                          columns=pd.Index([7, 14, 28], name="outage days"))
    days = np.arange(40)
    curves = pd.concat([pd.DataFrame({"group": g, "segment": s, "day": days,
                                      "fill_rate": 0.97 - 0.3 * (g != "baseline") * ((days > 10) & (days < 20))})
                        for g in ("baseline", "supplier_failure") for s in SEGMENTS])
    page = write_sweep_report(sweep, tmp_path, metrics=["fill_rate"], paired=paired, resilience=resilience,
                              stress_matrix=matrix, service_curves=curves, baseline="baseline").read_text()
    for key in ("means", "paired", "resilience", "stress", "curves"):
        assert f'<section id="{key}">' in page
    titles = re.findall(r'<img alt="([^"]+)"', page)
    assert titles == ["fill rate per scenario x policy",
                      "Paired difference in fill_rate vs baseline (* = interval excludes 0)",
                      "Stress matrix", "Service over time: disrupted runs against the baseline"]
    assert "<td>supplier_failure</td><td>12.0</td><td>9.0</td>" in page


def test_overrides_the_sweep_did_not_vary_stay_out_of_the_labels(sweep: pd.DataFrame, tmp_path: Path) -> None:
    page = write_sweep_report(sweep.assign(horizon_days=90), tmp_path, metrics=["otif"]).read_text()
    assert "the same in every run: horizon_days=90" in page
    assert "horizon_days=90, " not in page and ", horizon_days=90" not in page  # not in any cell's label
    assert "<td>scenario=baseline, production=make_to_stock</td>" in page


def test_service_curves_of_a_sweep_with_a_baseline(tmp_path) -> None:
    """Daily fill rate per scenario from each job's daily fill table; only when the baseline ran too."""
    from analysis.sweep import DAILY_FILL_FILE, _service_curves, daily_fill

    for job, short in ((0, 0.0), (1, 0.5)):
        (tmp_path / str(job)).mkdir()
        days = np.repeat(np.arange(10), 2).astype(float)
        immediate = np.where((days >= 3) & (days < 6), 10 * (1 - short), 10.0)
        lines = pd.DataFrame({"time": days + 0.5, "segment": "fast", "qty": 10.0, "immediate": immediate})
        daily_fill(lines, smooth_days=1).to_csv(tmp_path / str(job) / DAILY_FILL_FILE, index=False)
    reps = pd.DataFrame({"job": [0, 1], "scenario": ["baseline", "supplier_failure"], "segment": "fast"})
    curves = _service_curves(tmp_path, reps)
    base = curves[curves["group"] == "baseline"].set_index("day")["fill_rate"]
    hit = curves[curves["group"] == "supplier_failure"].set_index("day")["fill_rate"]
    assert (base == 1.0).all()
    assert list(hit.loc[3:5]) == [0.5, 0.5, 0.5] and hit.drop(index=[3, 4, 5]).eq(1.0).all()
    assert _service_curves(tmp_path, reps.assign(scenario=["a", "b"])) is None  # no baseline: no curves
