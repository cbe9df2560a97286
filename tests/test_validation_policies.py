"""Validation cases 2 and 3 of ../shared/validation-cases.md, run through the simulator.

Case 3 is continuous-review (r, Q) with Poisson unit demand. Case 2 (newsvendor) is run as a
repeated season: a DC reviewed every day, lead time 0, lost sales, order-up-to S planned by the
critical-ratio safety stock. With lost sales each day starts with exactly S on hand, so every
day is an independent newsvendor season: sales min(D, S), leftover (S - D)+ (read as salvaged and
bought again). Bonferroni-widened intervals where one case checks several metrics.
"""

from __future__ import annotations

import pytest
from scipy.stats import norm

import simulator
from tests.conftest import load_config, replicate_runs
from tests.stats import assert_covers, clamped_normal

REPLICATIONS = 10


def replicate(cfg: dict, horizon: float, warmup: float) -> list[simulator.Results]:
    return replicate_runs(cfg, REPLICATIONS, horizon, warmup)


# ------------------------------------------------------------------ case 3: continuous (r, Q)

@pytest.fixture(scope="module")
def case3() -> list[simulator.Results]:
    """(r, Q) = (3, 5), Poisson(1.5) unit demand, L = 2, backorders."""
    cfg = load_config("single_stage")
    net = cfg["network"]
    net["integer_units"] = True
    net["customers"]["shop"] = {"channel": "store", "served_from": ["dc"], "orders_per_day": 1.5,
                                "lines_per_order": 1, "qty": 1}
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "r_Q", "r": 3, "Q": 5}}
    return replicate(cfg, horizon=9000.0, warmup=500.0)


def test_case3_rq_cost_and_levels(case3: list[simulator.Results]) -> None:
    cost, on_hand, backorders, freq = [], [], [], []
    for r in case3:
        span = r.spec.horizon_days - r.spec.warmup_days
        # Daily stock readings sample the stationary process at fixed times: unbiased for time averages.
        stock = r.stock[r.stock["day"] > r.spec.warmup_days]
        oh, bo = float(stock["on_hand"].mean()), float(stock["backorders"].mean())
        orders = float((r.replenishments["time"] >= r.spec.warmup_days).sum() / span)
        cost.append(100 * orders + 20 * oh + 150 * bo)
        on_hand.append(oh)
        backorders.append(bo)
        freq.append(orders)
    family = 1 - 0.05 / 4
    assert_covers(cost, 107.924, "case 3 cost per day", family)
    assert_covers(on_hand, 3.10543, "case 3 on hand", family)
    assert_covers(backorders, 0.105433, "case 3 backorders", family)
    assert_covers(freq, 0.3, "case 3 order frequency", family)


def test_case3_rq_service(case3: list[simulator.Results]) -> None:
    fill, wait = [], []
    for r in case3:
        lines = r.order_lines[r.order_lines["time"] >= r.spec.warmup_days]
        lines = lines[lines["delivered"] > 0]
        fill.append(float(lines["immediate"].mean()))
        wait.append(float((lines["last_delivery"] - lines["time"]).mean()))
    family = 1 - 0.05 / 2
    assert_covers(fill, 0.866633, "case 3 fill rate", family)
    assert_covers(wait, 0.0702886, "case 3 mean customer wait", family)


# ------------------------------------------------------------------ case 2: newsvendor

NEWSVENDOR_Q = 108.6146


@pytest.fixture(scope="module")
def case2() -> list[simulator.Results]:
    """Seasons of N(100, 20) demand; S planned by the critical ratio (r - c)/(r - v) = 6/9."""
    cfg = load_config("single_stage")
    cfg["network"]["lanes"][0]["lead_time"] = 0
    cfg["network"]["channels"]["store"] = {"patience_days": 0}  # unmet demand is lost
    cfg["segments"]["only"]["policies"] = {
        "replenishment": {"type": "order_up_to", "review_period": 1},
        "safety_stock": {"type": "critical_ratio", "shortage_cost": 6, "excess_cost": 3},
    }
    return replicate(cfg, horizon=6001.0, warmup=1.0)


def test_case2_planned_order_quantity(case2: list[simulator.Results]) -> None:
    (point,) = simulator.Model(case2[0].spec).points
    mean, sd = clamped_normal(100, 20)  # the season's demand: normal(100, 20), negative draws set to 0
    assert point.policy.S == pytest.approx(mean + sd * norm.ppf(6 / 9), rel=1e-9)
    assert point.policy.S == pytest.approx(NEWSVENDOR_Q, abs=1e-3)


def test_case2_newsvendor_outcomes(case2: list[simulator.Results]) -> None:
    profit, in_stock, sales, leftover, fill = [], [], [], [], []
    (point,) = simulator.Model(case2[0].spec).points
    for r in case2:
        lines = r.order_lines[r.order_lines["time"] >= r.spec.warmup_days]
        stock = r.stock[r.stock["day"] > r.spec.warmup_days]  # end-of-day on hand = the season's leftover
        s, left = float(lines["immediate"].mean()), float(stock["on_hand"].mean())
        profit.append(10 * s + 1 * left - 4 * point.policy.S)
        in_stock.append(float((lines["lost"] <= 0).mean()))
        sales.append(s)
        leftover.append(left)
        fill.append(float(lines["immediate"].sum() / lines["qty"].sum()))
    family = 1 - 0.05 / 5
    assert_covers(profit, 534.552, "case 2 expected profit", family)
    assert_covers(in_stock, 2 / 3, "case 2 in-stock probability", family)
    assert_covers(sales, 95.5995, "case 2 expected sales", family)
    assert_covers(leftover, 13.015, "case 2 expected leftover", family)
    assert_covers(fill, 0.955995, "case 2 fill rate", family)
