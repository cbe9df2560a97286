"""Validation cases 5, 6 and 7 of ../shared/validation-cases.md, run through the simulator.

A make-to-order plant with one line is a single-server queue: each customer order line releases
one production order of one unit. Every replication is a full segsim run with its own seed; the
expected value must lie inside the t-interval of the replication means (Bonferroni-widened where
one case checks several metrics). Horizons are shorter than the recommended ones to keep the
suite fast; the intervals are correspondingly wider, but every metric still separates the right
answer from the usual mistakes (e.g. transit left out, FCFS instead of priority).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import simulator
from tests.conftest import load_config, replicate_runs
from tests.stats import assert_covers

REPLICATIONS = 12
HORIZON = 12000.0
WARMUP = 1000.0


def replicate(cfg: dict, reps: int = REPLICATIONS, horizon: float = HORIZON) -> list[simulator.Results]:
    return replicate_runs(cfg, reps, horizon, WARMUP)


def time_average(starts: np.ndarray, ends: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """Time-average number of open intervals over [low, high], and the fraction of that time at
    least one is open (for a single-server line: WIP and utilisation)."""
    starts, ends = np.clip(starts, low, high), np.clip(ends, low, high)
    times = np.concatenate([starts, ends])
    steps = np.concatenate([np.ones_like(starts), -np.ones_like(ends)])
    order = np.lexsort((steps, times))  # at a tie, a departure before an arrival
    times, count = times[order], np.cumsum(steps[order])
    width = np.diff(np.append(times, high))
    return float((count * width).sum() / (high - low)), float((width * (count > 0)).sum() / (high - low))


def lines_after_warmup(r: simulator.Results) -> pd.DataFrame:
    ol = r.order_lines
    return ol[ol["time"] >= r.spec.warmup_days]


# ------------------------------------------------------------------ case 5 (G1) and case 6 (M/M/1)

@pytest.fixture(scope="module")
def mm1() -> list[simulator.Results]:
    """Poisson 0.75/day single-unit MTO orders, exponential(1) production, 2-day transit."""
    return replicate(load_config("mto_line"))


def test_case5_make_to_order_lead_time(mm1: list[simulator.Results]) -> None:
    """G1: order lead time = M/M/1 sojourn Exp(0.25) + 2 days of transit."""
    means, le6, gt10 = [], [], []
    for r in mm1:
        ol = lines_after_warmup(r)
        ol = ol[ol["time"] <= r.spec.horizon_days - 60]  # lines old enough to have been delivered
        assert ol["delivered"].eq(1).all()
        lt = ol["last_delivery"] - ol["time"]
        means.append(float(lt.mean()))
        le6.append(float((lt <= 6).mean()))
        gt10.append(float((lt > 10).mean()))
    family = 1 - 0.05 / 3
    assert_covers(means, 6.0, "case 5 G1 mean order lead time", family)
    assert_covers(le6, 1 - math.exp(-1.0), "case 5 G1 P(lead time <= 6)", family)
    assert_covers(gt10, math.exp(-2.0), "case 5 G1 P(lead time > 10)", family)


def line_metrics(r: simulator.Results, transit: float) -> dict[str, float]:
    """Flow time, queue wait, WIP, queue length and utilisation of the line after warm-up."""
    warm, end = r.spec.warmup_days, r.spec.horizon_days
    ol = r.order_lines
    made = ol["last_delivery"].fillna(np.inf).to_numpy() - transit  # production end (inf if not yet)
    wip, util = time_average(ol["time"].to_numpy(), made, warm, end)
    prod = r.production[r.production["released"] >= warm]
    return {
        "flow": float((prod["end"] - prod["released"]).mean()),
        "wait": float((prod["start"] - prod["released"]).mean()),
        "wip": wip, "queue": wip - util, "util": util,
        "throughput": float(((prod["end"] >= warm) & (prod["end"] <= end)).sum() / (end - warm)),
    }


def check_line(results: list[simulator.Results], expected: dict[str, float], transit: float, case: str) -> None:
    metrics = [line_metrics(r, transit) for r in results]
    family = 1 - 0.05 / len(expected)
    for key, value in expected.items():
        assert_covers([m[key] for m in metrics], value, f"{case} {key}", family)


def test_case6_line_as_mm1(mm1: list[simulator.Results]) -> None:
    check_line(mm1, {"flow": 4.0, "wait": 3.0, "wip": 3.0, "queue": 2.25, "util": 0.75, "throughput": 0.75},
               transit=2.0, case="case 6 M/M/1")


def test_case6_line_as_md1() -> None:
    cfg = load_config("mto_line")
    cfg["network"]["plants"]["works"]["lines"]["L1"]["unit_time"] = 1
    check_line(replicate(cfg, reps=12, horizon=11000.0),
               {"flow": 2.5, "wait": 1.5, "wip": 1.875, "queue": 1.125, "util": 0.75, "throughput": 0.75},
               transit=2.0, case="case 6 M/D/1")


# ------------------------------------------------------------------ case 7: two priority classes

def class_means(results: list[simulator.Results]) -> dict[tuple[str, str], list[float]]:
    """Per segment: mean wait for first start (Wq) and mean flow time (T), one value per replication."""
    out: dict[tuple[str, str], list[float]] = {}
    for r in results:
        prod = r.production[r.production["released"] >= r.spec.warmup_days]
        for seg, rows in prod.groupby("segment"):
            out.setdefault((seg, "wait"), []).append(float((rows["start"] - rows["released"]).mean()))
            out.setdefault((seg, "flow"), []).append(float((rows["end"] - rows["released"]).mean()))
    return out


def test_case7_non_preemptive_priority() -> None:
    """The higher-weighted segment waits less, by Cobham's formula: Wq1 = 1, Wq2 = 3.33 (FCFS: 2.33)."""
    got = class_means(replicate(load_config("priority_line")))
    family = 1 - 0.05 / 4
    assert_covers(got[("rush", "wait")], 1.0, "case 7 NP class-1 Wq", family)
    assert_covers(got[("standard", "wait")], 10 / 3, "case 7 NP class-2 Wq", family)
    assert_covers(got[("rush", "flow")], 2.0, "case 7 NP class-1 T", family)
    assert_covers(got[("standard", "flow")], 13 / 3, "case 7 NP class-2 T", family)


def test_case7_preemptive_resume_priority() -> None:
    cfg = load_config("priority_line")
    cfg["network"]["plants"]["works"]["lines"]["L1"]["allocation"]["preemptive"] = True
    got = class_means(replicate(cfg))
    family = 1 - 0.05 / 2
    assert_covers(got[("rush", "flow")], 1 / 0.7, "case 7 PR class-1 T", family)
    assert_covers(got[("standard", "flow")], 1 / 0.7 + 0.7 / (0.7 * 0.3), "case 7 PR class-2 T", family)
