"""Validation cases 1 and 4 of ../shared/validation-cases.md, run through the simulator.

Each replication is a full segsim run (supplier -> DC -> customer) with its own seed; the
expected value must lie inside the t-interval of the replication means. Where one case checks
several metrics, each interval is widened (Bonferroni) so the whole family holds at 95%.
"""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

import simulator
from tests.conftest import load_config
from tests.stats import assert_covers, clamped_normal

REPLICATIONS = 20
HORIZON = 2600  # periods per replication, 100 of them warm-up


def replicate(cfg: dict) -> list[simulator.Results]:
    out = []
    cfg["horizon_days"] = HORIZON
    for seed in range(REPLICATIONS):
        cfg["seed"] = seed
        out.append(simulator.run(cfg))
    return out


def end_of_period(results: simulator.Results) -> tuple[float, float]:
    """Mean end-of-period on hand and backorders after warm-up."""
    stock = results.stock
    stock = stock[stock["day"] > results.spec.warmup_days]
    return float(stock["on_hand"].mean()), float(stock["backorders"].mean())


@pytest.fixture(scope="module")
def case1() -> list[simulator.Results]:
    """Case 1: periodic base stock S=344.39, N(100, 20) demand, L=2, backorders, h=1, p=9."""
    return replicate(load_config("single_stage"))


def test_case1_cost_per_period(case1: list[simulator.Results]) -> None:
    costs = []
    for r in case1:
        on_hand, backorders = end_of_period(r)
        costs.append(1.0 * on_hand + 9.0 * backorders)
    assert_covers(costs, 60.7944, "case 1 expected cost per period")


def test_case1_service_and_levels(case1: list[simulator.Results]) -> None:
    fill = [float(r.kpis.set_index("segment").loc["ALL", "fill_rate"]) for r in case1]
    family = 0.95 ** (1 / 4)
    assert_covers(fill, 0.983596, "case 1 type-2 fill rate", family)
    on_hand = [end_of_period(r)[0] for r in case1]
    assert_covers(on_hand, 46.0304, "case 1 end-of-period on hand", family)
    backorders = [end_of_period(r)[1] for r in case1]
    assert_covers(backorders, 1.64044, "case 1 end-of-period backorders", family)
    cycle = []
    for r in case1:
        s = r.stock[r.stock["day"] > r.spec.warmup_days]
        cycle.append(float((s["backorders"] <= 1e-9).mean()))
    assert_covers(cycle, 0.899978, "case 1 cycle service level", family)


def test_case1_planned_base_stock_level() -> None:
    """The z*sigma rule plans the same S the case states: mu(L+1) + z sd sqrt(L+1), z = Phi^-1(0.9)."""
    cfg = load_config("single_stage")
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "order_up_to", "review_period": 1},
                                           "safety_stock": {"type": "z_sigma", "service_level": 0.9}}
    model = simulator.Model(simulator.build_spec(cfg))
    (point,) = model.points
    # Daily demand is one normal(100, 20) order a day with negative draws set to 0: plan from the
    # moments of max(X, 0) (5 sd from 0, so they differ from 100 and 20 by ~1e-8 only).
    mean, sd = clamped_normal(100, 20)
    expected = mean * 3 + norm.ppf(0.9) * sd * math.sqrt(3)
    assert point.policy.S == pytest.approx(expected, rel=1e-9)
    assert point.policy.S == pytest.approx(344.39, abs=0.01)


@pytest.fixture(scope="module")
def case4() -> list[simulator.Results]:
    """Case 4: periodic (s, S) = (4, 10), Poisson(6) demand, L = 0, K=5, h=1, p=4."""
    cfg = load_config("single_stage")
    cfg["network"]["integer_units"] = True
    cfg["network"]["lanes"][0]["lead_time"] = 0
    cfg["network"]["customers"]["shop"]["qty"] = {"dist": "poisson", "mean": 6}
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "s_S", "s": 4, "S": 10, "review_period": 1}}
    return replicate(cfg)


def test_case4_cost_and_order_frequency(case4: list[simulator.Results]) -> None:
    costs, freq, on_hand, backorders = [], [], [], []
    for r in case4:
        oh, bo = end_of_period(r)
        periods = r.spec.horizon_days - r.spec.warmup_days
        orders = (r.replenishments["time"] >= r.spec.warmup_days).sum() / periods
        costs.append(5.0 * orders + oh + 4.0 * bo)
        freq.append(orders)
        on_hand.append(oh)
        backorders.append(bo)
    family = 0.95 ** (1 / 4)
    assert_covers(costs, 8.03411, "case 4 expected cost per period", family)
    assert_covers(freq, 0.681966, "case 4 order frequency", family)
    assert_covers(on_hand, 3.14115, "case 4 end-of-period on hand", family)
    assert_covers(backorders, 0.370783, "case 4 end-of-period backorders", family)


def test_case4_fill_rate(case4: list[simulator.Results]) -> None:
    fill = [float(r.kpis.set_index("segment").loc["ALL", "fill_rate"]) for r in case4]
    assert_covers(fill, 0.938203, "case 4 fill rate")
