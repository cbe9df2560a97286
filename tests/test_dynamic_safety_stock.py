"""Safety stock re-computed on a review cycle from recent demand follows a change in demand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

import simulator
from policies.base import ItemStats
from policies.safety_stock import DynamicZSigma
from simulator.config import build_policy
from simulator.engine.errors import ConfigError
from tests.conftest import load_config


class DoubleFrom:
    """A demand modifier: demand doubles from day ``t0`` on (a promotion that sticks)."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0

    def factor(self, t: float, sku: str, channel: str, segment: str) -> float:
        return 2.0 if t >= self.t0 else 1.0

    def max_factor(self) -> float:
        return 2.0


def model_with(safety_stock: dict) -> simulator.Model:
    cfg = load_config("single_stage")
    cfg["segments"]["only"]["policies"] = {"replenishment": {"type": "order_up_to", "review_period": 1},
                                           "safety_stock": safety_stock}
    model = simulator.Model(simulator.build_spec(cfg))
    model.demand_modifiers.append(DoubleFrom(100.0))
    return model


def test_dynamic_safety_stock_replans_from_the_last_window() -> None:
    static = model_with({"type": "z_sigma", "service_level": 0.9})
    dynamic = model_with({"type": "dynamic", "every_days": 7, "window_days": 28, "service_level": 0.9})
    static.step_until(200)
    dynamic.step_until(200)
    (s_point,), (d_point,) = static.points, dynamic.points
    assert s_point.policy.S == pytest.approx(344.39, abs=0.01)  # the forecast plan never moves
    # Last re-plan at day 196 (28 + 7k), from the 28 days [168, 196): recompute it from the records.
    lines = dynamic.ctx.recorder.order_lines
    daily = np.zeros(28)
    for line in lines:
        if 168 <= line.created < 196:
            daily[int(line.created - 168)] += line.qty
    cover = 2 + 1  # lead time + review period
    expected = daily.mean() * cover + NormalDist().inv_cdf(0.9) * daily.std(ddof=1) * math.sqrt(cover)
    assert d_point.policy.S == pytest.approx(expected, rel=1e-9)
    assert d_point.policy.S > 1.7 * s_point.policy.S  # demand doubled, so did the level


def test_restate_and_units() -> None:
    stats = ItemStats(mean_daily=1.0, sd_daily=1.0, lead_time_mean=4.0, target_service=0.95)
    rule = DynamicZSigma(z=2.0)
    new = rule.restate(stats, [10.0, 14.0, 12.0, 12.0])
    assert new.mean_daily == 12.0 and new.sd_daily == pytest.approx(math.sqrt(8 / 3))
    assert new.lead_time_mean == 4.0
    assert rule.units(new, 4.0) == pytest.approx(2 * math.sqrt(8 / 3) * 2)
    with pytest.raises(ConfigError, match="window_days must be a whole number >= 2"):
        build_policy("safety_stock", {"type": "dynamic", "window_days": 1}, "k")
