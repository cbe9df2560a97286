"""One paired comparison, one sign: the sweep report and ``analysis.compare`` both take the first value
listed in the sweep as the baseline A and show B minus A, written out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.compare import compare
from analysis.kpis import KPI_METRICS
from analysis.sweep import _paired_for_report

FACTOR = "segments.tail.policies.production"
LISTED = ["make_to_stock", "make_to_order"]  # as on the command line: mts first (sorts after mto)


@pytest.fixture()
def sweep_dir(tmp_path: Path) -> Path:
    """Job 0 = make_to_stock, job 1 = make_to_order (Hydra numbers jobs in the order values are listed);
    make-to-order earns 1,000 less margin in every replication."""
    rng = np.random.default_rng(1)
    rows = []
    for job, value in enumerate(LISTED):
        for rep in range(5):
            for seg in ("core", "tail"):
                row = {m: float(rng.normal(100, 1)) for m in KPI_METRICS}
                row["gross_margin"] = 50_000.0 + 100 * rep - 1_000.0 * (value == "make_to_order")
                rows.append({"job": str(job), FACTOR: value, "status": "ok", "error": "", "replication": rep,
                             "seed": 100 + rep, "segment": seg, **row})
    pd.DataFrame(rows).to_parquet(tmp_path / "sweep_replications.parquet", index=False)
    return tmp_path


def test_compare_baseline_is_the_first_value_listed(sweep_dir: Path) -> None:
    diffs = compare(sweep_dir, FACTOR)
    margin = diffs[(diffs["metric"] == "gross_margin") & (diffs["segment"] == "tail")].iloc[0]
    assert margin["baseline"] == "make_to_stock" and margin["level"] == "make_to_order"
    assert margin["diff"] == pytest.approx(-1_000.0)
    assert margin["direction"] == "make_to_order minus make_to_stock"


def test_sweep_report_shows_the_same_difference_with_its_direction(sweep_dir: Path) -> None:
    reps = pd.read_parquet(sweep_dir / "sweep_replications.parquet").drop(columns=["replication"])
    paired = _paired_for_report(sweep_dir, reps)
    row = paired[(paired["metric"] == "gross_margin") & (paired["segment"] == "tail")].iloc[0]
    assert row["mean"] == pytest.approx(-1_000.0)
    assert "make_to_order minus make_to_stock" in row["group"]
    explicit = compare(sweep_dir, FACTOR, baseline="make_to_stock")
    same = explicit[(explicit["metric"] == "gross_margin") & (explicit["segment"] == "tail")].iloc[0]
    assert same["diff"] == pytest.approx(row["mean"])


def test_compare_prints_a_verdict_per_segment_and_metric(sweep_dir: Path, capsys: pytest.CaptureFixture) -> None:
    from analysis.compare import main, verdict

    assert verdict("gross_margin", -1_200.0, -800.0) == "B worse"
    assert verdict("avg_lead_time_days", -0.5, -0.1) == "B better"  # shorter lead time
    assert verdict("fill_rate", -0.01, 0.02) == "no significant difference"
    assert main([str(sweep_dir), "--factor", FACTOR]) == 0
    out = capsys.readouterr().out
    assert "A = make_to_stock" in out and "B = make_to_order" in out
    margin = next(line for line in out.splitlines() if line.split()[:2] == ["tail", "gross_margin"])
    assert "-1,000 [-1,000, -1,000]" in margin and margin.rstrip().endswith("B worse")
    assert "50,200" in margin  # money with thousands separators
    for metric in ("avg_lead_time_days", "avg_on_hand_units", "cost_to_serve"):  # shown by default
        assert f" {metric} " in out
    fill = next(line for line in out.splitlines() if line.split()[:2] == ["tail", "fill_rate"])
    assert " pt" in fill  # a difference of rates in percentage points
    assert "status" not in out and "error" not in out  # settings that never vary are left out
