"""Each policy's decision on its own, without a simulation."""

from __future__ import annotations

import pytest
from scipy.stats import norm

from policies.allocation import FirstComeFirstServed
from policies.base import ItemStats, JobView, SourceOption
from policies.fulfilment import DCPick
from policies.production import MakeToStock
from policies.replenishment import BaseStock, MinMax, OrderUpTo
from policies.safety_stock import NoSafetyStock, ZSigma
from simulator.config import build_policy
from simulator.engine.errors import ConfigError

STATS = ItemStats(mean_daily=100.0, sd_daily=20.0, lead_time_mean=4.0, target_service=0.95)


class TestMinMax:
    def test_orders_up_to_S_at_or_below_s(self) -> None:
        p = MinMax(s=40, S=100)
        assert p.order_qty(40) == 60  # at s: order (IP <= s)
        assert p.order_qty(12.5) == 87.5
        assert p.order_qty(41) == 0

    def test_rejects_s_above_S(self) -> None:
        with pytest.raises(ValueError, match="s <= S"):
            MinMax(s=10, S=5)

    def test_planned_from_demand_and_safety_stock(self) -> None:
        p = MinMax(cycle_days=7).planned(STATS, safety_stock=50.0)
        assert p.s == pytest.approx(100 * 4 + 50)
        assert p.S == pytest.approx(450 + 700)
        assert p.initial_stock() == p.S

    def test_periodic_planning_covers_review_period(self) -> None:
        p = MinMax(cycle_days=7, review_period=2).planned(STATS, safety_stock=0.0)
        assert p.s == pytest.approx(100 * (4 + 2))

    def test_explicit_values_kept(self) -> None:
        p = MinMax(s=4, S=10).planned(STATS, safety_stock=999)
        assert (p.s, p.S) == (4, 10)


class TestOrderUpTo:
    def test_orders_the_gap_to_S(self) -> None:
        assert OrderUpTo(S=100, review_period=7).order_qty(30) == 70
        assert OrderUpTo(S=100, review_period=7).order_qty(100) == 0

    def test_planned_level_covers_lead_time_plus_review(self) -> None:
        p = OrderUpTo(review_period=7).planned(STATS, safety_stock=30.0)
        assert p.S == pytest.approx(100 * 11 + 30)

    def test_needs_a_review_period(self) -> None:
        with pytest.raises(ValueError, match="periodic"):
            OrderUpTo(review_period=None)

    def test_base_stock_is_continuous_one_for_one(self) -> None:
        p = BaseStock(S=50)
        assert p.review_period is None
        assert p.order_qty(47) == 3  # a demand of 3 is reordered at once
        assert BaseStock().planned(STATS, 10.0).S == pytest.approx(410)


class TestSafetyStock:
    def test_z_sigma_from_segment_target(self) -> None:
        ss = ZSigma().units(STATS, cover_days=9.0)
        assert ss == pytest.approx(norm.ppf(0.95) * 20 * 3)

    def test_explicit_service_level_and_z(self) -> None:
        assert ZSigma(service_level=0.9).units(STATS, 4.0) == pytest.approx(norm.ppf(0.9) * 20 * 2)
        assert ZSigma(z=2.0).units(STATS, 4.0) == pytest.approx(80.0)

    def test_never_negative(self) -> None:
        assert ZSigma(service_level=0.2).units(STATS, 4.0) == 0.0
        assert NoSafetyStock().units(STATS, 4.0) == 0.0

    def test_service_level_bounds(self) -> None:
        with pytest.raises(ValueError, match="between 0 and 1"):
            ZSigma(service_level=1.0)


def test_dc_pick_takes_first_warehouse() -> None:
    options = [SourceOption("dc_a", "warehouse", 0.0), SourceOption("dc_b", "warehouse", 50.0),
               SourceOption("plant", "plant", 0.0)]
    assert DCPick().source(10, options) == "dc_a"
    assert DCPick().source(10, options[2:] + options[:1]) == "dc_a"


def test_make_to_stock_serves_from_stock() -> None:
    assert MakeToStock().serve_from_stock(30.0, 2.0) is True


def test_fcfs_takes_oldest() -> None:
    queue = [JobView(1.0, 10, "a", "tail"), JobView(2.0, 5, "b", "fast")]
    assert FirstComeFirstServed().next_job(queue, "b") == 0


class TestBuildPolicy:
    def test_by_name_and_params(self) -> None:
        p = build_policy("replenishment", {"type": "s_S", "s": 3, "S": 9}, "segments.x.policies.replenishment")
        assert isinstance(p, MinMax) and (p.s, p.S) == (3, 9)
        assert isinstance(build_policy("safety_stock", "none", "k"), NoSafetyStock)

    def test_unknown_name_lists_known(self) -> None:
        with pytest.raises(ConfigError) as err:
            build_policy("replenishment", {"type": "sS"}, "segments.fast.policies.replenishment")
        msg = str(err.value)
        assert "segments.fast.policies.replenishment.type" in msg and "'sS'" in msg and "s_S" in msg

    def test_unknown_parameter(self) -> None:
        with pytest.raises(ConfigError, match="allowed keys here: type, s, S, cycle_days, review_period"):
            build_policy("replenishment", {"type": "s_S", "reorder": 4}, "k")

    def test_wrong_type(self) -> None:
        with pytest.raises(ConfigError, match=r"k.s.*'four'.*a finite number"):
            build_policy("replenishment", {"type": "s_S", "s": "four"}, "k")

    def test_invariant_violation_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="s <= S"):
            build_policy("replenishment", {"type": "s_S", "s": 10, "S": 2}, "k")

