"""The segment policies of issue 3, each decision on its own, without a simulation."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

import simulator
from policies.allocation import FirstComeFirstServed, ProfitWeighted
from policies.base import ItemStats, JobView
from policies.production import LeadTimeRule, MakeToOrder, MakeToStock
from policies.replenishment import ReorderPointQuantity
from policies.safety_stock import CriticalRatio, DaysOfSupply, ZSigma
from simulator.config import build_policy
from simulator.engine.errors import ConfigError
from tests.conftest import load_config


class TestProductionStrategy:
    def test_fixed_strategies(self) -> None:
        assert MakeToStock().serve_from_stock(30.0, 2.0) is True
        assert MakeToOrder().serve_from_stock(0.5, 20.0) is False

    def test_lead_time_rule_makes_to_order_when_the_customer_can_wait(self) -> None:
        rule = LeadTimeRule()
        assert rule.serve_from_stock(tolerance_days=7.0, make_and_deliver_days=6.8) is False
        assert rule.serve_from_stock(tolerance_days=7.0, make_and_deliver_days=7.0) is False  # exactly covered
        assert rule.serve_from_stock(tolerance_days=7.0, make_and_deliver_days=7.2) is True

    def test_lead_time_rule_margin_and_no_route(self) -> None:
        assert LeadTimeRule(margin_days=1.0).serve_from_stock(7.0, 6.8) is True
        assert LeadTimeRule().serve_from_stock(99.0, math.inf) is True  # no plant can make to order

    def test_negative_margin_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="margin_days must be >= 0"):
            build_policy("production", {"type": "lead_time_rule", "margin_days": -1}, "k")


STATS = ItemStats(mean_daily=100.0, sd_daily=20.0, lead_time_mean=4.0, lead_time_sd=1.5, target_service=0.95,
                  unit_cost=4.0, price=10.0, holding_rate=0.25)


class TestReorderPointQuantity:
    def test_orders_Q_at_or_below_r(self) -> None:
        p = ReorderPointQuantity(r=3, Q=5)
        assert p.order_qty(4) == 0
        assert p.order_qty(3) == 5  # IP <= r triggers (IP < r would be the off-by-one)
        assert p.order_qty(-2) == 10  # as many Q as it takes to lift the position above r
        assert p.order_qty(-3) == 10 and p.order_qty(-3.5) == 10
        assert p.order_qty(-7) == 15

    def test_planned_from_lead_time_demand(self) -> None:
        p = ReorderPointQuantity(cycle_days=3).planned(STATS, safety_stock=50)
        assert (p.r, p.Q) == (pytest.approx(450), pytest.approx(300))
        assert p.initial_stock() == pytest.approx(750)
        assert ReorderPointQuantity(r=3, Q=5).planned(STATS, 99).r == 3

    def test_bad_Q(self) -> None:
        with pytest.raises(ConfigError, match="Q must be > 0"):
            build_policy("replenishment", {"type": "r_Q", "r": 3, "Q": 0}, "k")


class TestSafetyStockMethods:
    def test_lead_time_variability_adds_d2_sdL2(self) -> None:
        plain = ZSigma(z=2.0).units(STATS, cover_days=4.0)
        with_lt = ZSigma(z=2.0, lead_time_variability=True).units(STATS, cover_days=4.0)
        assert plain == pytest.approx(2 * 20 * 2)
        assert with_lt == pytest.approx(2 * math.sqrt(4 * 20**2 + 100**2 * 1.5**2))

    def test_critical_ratio_from_given_costs(self) -> None:
        cr = CriticalRatio(shortage_cost=6, excess_cost=3)
        assert cr.service_level(STATS, 1.0) == pytest.approx(2 / 3)
        assert cr.units(STATS, 1.0) == pytest.approx(norm.ppf(2 / 3) * 20)

    def test_critical_ratio_defaults_margin_against_holding(self) -> None:
        cr = CriticalRatio()
        h = 4.0 * 0.25 * 9 / 365
        assert cr.service_level(STATS, 9.0) == pytest.approx(6 / (6 + h))
        assert cr.units(STATS, 9.0) == pytest.approx(norm.ppf(6 / (6 + h)) * 20 * 3)

    def test_critical_ratio_below_half_holds_no_buffer(self) -> None:
        assert CriticalRatio(shortage_cost=1, excess_cost=3).units(STATS, 4.0) == 0.0

    def test_days_of_supply(self) -> None:
        assert DaysOfSupply(days=2.5).units(STATS, 99.0) == pytest.approx(250)
        with pytest.raises(ConfigError, match="days must be >= 0"):
            build_policy("safety_stock", {"type": "days_of_supply", "days": -1}, "k")


class TestProfitWeighted:
    QUEUE = [JobView(1.0, 10, "a", "tail", margin=5.0), JobView(2.0, 10, "a", "fast", margin=2.0),
             JobView(3.0, 10, "a", "fast", margin=2.0), JobView(4.0, 10, "a", "other", margin=9.0)]

    def test_highest_weight_times_margin_first_then_oldest(self) -> None:
        rule = ProfitWeighted(weights={"fast": 3, "tail": 1})
        assert [rule.score(j) for j in self.QUEUE] == [5.0, 6.0, 6.0, 0.0]
        assert rule.next_job(self.QUEUE, None) == 1  # fast scores 6 > tail 5; oldest of the two fast
        assert ProfitWeighted(weights={"fast": 2, "tail": 1}).next_job(self.QUEUE, None) == 0  # 4 < 5

    def test_unweighted_segments_wait_fcfs(self) -> None:
        rule = ProfitWeighted(weights={"vip": 1})
        assert rule.next_job(self.QUEUE, None) == 0

    def test_preemption_only_when_asked_and_strictly_better(self) -> None:
        tail, fast = self.QUEUE[0], self.QUEUE[1]
        assert not ProfitWeighted(weights={"fast": 3, "tail": 1}).preempts(fast, tail)
        pr = ProfitWeighted(weights={"fast": 3, "tail": 1}, preemptive=True)
        assert pr.preempts(fast, tail) and not pr.preempts(tail, fast) and not pr.preempts(fast, self.QUEUE[2])
        assert not FirstComeFirstServed().preempts(fast, tail)

    def test_bad_weights(self) -> None:
        with pytest.raises(ConfigError, match="must be a number >= 0"):
            build_policy("allocation", {"type": "profit_weighted", "weights": {"fast": -1}}, "k")
        with pytest.raises(ConfigError, match="weights must map"):
            build_policy("allocation", {"type": "profit_weighted", "weights": {}}, "k")


def test_allocation_weights_name_known_segments() -> None:
    cfg = load_config("priority_line")
    cfg["network"]["plants"]["works"]["lines"]["L1"]["allocation"]["weights"] = {"rush": 3, "vip": 1}
    with pytest.raises(ConfigError, match=r"lines\.L1\.allocation\.weights.*'vip'.*rush, standard"):
        simulator.build_spec(cfg)
